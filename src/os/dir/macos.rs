//! macOS: the device number as the only mount boundary (no statx, and no
//! bind mounts to tell apart), and `F_GETPATH` as the path of a held
//! directory.

use std::os::fd::BorrowedFd;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

/// Why a held directory has no path a child can follow to it.
pub const NO_ANCHOR: &str =
    "the kernel gives no path for it (F_GETPATH), so it cannot be held safely";

/// macOS has no bind mounts: another filesystem always shows as another
/// device, which the caller has compared already.
pub fn is_mount_root(_dir: BorrowedFd<'_>, _name: &std::ffi::OsStr) -> bool {
    false
}

/// The path the kernel knows the open directory by now (`F_GETPATH`): its
/// real path, no link in it. Unlike Linux's `/proc/<pid>/fd/<n>` it is
/// resolved again by whoever uses it, so a rename of the directory or of
/// a parent after this call is not followed; the caller checks that it
/// leads to the held directory when it asks.
pub fn anchor(dir: BorrowedFd<'_>) -> Option<PathBuf> {
    let path = rustix::fs::getpath(dir).ok()?;
    Some(PathBuf::from(std::ffi::OsString::from_vec(
        path.into_bytes(),
    )))
}
