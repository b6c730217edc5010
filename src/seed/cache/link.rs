//! Placing a file from the wheel cache into an environment: a reflink
//! (copy-on-write clone, [`crate::os::reflink`]) where the filesystem has
//! it, else a hardlink, else a copy, as `--link-mode` allows.
//!
//! Root never hardlinks unless told to (`--link-mode hardlink`): a file
//! that is the cache's inode would follow a later `chown -R app env` and
//! hand `app` the cache, and through it every environment root makes. A
//! user's own `chown` needs root, so a user's runs keep hardlinks, the
//! fastest placement; a cache file whose owner or mode changed fails its
//! stamp and is replaced. Clones and copies keep the source's mtime (a
//! `.pyc` records its `.py`'s) and get the mode the environment wants.
//!
//! The first method that the filesystem refuses is not tried again for the
//! rest of the run, so an ext4 machine pays for one failed clone, not
//! one per file. A file already at the destination is replaced, never
//! written through: it may itself be a hardlink into the cache. A clone or
//! a copy keeps the source's mtime, as a hardlink does: the `.pyc` beside a
//! module was compiled against it.

use std::fs::{self, File};
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::os::trust::PrivateDir;
use crate::os::{meta, reflink};
use crate::plan::options::LinkMode;
use crate::seed::cache::FileStamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Clone = 0,
    Hardlink = 1,
    Copy = 2,
}

impl Method {
    fn from_u8(n: u8) -> Method {
        match n {
            0 => Method::Clone,
            1 => Method::Hardlink,
            _ => Method::Copy,
        }
    }
}

/// Places files by the best method `mode` allows and the filesystem takes;
/// shared by the threads that place one wheel's files.
#[derive(Debug)]
pub struct Linker {
    mode: LinkMode,
    method: AtomicU8,
}

impl Linker {
    /// A linker for `mode`, placing files from below `source` (if known: a
    /// filesystem known to have no reflinks is not asked for one).
    /// `shares`: whether `auto` may fall back to hardlinks (not for root).
    pub fn new(mode: LinkMode, source: Option<&Path>, shares: bool) -> Linker {
        let clones = source.is_none_or(reflink::may_clone);
        let mode = match mode {
            LinkMode::Auto if !shares => LinkMode::Clone,
            mode => mode,
        };
        let method = match mode {
            LinkMode::Auto if clones => Method::Clone,
            LinkMode::Auto | LinkMode::Hardlink => Method::Hardlink,
            LinkMode::Clone if clones => Method::Clone,
            LinkMode::Clone | LinkMode::Copy => Method::Copy,
        };
        Linker {
            mode,
            method: AtomicU8::new(method as u8),
        }
    }

    /// Whether files placed so far may share their data with the cache.
    pub fn shares_files(&self) -> bool {
        self.method() == Method::Hardlink
    }

    /// Makes `dst` a file with the content of the file at `src` below the
    /// held directory `from` (as `stamp` describes it: its size and mtime)
    /// and the permission bits `mode`; a hardlink only where `src` has that
    /// mode already. `src` is reached from `from`'s handle, never by a path
    /// from the root: one lookup less per file than through its `/proc`
    /// name.
    pub fn place(
        &self,
        (from, src): (&PrivateDir, &Path),
        dst: &Path,
        mode: u32,
        stamp: &FileStamp,
    ) -> io::Result<()> {
        let mut replaced = false;
        loop {
            let method = match self.method() {
                Method::Hardlink if mode != stamp.mode => Method::Copy,
                method => method,
            };
            let result = match method {
                Method::Clone => duplicate(from.open_below(src)?, dst, mode, stamp, true),
                Method::Hardlink => from.link_below(src, dst),
                Method::Copy => duplicate(from.open_below(src)?, dst, mode, stamp, false),
            };
            match result {
                Ok(()) => return Ok(()),
                // Something is in the way (pip replaces it too); once.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && !replaced => {
                    fs::remove_file(dst)?;
                    replaced = true;
                }
                Err(e) if method != Method::Copy && reflink::refused(&e) => {
                    self.method
                        .store(self.fallback(method) as u8, Ordering::Relaxed);
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn method(&self) -> Method {
        Method::from_u8(self.method.load(Ordering::Relaxed))
    }

    fn fallback(&self, failed: Method) -> Method {
        match (failed, self.mode) {
            (Method::Clone, LinkMode::Auto) => Method::Hardlink,
            _ => Method::Copy,
        }
    }
}

/// A new file at `dst` (never through a link there): a clone of `from`
/// (`clone`) or a copy, with `mode` (which the umask does not narrow) and
/// the mtime `stamp` recorded, which is `from`'s.
fn duplicate(from: File, dst: &Path, mode: u32, stamp: &FileStamp, clone: bool) -> io::Result<()> {
    let to = if clone {
        reflink::clone_new(&from, dst, mode)?
    } else {
        reflink::create_new(dst, mode)?
    };
    let filled = if clone {
        Ok(())
    } else {
        reflink::copy(&from, &to, stamp.size)
    };
    let done = filled.and_then(|()| {
        meta::set_mode(&to, mode)?;
        reflink::set_mtime(&to, stamp.mtime)
    });
    if done.is_err() {
        drop(to);
        let _ = fs::remove_file(dst);
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os::trust;
    use std::path::PathBuf;

    /// `src` placed at `dst` (a file in the way) by `mode`; `None` where
    /// pyvenv keeps no cache (Windows, for now), so never places from one.
    fn placed(
        mode: LinkMode,
        shares: bool,
        wanted: u32,
    ) -> Option<(tempfile::TempDir, PathBuf, PathBuf)> {
        if !trust::SUPPORTED {
            eprintln!("SKIPPED: no cache is kept on this platform, so nothing links from one");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        let dst = dir.path().join("dst");
        fs::write(&src, b"content").unwrap();
        meta::set_mode_of(&src, 0o644).unwrap();
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30);
        File::options()
            .write(true)
            .open(&src)
            .unwrap()
            .set_modified(old)
            .unwrap();
        fs::write(&dst, b"in the way").unwrap();
        let stamp = FileStamp::of(&fs::metadata(&src).unwrap());
        let held = PrivateDir::open(dir.path(), false).unwrap();
        Linker::new(mode, None, shares)
            .place((&held, Path::new("src")), &dst, wanted, &stamp)
            .unwrap();
        assert_eq!(fs::read(&dst).unwrap(), b"content");
        let (a, b) = (fs::metadata(&src).unwrap(), fs::metadata(&dst).unwrap());
        assert_eq!(
            a.modified().unwrap(),
            b.modified().unwrap(),
            "the mtime is kept"
        );
        assert_eq!(meta::mode(&b), wanted);
        Some((dir, src, dst))
    }

    fn linked(mode: LinkMode) -> Option<(tempfile::TempDir, PathBuf, PathBuf)> {
        placed(mode, true, 0o644)
    }

    #[test]
    fn auto_never_shares_the_inode_when_sharing_is_not_allowed() {
        let Some((_dir, src, dst)) = placed(LinkMode::Auto, false, 0o644) else {
            return;
        };
        assert!(!meta::same_file(&src, &dst));
    }

    #[test]
    fn a_file_wanted_with_another_mode_is_copied_with_that_mode() {
        let Some((_dir, src, dst)) = placed(LinkMode::Hardlink, true, 0o664) else {
            return;
        };
        assert!(!meta::same_file(&src, &dst));
        let src_mode = meta::mode(&fs::metadata(&src).unwrap());
        assert_eq!(src_mode, 0o644, "the cache's file is unchanged");
    }

    #[test]
    fn copy_mode_never_shares_the_inode() {
        let Some((_dir, src, dst)) = linked(LinkMode::Copy) else {
            return;
        };
        assert!(!meta::same_file(&src, &dst));
    }

    #[test]
    fn clones_and_copies_keep_the_mtime_bytecode_was_compiled_against() {
        for mode in [LinkMode::Copy, LinkMode::Clone] {
            let Some((_dir, src, dst)) = placed(mode, false, 0o644) else {
                return;
            };
            assert_eq!(
                fs::metadata(&src).unwrap().modified().unwrap(),
                fs::metadata(&dst).unwrap().modified().unwrap(),
                "{mode:?}: to the nanosecond"
            );
        }
    }

    #[test]
    fn hardlink_mode_shares_the_inode() {
        let Some((_dir, src, dst)) = linked(LinkMode::Hardlink) else {
            return;
        };
        assert!(meta::same_file(&src, &dst));
    }

    #[test]
    fn clone_mode_never_shares_the_inode() {
        // A clone is a new inode even where the filesystem shares blocks.
        let Some((_dir, src, dst)) = linked(LinkMode::Clone) else {
            return;
        };
        assert!(!meta::same_file(&src, &dst));
    }
}
