//! Copying a file's data on Windows: no clone (ReFS block cloning is left
//! for later), a plain copy, and the copy's mtime through std.

use std::fs::{File, FileTimes};
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Never: cloning is not implemented on Windows, so it is never tried.
pub fn may_clone(_path: &Path) -> bool {
    false
}

/// Refused, as [`refused`] recognises, should it ever be asked.
pub fn clone(_from: &File, _to: &File) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
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

/// Copies the data of `from` into `to`.
pub fn copy_range(mut from: &File, mut to: &File, _size: u64) -> io::Result<()> {
    io::copy(&mut from, &mut to).map(|_| ())
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
