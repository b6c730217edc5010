//! Advisory locks (`flock`) on an open file: taken at once or not at all,
//! or waited for until they come or pyvenv is interrupted.
//!
//! `flock` is what marks a live run here because it belongs to an open
//! file, not to a process id: it works across pid namespaces (two
//! containers sharing a volume), on NFS (where Linux maps it to a lock the
//! server keeps), and it is released by the kernel however the holder
//! ends, SIGKILL included.

use std::fs::File;
use std::os::fd::AsFd;
use std::path::Path;

use rustix::fs::{FlockOperation, flock};
use rustix::io::Errno;

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
    let op = match kind {
        Kind::Shared => FlockOperation::NonBlockingLockShared,
        Kind::Exclusive => FlockOperation::NonBlockingLockExclusive,
    };
    match flock(file.as_fd(), op) {
        Ok(()) => Ok(true),
        Err(Errno::WOULDBLOCK) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Waits for the lock on `file` (`path` names it in an error). A signal
/// that stops pyvenv ends the wait at once with [`Error::Interrupted`]; any
/// other interruption resumes it.
pub fn wait(file: &File, kind: Kind, path: &Path) -> Result<()> {
    let op = match kind {
        Kind::Shared => FlockOperation::LockShared,
        Kind::Exclusive => FlockOperation::LockExclusive,
    };
    loop {
        interrupt::check()?;
        match flock(file.as_fd(), op) {
            Ok(()) => return Ok(()),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(Error::io("lock", path)(e.into())),
        }
    }
}
