//! What Windows says about a file, in the words `meta.rs` uses on POSIX.
//!
//! Windows has no permission bits, owner uid, inode change time or umask
//! in a file's metadata (std's file index is still unstable), so:
//!
//! - [`mode`] is `0o444` for a read-only file, `0o666` otherwise (plus
//!   `0o111` for a directory), as Python's `os.stat` reports it there, and
//!   [`set_mode`] sets or clears the read-only attribute, as `os.chmod` does;
//! - [`owner`] is 0 and [`inode`] is `(0, 0)`: they are only ever compared
//!   by the caches, which are never trusted on Windows (`trust.rs`), so no
//!   decision rests on them; identity is asked of the handles instead
//!   ([`same_file`], [`same_entry`], [`file_id`]);
//! - the umask is 0.

use std::fs::{self, DirBuilder, File, Metadata, OpenOptions};
use std::io;
use std::os::windows::fs::{MetadataExt, OpenOptionsExt};
use std::os::windows::io::AsRawHandle;
use std::path::Path;

use windows_sys::Win32::Storage::FileSystem::{
    BY_HANDLE_FILE_INFORMATION, FILE_ATTRIBUTE_REPARSE_POINT, FILE_FLAG_BACKUP_SEMANTICS,
    FILE_FLAG_OPEN_REPARSE_POINT, GetFileInformationByHandle,
};

/// What a cache compares to tell whether a file is still the one it saw.
pub type Identity = (u64, i64, i64, i64, i64, u64, u64);

/// `meta`'s [`Identity`] (see the module's text for what is 0).
pub fn identity(meta: &Metadata) -> Identity {
    let ((mtime, mtime_ns), (ctime, ctime_ns)) = (mtime(meta), ctime(meta));
    let (dev, ino) = inode(meta);
    (meta.len(), mtime, mtime_ns, ctime, ctime_ns, ino, dev)
}

/// 100-nanosecond ticks since 1601 as seconds and nanoseconds since 1970.
fn unix_time(ticks: u64) -> (i64, i64) {
    const EPOCH_DIFFERENCE: i64 = 11_644_473_600;
    let ticks = i64::try_from(ticks).unwrap_or(i64::MAX);
    (
        ticks.div_euclid(10_000_000) - EPOCH_DIFFERENCE,
        ticks.rem_euclid(10_000_000) * 100,
    )
}

/// The modification time, seconds and nanoseconds since the epoch.
pub fn mtime(meta: &Metadata) -> (i64, i64) {
    unix_time(meta.last_write_time())
}

/// The creation time, which stands in for the inode change time.
pub fn ctime(meta: &Metadata) -> (i64, i64) {
    unix_time(meta.creation_time())
}

/// Always `(0, 0)`: see the module's text.
pub fn inode(_meta: &Metadata) -> (u64, u64) {
    (0, 0)
}

/// The permission bits as Python's `os.stat` makes them up on Windows.
pub fn mode(meta: &Metadata) -> u32 {
    let base = if meta.permissions().readonly() {
        0o444
    } else {
        0o666
    };
    if meta.is_dir() { base | 0o111 } else { base }
}

/// Always 0: see the module's text.
pub fn owner(_meta: &Metadata) -> u32 {
    0
}

/// Whether `path` is a regular file (Windows runs any file it is asked
/// to; whether it is a program is the extension's business).
pub fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Whether `path` is an app execution alias: an empty reparse point,
/// which runs a packaged app (or, for `python.exe` with no Python from
/// the Microsoft Store installed, opens the Store) rather than being one.
pub fn is_app_execution_alias(path: &Path) -> bool {
    fs::symlink_metadata(path)
        .is_ok_and(|m| m.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0 && m.len() == 0)
}

/// The volume serial number and file index of an open file: what names
/// one file on Windows, as device and inode do on POSIX.
pub fn file_id(file: &File) -> io::Result<(u64, u64)> {
    // SAFETY: plain data, filled by the call below.
    let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: the handle is open for the life of `file`; `info` is valid.
    if unsafe { GetFileInformationByHandle(file.as_raw_handle(), &mut info) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let index = (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow);
    Ok((u64::from(info.dwVolumeSerialNumber), index))
}

/// Opens `path` (a file or a directory) only to ask about it; a link at
/// the end is followed unless `follow` is false.
pub fn open_for_metadata(path: &Path, follow: bool) -> io::Result<File> {
    let flags = if follow {
        FILE_FLAG_BACKUP_SEMANTICS
    } else {
        FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT
    };
    OpenOptions::new()
        .access_mode(0)
        .custom_flags(flags)
        .open(path)
}

/// Whether `a` and `b` both resolve to one existing file or directory.
pub fn same_entry(a: &Path, b: &Path) -> bool {
    let id = |p: &Path| open_for_metadata(p, true).and_then(|f| file_id(&f));
    matches!((id(a), id(b)), (Ok(a), Ok(b)) if a == b)
}

/// Whether `a` and `b` both resolve to one existing regular file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    fs::metadata(a).is_ok_and(|m| m.is_file()) && same_entry(a, b)
}

/// Sets the read-only attribute when `mode` lets no one write, clears it
/// otherwise, as Python's `os.chmod` does on Windows.
pub fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    let mut permissions = file.metadata()?.permissions();
    permissions.set_readonly(mode & 0o222 == 0);
    file.set_permissions(permissions)
}

/// [`set_mode`] for the file at `path`.
pub fn set_mode_of(path: &Path, mode: u32) -> io::Result<()> {
    let mut permissions = fs::metadata(path)?.permissions();
    permissions.set_readonly(mode & 0o222 == 0);
    fs::set_permissions(path, permissions)
}

/// `options` as they are: Windows takes no mode at creation.
pub fn with_mode(options: &mut OpenOptions, _mode: u32) -> &mut OpenOptions {
    options
}

/// `options` opening a link at the final component itself, never what
/// it points to (`FILE_FLAG_OPEN_REPARSE_POINT`).
pub fn not_through_a_link(options: &mut OpenOptions) -> &mut OpenOptions {
    options.custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
}

/// A directory builder; a new directory inherits its parent's ACL.
pub fn private_dir_builder() -> DirBuilder {
    DirBuilder::new()
}

/// Always 0: Windows has no umask.
pub fn umask() -> u32 {
    0
}

/// Makes `link` a symlink holding `target`: a directory link if `target`
/// is a directory, a file link otherwise (Windows tells them apart).
pub fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    let resolved = link
        .parent()
        .map_or(target.to_path_buf(), |p| p.join(target));
    if resolved.is_dir() {
        std::os::windows::fs::symlink_dir(target, link)
    } else {
        std::os::windows::fs::symlink_file(target, link)
    }
}
