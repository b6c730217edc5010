//! macOS: `fclonefileat`, which makes the clone itself (APFS has clones,
//! HFS+ answers ENOTSUP), and a plain copy.

use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::path::Path;

use rustix::fs::{CWD, CloneFlags};

/// Any filesystem may: a refusal costs one call, after which the caller
/// stops asking.
pub fn may_clone(_path: &Path) -> bool {
    true
}

/// Creates the new file `dst` (`fclonefileat` fails with EEXIST if
/// anything, a link included, is there) with `src`'s data shared, not
/// copied; returned open (for reading, which is enough to set its mode and
/// times, and works whatever mode the clone took from `src`).
pub fn clone_new(src: &File, dst: &Path, _mode: u32) -> io::Result<File> {
    rustix::fs::fclonefileat(src.as_fd(), CWD, dst, CloneFlags::empty())?;
    super::open_no_follow(dst)
}

/// Copies `size` bytes from `from` to `to`.
pub fn copy(mut from: &File, mut to: &File, _size: u64) -> io::Result<()> {
    io::copy(&mut from, &mut to).map(|_| ())
}
