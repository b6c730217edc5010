//! `--cache-clean`, and the lock that keeps it from emptying the cache
//! under a pyvenv that is linking from it.
//!
//! Every run that uses the cache holds a shared `flock` on `<cache>/.lock`
//! for as long as it runs; `--cache-clean` takes it exclusively, so it
//! waits for those runs to end and no run starts while it empties. Only
//! what pyvenv itself puts in a cache directory is removed (its versioned
//! subdirectories and their leftovers), so a `--cache-dir` pointed at the
//! wrong place loses nothing else.
//!
//! A cache is used only if the effective user alone controls it and what
//! pyvenv keeps in it ([`open_trusted`]); the lock file is opened only if
//! it is a regular file of theirs, so a FIFO or a link planted at `.lock`
//! can neither hang nor redirect the run.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::os::interrupt;
use crate::os::lock::{self, Kind};
use crate::os::trust::{Distrust, PrivateDir};
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
    /// A shared lock, for a run that reads and fills the cache. `Ok(None)`
    /// when the cache directory cannot hold one: such a cache is not usable
    /// anyway, and that only costs speed. Fails only when a signal ends
    /// the wait.
    pub fn shared(cache: &PrivateDir) -> Result<Option<CacheLock>> {
        let Ok(file) = cache.open_lock(LOCK) else {
            return Ok(None);
        };
        match lock::wait(&file, Kind::Shared, &cache.shown().join(LOCK)) {
            Ok(()) => Ok(Some(CacheLock { _file: file })),
            Err(_) => interrupt::check().map(|()| None),
        }
    }

    /// The exclusive lock `--cache-clean` empties under, waiting (and saying
    /// so unless `-q`) while other runs hold it.
    fn exclusive(cache: &PrivateDir, report: &Reporter) -> Result<CacheLock> {
        let path = cache.shown().join(LOCK);
        let file = cache.open_lock(LOCK).map_err(Error::io("open", &path))?;
        if !lock::try_lock(&file, Kind::Exclusive).unwrap_or(false) {
            report.warn(format_args!(
                "another pyvenv is using the cache {}; waiting for it to finish",
                cache.shown().display()
            ));
            lock::wait(&file, Kind::Exclusive, &path)?;
        }
        Ok(CacheLock { _file: file })
    }
}

/// The cache directory `path`, held open (made private when missing and
/// `create`), if the effective user alone controls it and what pyvenv
/// keeps in it: `.lock` and the versioned stores. Otherwise why not; a
/// cache is all or nothing, so one run never mixes trusted and untrusted
/// parts of it.
pub fn open_trusted(path: &Path, create: bool) -> std::result::Result<PrivateDir, Distrust> {
    let dir = PrivateDir::open(path, create)?;
    let trusted = |name: &str, is_dir: bool| {
        dir.check_item(name, is_dir)
            .map_err(|reason| Distrust::Inside {
                name: name.to_string(),
                reason: Box::new(reason),
            })
    };
    trusted(LOCK, false)?;
    for item in fs::read_dir(dir.path()).map_err(Distrust::Io)? {
        let name = item.map_err(Distrust::Io)?.file_name();
        if let Some(name) = name
            .to_str()
            .filter(|n| is_pyvenvs(n) && !n.starts_with('.'))
        {
            trusted(name, true)?;
        }
    }
    Ok(dir)
}

/// Empties the cache directory `cache` of everything pyvenv put there and
/// returns what was removed. Anything else found there is left alone, with
/// a warning. A cache the effective user does not alone control is not
/// touched.
pub fn clean(cache: &Path, report: &Reporter) -> Result<Vec<PathBuf>> {
    if !cache.is_dir() {
        report.info(format_args!("cache: {} (nothing there)", cache.display()));
        return Ok(Vec::new());
    }
    let held = PrivateDir::open(cache, false).map_err(|reason| Error::CacheUntrusted {
        path: cache.to_path_buf(),
        reason: reason.to_string(),
    })?;
    let _lock = CacheLock::exclusive(&held, report)?;
    let items = fs::read_dir(held.path()).map_err(Error::io("read directory", cache))?;
    let mut removed = Vec::new();
    for item in items {
        let item = item.map_err(Error::io("read directory", cache))?;
        let name = item.file_name();
        let path = cache.join(&name);
        let held_path = item.path();
        match name.to_str() {
            Some(LOCK) => {}
            Some(name) if is_pyvenvs(name) => {
                // remove_dir_all removes symlinks, never what they point to,
                // so nothing outside the cache directory is touched.
                let kind = fs::symlink_metadata(&held_path).map_err(Error::io("inspect", &path))?;
                if kind.is_dir() {
                    fs::remove_dir_all(&held_path).map_err(Error::io("remove", &path))?;
                } else {
                    fs::remove_file(&held_path).map_err(Error::io("remove", &path))?;
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
