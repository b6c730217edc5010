//! All or nothing for a new environment: build it in a staging directory
//! beside the target, then rename it into place in one step.
//!
//! Whatever stops the build (an error, SIGINT, SIGTERM, SIGKILL, a full
//! disk), the target either does not exist or is complete: a rename is
//! atomic, and nothing is ever written at the target's own path before it.
//! The staging directory's name carries the builder's pid, so a later run
//! in the same parent can tell a dead run's leftovers from a live one's and
//! sweep them away. Parent directories this run created are removed again
//! if the build fails, so a failed run leaves no new directory behind.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::os::disk;
use crate::os::interrupt;
use crate::plan::layout::Layout;

const PREFIX: &str = ".pyvenv-stage-";

/// Builds `layout`'s new environment with `build` in a staging directory,
/// then moves it into place.
pub fn create_new(layout: &Layout, build: impl FnOnce(&Layout) -> Result<()>) -> Result<()> {
    let target = &layout.env_dir;
    let parent = target
        .parent()
        .ok_or_else(|| Error::NotADirectory(target.clone()))?;
    let made_parents = make_parents(parent)?;
    let result = (|| {
        sweep_leftovers(parent);
        let stage_at = stage_path(parent);
        let stage = Stage::create(&stage_at).map_err(|e| e.relocated(&stage_at, target))?;
        build(&layout.staged_at(&stage.path)).map_err(|e| e.relocated(&stage.path, target))?;
        interrupt::check()?;
        stage.commit(target)
    })();
    if result.is_err() {
        for dir in made_parents.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
    }
    result
}

/// Creates the missing ancestors of `dir` (and `dir`), outermost first, and
/// returns the ones it created.
fn make_parents(dir: &Path) -> Result<Vec<PathBuf>> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|a| fs::symlink_metadata(a).is_err())
        .collect();
    let mut made = Vec::new();
    for path in missing.into_iter().rev() {
        match fs::create_dir(path) {
            Ok(()) => made.push(path.to_path_buf()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                for dir in made.iter().rev() {
                    let _ = fs::remove_dir(dir);
                }
                return Err(match e.kind() {
                    io::ErrorKind::NotADirectory => {
                        Error::NotADirectory(disk::first_non_dir_ancestor(path))
                    }
                    _ => Error::Io {
                        op: "create directory",
                        path: path.to_path_buf(),
                        source: e,
                    },
                });
            }
        }
    }
    if !dir.is_dir() {
        return Err(Error::NotADirectory(disk::first_non_dir_ancestor(dir)));
    }
    Ok(made)
}

/// Removes staging directories left in `parent` by runs that no longer
/// exist (killed with SIGKILL, or by a power cut). Best effort: a leftover
/// that cannot be removed harms nothing but disk space.
fn sweep_leftovers(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = stage_owner(&name) else {
            continue;
        };
        if !process_exists(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The pid in a staging directory's name, if `name` is exactly one of
/// pyvenv's (`.pyvenv-stage-<pid>-<counter>`, both decimal): a directory
/// someone else named alike is not pyvenv's to sweep.
fn stage_owner(name: &std::ffi::OsStr) -> Option<i32> {
    let rest = name.as_bytes().strip_prefix(PREFIX.as_bytes())?;
    let decimal = |part: &[u8]| {
        let canonical = !part.is_empty()
            && part.iter().all(u8::is_ascii_digit)
            && (part == b"0" || part[0] != b'0');
        canonical.then(|| std::str::from_utf8(part).ok()?.parse::<u32>().ok())?
    };
    let mut parts = rest.split(|&b| b == b'-');
    let (pid, counter) = (parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    decimal(counter)?;
    i32::try_from(decimal(pid)?).ok()
}

fn process_exists(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 only checks whether the process exists.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    alive || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// The next staging directory's path in `parent`:
/// `.pyvenv-stage-<pid>-<counter>`.
fn stage_path(parent: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut name = OsString::from(PREFIX);
    name.push(format!(
        "{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    parent.join(name)
}

/// A staging directory, removed when dropped unless committed.
struct Stage {
    path: PathBuf,
    committed: bool,
}

impl Stage {
    fn create(path: &Path) -> Result<Stage> {
        let path = path.to_path_buf();
        fs::create_dir(&path).map_err(Error::io("create directory", &path))?;
        Ok(Stage {
            path,
            committed: false,
        })
    }

    /// Moves the staging directory to `target`, unless something is there.
    fn commit(mut self, target: &Path) -> Result<()> {
        rename_no_replace(&self.path, target).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists || e.raw_os_error() == Some(libc::ENOTEMPTY)
            {
                Error::LostRace(target.to_path_buf())
            } else {
                Error::Io {
                    op: "move the finished environment to",
                    path: target.to_path_buf(),
                    source: e,
                }
            }
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// `rename`, failing with `AlreadyExists` rather than replacing an empty
/// directory another process made at `to` in the meantime.
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    use std::ffi::CString;
    let from_c = CString::new(from.as_os_str().as_bytes())?;
    let to_c = CString::new(to.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them
    // like rename(2) does.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from_c.as_ptr(),
            libc::AT_FDCWD,
            to_c.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        // A filesystem without RENAME_NOREPLACE: check, then rename (a
        // non-empty directory at `to` still makes rename fail).
        Some(libc::EINVAL) | Some(libc::ENOSYS) => {
            if fs::symlink_metadata(to).is_ok() {
                return Err(io::Error::from(io::ErrorKind::AlreadyExists));
            }
            fs::rename(from, to)
        }
        _ => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_name_carries_its_owner() {
        assert_eq!(stage_owner(".pyvenv-stage-1234-0".as_ref()), Some(1234));
        assert_eq!(stage_owner(".pyvenv-stage-x-0".as_ref()), None);
        assert_eq!(stage_owner(".pyvenv-stage-999996".as_ref()), None);
        assert_eq!(stage_owner(".pyvenv-stage-12-3-4".as_ref()), None);
        assert_eq!(stage_owner(".pyvenv-stage-12-x".as_ref()), None);
        assert_eq!(stage_owner(".pyvenv-stage-012-3".as_ref()), None);
        assert_eq!(stage_owner("env".as_ref()), None);
    }

    #[test]
    fn leftovers_of_dead_runs_are_swept_and_live_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        // No pid is this large on Linux (pid_max is at most 2^22).
        let dead = tmp.path().join(".pyvenv-stage-999999999-0");
        let live = tmp
            .path()
            .join(format!(".pyvenv-stage-{}-7", std::process::id()));
        fs::create_dir_all(dead.join("bin")).unwrap();
        fs::create_dir(&live).unwrap();
        sweep_leftovers(tmp.path());
        assert!(!dead.exists());
        assert!(live.exists());
    }

    #[test]
    fn committing_onto_an_existing_directory_is_a_lost_race() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("env");
        fs::create_dir(&target).unwrap();
        let stage = Stage::create(&stage_path(tmp.path())).unwrap();
        let path = stage.path.clone();
        assert!(matches!(stage.commit(&target), Err(Error::LostRace(_))));
        assert!(!path.exists(), "the stage is removed when dropped");
    }
}
