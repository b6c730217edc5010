//! Copying a file's data the fastest way the filesystem offers: a
//! copy-on-write clone (`FICLONE`), else `copy_file_range` (the data never
//! passes through pyvenv); and setting the copy's mtime.
//!
//! This is the Linux implementation; `windows/reflink.rs` is the Windows one.

use std::fs::File;
use std::io;
use std::path::Path;

/// Whether the filesystem holding `path` may support [`clone`]: ext2/3/4
/// and tmpfs, the usual Linux homes, never do.
pub fn may_clone(path: &Path) -> bool {
    const EXT4: u64 = 0xEF53;
    const TMPFS: u64 = 0x0102_1994;
    match rustix::fs::statfs(path) {
        Ok(fs) => !matches!(fs.f_type as u64, EXT4 | TMPFS),
        Err(_) => true,
    }
}

/// Makes `to` share `from`'s data (`FICLONE`).
pub fn clone(from: &File, to: &File) -> io::Result<()> {
    Ok(rustix::fs::ioctl_ficlone(to, from)?)
}

/// The filesystem cannot do this kind of link here (as opposed to an error
/// about these particular files).
pub fn refused(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(
            libc_errno::EXDEV
                | libc_errno::EOPNOTSUPP
                | libc_errno::EINVAL
                | libc_errno::ENOTTY
                | libc_errno::EPERM
                | libc_errno::EMLINK
                | libc_errno::ENOSYS
        )
    )
}

/// The errno values `refused` looks for, from rustix so no libc is needed.
mod libc_errno {
    use rustix::io::Errno;
    pub const EXDEV: i32 = Errno::XDEV.raw_os_error();
    pub const EOPNOTSUPP: i32 = Errno::OPNOTSUPP.raw_os_error();
    pub const EINVAL: i32 = Errno::INVAL.raw_os_error();
    pub const ENOTTY: i32 = Errno::NOTTY.raw_os_error();
    pub const EPERM: i32 = Errno::PERM.raw_os_error();
    pub const EMLINK: i32 = Errno::MLINK.raw_os_error();
    pub const ENOSYS: i32 = Errno::NOSYS.raw_os_error();
}

/// Copies `size` bytes with `copy_file_range`: the data never passes
/// through pyvenv, and the known size saves the call that finds the end.
/// Where the kernel cannot, `io::copy` carries on from the same offsets.
pub fn copy_range(mut from: &File, mut to: &File, size: u64) -> io::Result<()> {
    let mut left = size;
    while left > 0 {
        let chunk = usize::try_from(left).unwrap_or(usize::MAX);
        match rustix::fs::copy_file_range(from, None, to, None, chunk) {
            Ok(0) => break,
            Ok(n) => left = left.saturating_sub(n as u64),
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return io::copy(&mut from, &mut to).map(|_| ()),
        }
    }
    Ok(())
}

/// Sets `file`'s mtime to `(seconds, nanoseconds)`, its atime untouched.
pub fn set_mtime(file: &File, (secs, nanos): (i64, i64)) -> io::Result<()> {
    let mtime = rustix::fs::Timestamps {
        last_access: rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: rustix::fs::UTIME_OMIT,
        },
        last_modification: rustix::fs::Timespec {
            tv_sec: secs,
            tv_nsec: nanos,
        },
    };
    Ok(rustix::fs::futimens(file, &mtime)?)
}
