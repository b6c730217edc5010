//! What the platforms say about a file in different words: permission
//! bits, owner, times, inode, the umask, and how to open a file without
//! following a link. Stages ask here instead of importing a platform's
//! `MetadataExt`.
//!
//! This is the POSIX implementation; `windows/meta.rs` is the Windows one.

use std::fs::{self, DirBuilder, File, Metadata, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// What a cache compares to tell whether a file is still the one it saw:
/// size, mtime and ctime (seconds, nanoseconds), inode and device.
pub type Identity = (u64, i64, i64, i64, i64, u64, u64);

/// `meta`'s [`Identity`].
pub fn identity(meta: &Metadata) -> Identity {
    let ((mtime, mtime_ns), (ctime, ctime_ns)) = (mtime(meta), ctime(meta));
    let (dev, ino) = inode(meta);
    (meta.len(), mtime, mtime_ns, ctime, ctime_ns, ino, dev)
}

/// The modification time, seconds and nanoseconds since the epoch.
pub fn mtime(meta: &Metadata) -> (i64, i64) {
    (meta.mtime(), meta.mtime_nsec())
}

/// The inode change time, seconds and nanoseconds since the epoch.
pub fn ctime(meta: &Metadata) -> (i64, i64) {
    (meta.ctime(), meta.ctime_nsec())
}

/// The device and inode numbers, which together name one file.
pub fn inode(meta: &Metadata) -> (u64, u64) {
    (meta.dev(), meta.ino())
}

/// The permission bits (with setuid, setgid and sticky).
pub fn mode(meta: &Metadata) -> u32 {
    meta.mode() & 0o7777
}

/// The owner's uid.
pub fn owner(meta: &Metadata) -> u32 {
    meta.uid()
}

/// Whether `path` is a regular file someone may execute.
pub fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Always false: app execution aliases are Windows' (see `windows/meta.rs`).
pub fn is_app_execution_alias(_path: &Path) -> bool {
    false
}

/// Whether `a` and `b` both resolve to one existing regular file (a
/// dangling link is the same as nothing). Only metadata is read.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.is_file() && inode(&a) == inode(&b),
        _ => false,
    }
}

/// Whether `a` and `b` both resolve to one existing file or directory.
pub fn same_entry(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => inode(&a) == inode(&b),
        _ => false,
    }
}

/// Gives the open `file` exactly the permission bits `mode`.
pub fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    file.set_permissions(fs::Permissions::from_mode(mode))
}

/// Gives the file at `path` exactly the permission bits `mode`.
pub fn set_mode_of(path: &Path, mode: u32) -> io::Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

/// `options` creating a file with the permission bits `mode` (the umask
/// narrows them).
pub fn with_mode(options: &mut OpenOptions, mode: u32) -> &mut OpenOptions {
    options.mode(mode)
}

/// `options` refusing a link at the final component (`O_NOFOLLOW`), and
/// never taking a terminal as the controlling one (`O_NOCTTY`).
pub fn not_through_a_link(options: &mut OpenOptions) -> &mut OpenOptions {
    options.custom_flags(libc::O_NOFOLLOW | libc::O_NOCTTY)
}

/// A builder of directories only their owner may enter (0700).
pub fn private_dir_builder() -> DirBuilder {
    let mut builder = DirBuilder::new();
    builder.mode(0o700);
    builder
}

/// The umask, which pip's file modes follow (read by setting it and
/// putting it back, the only way POSIX offers).
// `mode_t` is 32 bits on Linux and 16 on macOS.
#[allow(clippy::useless_conversion)]
pub fn umask() -> u32 {
    use rustix::fs::Mode;
    let mask = rustix::process::umask(Mode::empty());
    rustix::process::umask(mask);
    mask.bits().into()
}

/// Makes `link` a symlink holding `target`.
pub fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}
