//! Copying a file's data the cheapest way the filesystem allows: a
//! copy-on-write clone (a reflink: Linux's `FICLONE`, macOS's
//! `fclonefileat`) shares the source's blocks until either side is
//! written; a copy made in the kernel (`copy_file_range` on Linux) never
//! passes the data through pyvenv.
//!
//! The wheel cache places its files with these (`seed/cache/link.rs`),
//! and decides there which to try and when to give up on one.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rustix::io::Errno;

#[cfg_attr(target_os = "linux", path = "reflink/linux.rs")]
#[cfg_attr(target_os = "macos", path = "reflink/macos.rs")]
mod platform;

pub use platform::{clone_new, copy, may_clone};

/// Whether `e` says the filesystem cannot clone or link here at all (as
/// opposed to an error about these particular files), so the next method
/// is tried instead.
pub fn refused(e: &io::Error) -> bool {
    // ENOTSUP is EOPNOTSUPP on Linux, and its own number on macOS, which
    // clonefile answers on a filesystem without clones (HFS+).
    let refusals = [
        Errno::XDEV,
        Errno::OPNOTSUPP,
        Errno::NOTSUP,
        Errno::INVAL,
        Errno::NOTTY,
        Errno::PERM,
        Errno::MLINK,
        Errno::NOSYS,
    ];
    e.raw_os_error()
        .is_some_and(|code| refusals.iter().any(|r| r.raw_os_error() == code))
}

/// Opens `path` for reading, failing if it is a symbolic link.
pub fn open_no_follow(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)
}

/// Creates the new file `dst` for writing with the permission bits `mode`
/// (less the umask): never through a link, never over anything there.
pub fn create_new(dst: &Path, mode: u32) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(dst)
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
