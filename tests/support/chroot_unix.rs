//! Running a command inside a root directory, with `chroot`.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

/// Makes `command` run inside `root`, in `cwd` (a path as seen there).
pub fn enter(command: &mut Command, root: &Path, cwd: &Path) {
    let root = CString::new(root.as_os_str().as_bytes()).unwrap();
    let cwd = CString::new(cwd.as_os_str().as_bytes()).unwrap();
    // SAFETY: only async-signal-safe calls between fork and exec, on
    // strings made before the fork.
    unsafe {
        command.pre_exec(move || {
            if libc::chroot(root.as_ptr()) != 0 || libc::chdir(cwd.as_ptr()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
