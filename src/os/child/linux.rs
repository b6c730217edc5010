//! Linux: the child itself is told to die with pyvenv (`PR_SET_PDEATHSIG`),
//! so even the moment before the watchdog starts is covered.

use std::os::unix::process::CommandExt;
use std::process::Command;

/// Makes the child `command` starts receive SIGKILL when pyvenv ends.
pub fn die_with_pyvenv(command: &mut Command) {
    let parent = std::process::id();
    // PR_SET_PDEATHSIG fires when the *thread* that forked the child ends,
    // so children are spawned from the main thread, which lives as long as
    // pyvenv does.
    // SAFETY: the closure runs between fork and exec and only makes the
    // async-signal-safe system calls prctl, getppid and kill.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // pyvenv died before the prctl: the signal would never come.
            if libc::getppid() as u32 != parent {
                libc::kill(0, libc::SIGKILL);
            }
            Ok(())
        });
    }
}
