//! Linux: statx's mount-root mark, and
//! `/proc/<pid>/fd/<n>` as the path of a held directory.

use std::os::fd::{AsRawFd, BorrowedFd};
use std::path::PathBuf;

use rustix::fs::{self as rfs, AtFlags};

/// Why a held directory has no path a child can follow to it.
pub const NO_ANCHOR: &str = "/proc is not mounted, so it cannot be held safely";

/// Whether the entry `name` in `dir` is the root of a mount (a bind mount
/// of the same filesystem included): statx's `STATX_ATTR_MOUNT_ROOT`.
/// Without statx (before Linux 4.11), `false`: the device number alone
/// then decides.
pub fn is_mount_root(dir: BorrowedFd<'_>, name: &std::ffi::OsStr) -> bool {
    let statx = rfs::statx(
        dir,
        name,
        AtFlags::SYMLINK_NOFOLLOW,
        rfs::StatxFlags::BASIC_STATS,
    );
    match statx {
        Ok(x) => {
            x.stx_attributes_mask
                .contains(rfs::StatxAttributes::MOUNT_ROOT)
                && x.stx_attributes.contains(rfs::StatxAttributes::MOUNT_ROOT)
        }
        Err(_) => false,
    }
}

/// `/proc/<pid>/fd/<n>`: the kernel resolves it to the open directory
/// itself, whatever is renamed or swapped meanwhile, and pyvenv's children
/// can follow it too (`/proc/self` would name the child).
pub fn anchor(dir: BorrowedFd<'_>) -> Option<PathBuf> {
    Some(PathBuf::from(format!(
        "/proc/{}/fd/{}",
        std::process::id(),
        dir.as_raw_fd()
    )))
}
