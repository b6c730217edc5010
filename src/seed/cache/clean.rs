//! `--cache-clean`, and the lock that keeps it from emptying the cache
//! under a pyvenv that is linking from it.
//!
//! Every run that uses the cache holds a shared `flock` on `<cache>/.lock`
//! for as long as it runs; `--cache-clean` takes it exclusively, so it
//! waits for those runs to end and no run starts while it empties. Only
//! what pyvenv itself puts in a cache directory is removed (its versioned
//! subdirectories and their leftovers), so a `--cache-dir` pointed at the
//! wrong place loses nothing else.

use std::fs;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use rustix::fs::{FlockOperation, flock};

use crate::error::{Error, Result};
use crate::report::Reporter;

/// The lock file's name inside the cache directory.
const LOCK: &str = ".lock";

/// Names pyvenv gives what it keeps in its cache directory: the versioned
/// stores (`wheels-v1`, `interpreters-v1`) and temporary or set-aside
/// directories beside them.
fn is_pyvenvs(name: &str) -> bool {
    let versioned = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
    };
    versioned("wheels-v")
        || versioned("interpreters-v")
        || name.starts_with(".tmp-")
        || name.starts_with(".trash-")
}

/// A held lock on a cache directory, released when dropped (the file is
/// closed).
#[derive(Debug)]
pub struct CacheLock {
    _file: fs::File,
}

impl CacheLock {
    /// A shared lock, for a run that reads and fills the cache. `None` when
    /// the cache directory cannot hold one: such a cache is not usable
    /// anyway, and that only costs speed.
    pub fn shared(cache: &Path) -> Option<CacheLock> {
        let file = open_lock(cache).ok()?;
        flock(file.as_fd(), FlockOperation::LockShared).ok()?;
        Some(CacheLock { _file: file })
    }

    /// The exclusive lock `--cache-clean` empties under, waiting (and saying
    /// so unless `-q`) while other runs hold it.
    fn exclusive(cache: &Path, report: &Reporter) -> Result<CacheLock> {
        let path = cache.join(LOCK);
        let file = open_lock(cache).map_err(Error::io("open", &path))?;
        if flock(file.as_fd(), FlockOperation::NonBlockingLockExclusive).is_err() {
            report.warn(format_args!(
                "another pyvenv is using the cache {}; waiting for it to finish",
                cache.display()
            ));
            crate::os::lock::wait(&file, crate::os::lock::Kind::Exclusive, &path)?;
        }
        Ok(CacheLock { _file: file })
    }
}

fn open_lock(cache: &Path) -> std::io::Result<fs::File> {
    fs::create_dir_all(cache)?;
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(cache.join(LOCK))
}

/// Empties the cache directory `cache` of everything pyvenv put there and
/// returns what was removed. Anything else found there is left alone, with
/// a warning.
pub fn clean(cache: &Path, report: &Reporter) -> Result<Vec<PathBuf>> {
    if !cache.is_dir() {
        report.info(format_args!("cache: {} (nothing there)", cache.display()));
        return Ok(Vec::new());
    }
    let _lock = CacheLock::exclusive(cache, report)?;
    let items = fs::read_dir(cache).map_err(Error::io("read directory", cache))?;
    let mut removed = Vec::new();
    for item in items {
        let item = item.map_err(Error::io("read directory", cache))?;
        let name = item.file_name();
        let path = item.path();
        match name.to_str() {
            Some(LOCK) => {}
            Some(name) if is_pyvenvs(name) => {
                // remove_dir_all removes symlinks, never what they point to,
                // so nothing outside the cache directory is touched.
                let kind = fs::symlink_metadata(&path).map_err(Error::io("inspect", &path))?;
                if kind.is_dir() {
                    fs::remove_dir_all(&path).map_err(Error::io("remove", &path))?;
                } else {
                    fs::remove_file(&path).map_err(Error::io("remove", &path))?;
                }
                report.info(format_args!("removed {}", path.display()));
                removed.push(path);
            }
            _ => report.warn(format_args!(
                "left {} alone: pyvenv did not put it in the cache",
                path.display()
            )),
        }
    }
    Ok(removed)
}
