//! Locks on an open file on Windows (`LockFileEx`, through std's
//! `File::lock`): taken at once or not at all, or waited for until they
//! come or pyvenv is interrupted.
//!
//! As `flock` on POSIX, the lock belongs to the open file and the system
//! releases it however the holder ends. Unlike `flock` it is mandatory:
//! another process cannot read a locked byte range, which does not matter
//! here, since pyvenv's lock files hold nothing.

use std::fs::{File, TryLockError};
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::os::interrupt;

/// Shared (many holders) or exclusive (one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any number of shared holders at once.
    Shared,
    /// One holder, and no shared one.
    Exclusive,
}

/// Takes the lock on `file` if no one else holds it; `Ok(false)` when
/// someone does.
pub fn try_lock(file: &File, kind: Kind) -> std::io::Result<bool> {
    let taken = match kind {
        Kind::Shared => file.try_lock_shared(),
        Kind::Exclusive => file.try_lock(),
    };
    match taken {
        Ok(()) => Ok(true),
        Err(TryLockError::WouldBlock) => Ok(false),
        Err(TryLockError::Error(e)) => Err(e),
    }
}

/// Waits for the lock on `file` (`path` names it in an error). Ctrl-C or a
/// closed console ends the wait with [`Error::Interrupted`]: a blocking
/// `LockFileEx` cannot be interrupted, so the lock is asked for again
/// every few milliseconds instead.
pub fn wait(file: &File, kind: Kind, path: &Path) -> Result<()> {
    let mut pause = Duration::from_millis(1);
    loop {
        interrupt::check()?;
        if try_lock(file, kind).map_err(Error::io("lock", path))? {
            return Ok(());
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exclusive_lock_keeps_others_out_until_released() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("lock");
        let first = File::create(&path).unwrap();
        let second = File::options().write(true).open(&path).unwrap();
        assert!(try_lock(&first, Kind::Exclusive).unwrap());
        assert!(!try_lock(&second, Kind::Shared).unwrap());
        drop(first);
        assert!(try_lock(&second, Kind::Shared).unwrap());
        let third = File::options().write(true).open(&path).unwrap();
        assert!(
            wait(&third, Kind::Shared, &path).is_ok(),
            "shared locks coexist"
        );
    }
}
