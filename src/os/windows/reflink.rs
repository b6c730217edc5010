//! Copying a file's data on Windows: no clone (ReFS block cloning is left
//! for later), a plain copy, and the copy's mtime through std. The same
//! interface as the POSIX `reflink.rs`.

use std::fs::{File, FileTimes, OpenOptions};
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::os::meta;

/// Never: cloning is not implemented on Windows, so it is never tried.
pub fn may_clone(_path: &Path) -> bool {
    false
}

/// Refused, as [`refused`] recognises, should it ever be asked.
pub fn clone_new(_src: &File, _dst: &Path, _mode: u32) -> io::Result<File> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Copies the data of `from` into `to`.
pub fn copy(mut from: &File, mut to: &File, _size: u64) -> io::Result<()> {
    io::copy(&mut from, &mut to).map(|_| ())
}

/// The filesystem cannot do this kind of link here: not supported, another
/// volume, too many links.
pub fn refused(e: &io::Error) -> bool {
    const ERROR_INVALID_FUNCTION: i32 = 1;
    const ERROR_NOT_SAME_DEVICE: i32 = 17;
    const ERROR_NOT_SUPPORTED: i32 = 50;
    const ERROR_TOO_MANY_LINKS: i32 = 1142;
    e.kind() == io::ErrorKind::Unsupported
        || matches!(
            e.raw_os_error(),
            Some(
                ERROR_INVALID_FUNCTION
                    | ERROR_NOT_SAME_DEVICE
                    | ERROR_NOT_SUPPORTED
                    | ERROR_TOO_MANY_LINKS
            )
        )
}

/// Opens `path` for reading, failing if it is a link (a reparse point).
pub fn open_no_follow(path: &Path) -> io::Result<File> {
    meta::not_through_a_link(OpenOptions::new().read(true)).open(path)
}

/// Creates the new file `dst` for writing with `mode`'s read-only bit:
/// never through a link, never over anything there.
pub fn create_new(dst: &Path, mode: u32) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    meta::with_mode(&mut options, mode).open(dst)
}

/// Sets `file`'s mtime to `(seconds, nanoseconds)` since the epoch.
pub fn set_mtime(file: &File, (secs, nanos): (i64, i64)) -> io::Result<()> {
    let since = Duration::new(
        u64::try_from(secs).unwrap_or(0),
        u32::try_from(nanos).unwrap_or(0),
    );
    let when = SystemTime::UNIX_EPOCH + since;
    file.set_times(FileTimes::new().set_modified(when))
}
