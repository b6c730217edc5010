//! The cache of unpacked wheels, so a wheel is unzipped once and linked
//! into every environment after that.
//!
//! Layout, under `<cache>/wheels-v3/`:
//!
//! - `index/<sha256 of the wheel's path>`: the wheel's identity (size,
//!   mtime, ctime, inode, device) and the sha256 of its content, so a
//!   known wheel is not hashed again on every run;
//! - `<sha256 of the wheel>-u<umask>-<bytecode>/`: one entry per wheel
//!   content, umask (pip's file modes follow it) and bytecode (the
//!   interpreter's cache tag and magic number, the optimization level and
//!   the invalidation mode, [`Compiler::key`]): the files by scheme
//!   (`purelib/`, `scripts/`, ...) with the `__pycache__` files the target
//!   compiled from them (or had left for the same sources in its own
//!   `site-packages`), and `manifest`, the wheel's plan plus each file's
//!   size, mtime, inode and mode as they were when the entry was filled,
//!   behind a checksum. A `.pyc` stamped with its source's mtime stays
//!   valid because the source is checked unchanged before every placing.
//!
//! An entry is filled in a temporary directory beside it and renamed into
//! place, so any number of pyvenv processes can fill the same entry at
//! once: one rename wins and the others use its result. Before anything is
//! linked from an entry, every file is checked against the manifest; an
//! entry that fails the check (a hardlinked file edited in some
//! environment, a truncated file) is moved aside and filled afresh, so one
//! damaged file never spreads to new environments.
//!
//! Only what the effective user alone controls is used ([`PrivateDir`]):
//! the cache directory, held open for the run, `wheels-v3`, `index` and
//! each entry are opened without following a symlink and checked by owner
//! and mode; each file's stamp includes its owner, and a file group or
//! others may write is never linked from. Files are stored without group
//! or other write permission whatever the umask (the entry is named for
//! the umask it was stored under); an environment whose umask wants them
//! writable gets copies with that mode.

pub mod clean;
pub mod link;

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::os::checked::{checked_body, with_checksum};
use crate::os::trust::PrivateDir;
use crate::os::{FileFacts, disk, meta};
use crate::seed::bytecode::Compiler;
use crate::seed::wheel::{Scheme, WheelFile, WheelPlan};

/// Bumped whenever the entry format changes, so old entries are not read.
const FORMAT: &str = "wheels-v3";

/// What a cached file looked like when its entry was filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, seconds and nanoseconds.
    pub mtime: (i64, i64),
    /// Inode number.
    pub ino: u64,
    /// Permission bits.
    pub mode: u32,
    /// Owner: a file `chown`ed through a hardlink in some environment is
    /// no longer the cache's.
    pub uid: u32,
}

impl FileStamp {
    pub(crate) fn of(meta: &fs::Metadata) -> FileStamp {
        FileStamp::from(FileFacts::of(meta))
    }
}

impl From<FileFacts> for FileStamp {
    fn from(facts: FileFacts) -> FileStamp {
        let FileFacts {
            size,
            mtime,
            ino,
            mode,
            uid,
        } = facts;
        FileStamp {
            size,
            mtime,
            ino,
            mode,
            uid,
        }
    }
}

/// An entry's description of itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// What the wheel installs.
    pub plan: WheelPlan,
    /// One stamp per file of `plan.files`, in the same order.
    pub stamps: Vec<FileStamp>,
}

/// A filled, checked cache entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The entry's directory, named through its held handle.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// Its name in `wheels-v3`.
    name: String,
    /// The entry's directory, held open so `dir` stays this directory.
    held: PrivateDir,
}

impl Entry {
    /// Where the entry keeps the file of `scheme` at `path`.
    pub fn source(&self, scheme: Scheme, path: &str) -> PathBuf {
        self.dir.join(Entry::below(scheme, path))
    }

    /// The same, relative to the entry's held directory.
    pub fn below(scheme: Scheme, path: &str) -> PathBuf {
        Path::new(scheme.dir_name()).join(path)
    }

    /// The entry's directory, held open: files are reached from it.
    pub fn held(&self) -> &PrivateDir {
        &self.held
    }

    /// Whether file `index` of the plan is as it was when the entry was
    /// filled.
    fn is_intact(&self, index: usize) -> bool {
        self.manifest.plan.files.get(index).is_some_and(|file| {
            let below = Entry::below(file.scheme, &file.path);
            self.matches(index, self.held.private_file_below(&below))
        })
    }

    /// Whether `seen`, what was just read of file `index` below the held
    /// directory, is what the manifest recorded of it: checked before the
    /// file is placed.
    pub fn matches(&self, index: usize, seen: io::Result<Option<FileFacts>>) -> bool {
        matches!(
            (seen, self.manifest.stamps.get(index)),
            (Ok(Some(facts)), Some(stamp)) if FileStamp::from(facts) == *stamp
        )
    }

    /// Every file as the manifest recorded it?
    fn check(&self) -> bool {
        self.manifest.plan.files.len() == self.manifest.stamps.len()
            && (0..self.manifest.stamps.len()).all(|i| self.is_intact(i))
    }
}

/// The wheel cache below one cache directory.
#[derive(Debug, Clone)]
pub struct WheelCache {
    /// `wheels-v3`, held open.
    held: PrivateDir,
    /// The same, named through the handle.
    root: PathBuf,
    /// The umask files are stored under: the run's, with group and others
    /// never allowed to write.
    umask: u32,
    compiler: Option<Compiler>,
}

impl WheelCache {
    /// The cache under `cache_dir` (pyvenv's cache directory), for an
    /// environment made under `umask`, with the bytecode `compiler` makes
    /// (none without one); `None` when its directory cannot be made or is
    /// not the effective user's alone.
    pub fn open(
        cache_dir: &PrivateDir,
        umask: u32,
        compiler: Option<Compiler>,
    ) -> Option<WheelCache> {
        let held = cache_dir.subdir(FORMAT, true).ok()??;
        Some(WheelCache {
            root: held.path(),
            held,
            umask: umask | 0o022,
            compiler,
        })
    }

    /// The entry for `wheel`, filled first if it is missing or its manifest
    /// is damaged. Its files are checked one by one as they are linked
    /// ([`Entry::matches`]); [`WheelCache::refill`] replaces an entry
    /// that fails.
    pub fn entry(&self, wheel: &Path) -> Result<Entry> {
        let key = self.content_key(wheel)?;
        let bytecode = self
            .compiler
            .as_ref()
            .map_or_else(|| "none".to_string(), Compiler::key);
        let name = format!("{key}-u{:03o}-{bytecode}", self.umask);
        match self.load(&name) {
            Some(entry)
                if entry.manifest.plan.files.len() == entry.manifest.stamps.len()
                    && self.has_its_bytecode(&entry.manifest.plan) =>
            {
                Ok(entry)
            }
            _ => {
                let dir = self.root.join(&name);
                self.fill(wheel, &name, fs::symlink_metadata(&dir).is_ok())
            }
        }
    }

    /// Whether `plan` holds the bytecode this cache's compiler makes: an
    /// entry named for a compiler but holding no `.pyc` for its modules is
    /// incomplete (a compile that ran nowhere) and is filled again.
    fn has_its_bytecode(&self, plan: &WheelPlan) -> bool {
        let importable = |f: &&WheelFile| {
            matches!(f.scheme, Scheme::Purelib | Scheme::Platlib) && f.path.ends_with(".py")
        };
        self.compiler.is_none()
            || !plan.files.iter().any(|f| importable(&f))
            || plan.files.iter().any(|f| f.compiled)
    }

    /// Moves a damaged entry aside and fills it again.
    pub fn refill(&self, wheel: &Path, entry: &Entry) -> Result<Entry> {
        self.fill(wheel, &entry.name, true)
    }

    /// The sha256 of `wheel`'s content, from the index when the file is the
    /// one that was hashed before.
    fn content_key(&self, wheel: &Path) -> Result<String> {
        let meta = fs::metadata(wheel).map_err(Error::io("inspect", wheel))?;
        let (size, mtime, mtime_ns, ctime, ctime_ns, ino, dev) = meta::identity(&meta);
        let identity = format!("{size} {mtime} {mtime_ns} {ctime} {ctime_ns} {ino} {dev}");
        let path_text = wheel.to_string_lossy();
        let index = self.held.subdir("index", true).ok().flatten();
        let name = hex::encode(Sha256::digest(path_text.as_bytes()));
        let known = index.as_ref().and_then(|dir| dir.read(&name));
        if let Some(text) = known.as_deref().and_then(|b| std::str::from_utf8(b).ok()) {
            let mut lines = text.lines();
            if let (Some(path), Some(id), Some(key)) = (lines.next(), lines.next(), lines.next())
                && path == path_text
                && id == identity
                && key.len() == 64
                && key.bytes().all(|b| b.is_ascii_hexdigit())
            {
                return Ok(key.to_string());
            }
        }
        let key = hash_file(wheel)?;
        // The index only saves time: failing to write it costs nothing.
        if let Some(index) = index {
            let _ = index.write(
                &name,
                format!("{path_text}\n{identity}\n{key}\n").as_bytes(),
            );
        }
        Ok(key)
    }

    /// Fills the entry `name` for `wheel`; `replace`: an entry is there but
    /// damaged.
    fn fill(&self, wheel: &Path, name: &str, replace: bool) -> Result<Entry> {
        sweep(&self.root);
        let dir = &self.root.join(name);
        let tmp = disk::unique_sibling(dir, "tmp");
        meta::private_dir_builder()
            .create(&tmp)
            .map_err(Error::io("create directory", &tmp))?;
        let filled = self.unpack_into(wheel, &tmp);
        let manifest = match filled {
            Ok(manifest) => manifest,
            Err(e) => {
                let _ = fs::remove_dir_all(&tmp);
                return Err(e);
            }
        };
        // A damaged entry is moved aside first; a rename cannot replace a
        // directory that has files in it.
        let trash = disk::unique_sibling(dir, "trash");
        let moved_aside = replace && fs::rename(dir, &trash).is_ok();
        let renamed = fs::rename(&tmp, dir);
        if renamed.is_err() {
            // Another process filled it first: use theirs.
            let _ = fs::remove_dir_all(&tmp);
        }
        let result = match (renamed, self.held.subdir(name, false)) {
            (Ok(()), Ok(Some(held))) => Ok(Entry {
                dir: held.path(),
                manifest,
                name: name.to_string(),
                held,
            }),
            _ => match self.load(name) {
                Some(entry) if entry.check() => Ok(entry),
                _ => Err(Error::CacheUnusable {
                    path: self.held.shown().join(name),
                    reason: "another process left it incomplete".into(),
                }),
            },
        };
        if moved_aside {
            let _ = fs::remove_dir_all(&trash);
        }
        result
    }

    /// The entry `name`, if it is the effective user's alone and its
    /// manifest is there and intact.
    fn load(&self, name: &str) -> Option<Entry> {
        let held = self.held.subdir(name, false).ok()??;
        let data = held.read("manifest")?;
        let manifest: Manifest = serde_json::from_slice(checked_body(&data)?).ok()?;
        Some(Entry {
            dir: held.path(),
            manifest,
            name: name.to_string(),
            held,
        })
    }

    fn unpack_into(&self, wheel: &Path, tmp: &Path) -> Result<Manifest> {
        let (mut plan, mut zip) = WheelPlan::read(wheel)?;
        let root_of = |s: Scheme| tmp.join(s.dir_name());
        plan.unpack(&mut zip, wheel, &root_of, self.umask)?;
        if let Some(compiler) = &self.compiler {
            plan.compile(compiler, &root_of)?;
        }
        let mut stamps = Vec::with_capacity(plan.files.len());
        for file in &plan.files {
            let path = tmp.join(file.scheme.dir_name()).join(&file.path);
            let meta = fs::symlink_metadata(&path).map_err(Error::io("inspect", &path))?;
            stamps.push(FileStamp::of(&meta));
        }
        let manifest = Manifest { plan, stamps };
        let body = serde_json::to_vec(&manifest).map_err(|e| Error::CacheUnusable {
            path: tmp.to_path_buf(),
            reason: e.to_string(),
        })?;
        disk::write_file(&tmp.join("manifest"), &with_checksum(&body), Some(0o600))?;
        Ok(manifest)
    }
}

/// Removes what killed processes left behind: temporary and set-aside
/// entries older than an hour (a live fill takes well under a second).
fn sweep(root: &Path) {
    let Ok(items) = fs::read_dir(root) else {
        return;
    };
    let old = SystemTime::now() - Duration::from_secs(3600);
    for item in items.flatten() {
        let name = item.file_name();
        let name = name.to_string_lossy();
        let stale = item
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < old);
        if (name.starts_with(".tmp-") || name.starts_with(".trash-")) && stale {
            let _ = fs::remove_dir_all(item.path());
        }
    }
}

/// The sha256 of a file's content, in hex.
fn hash_file(path: &Path) -> Result<String> {
    let mut file = fs::File::open(path).map_err(Error::io("open", path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io("read", path)(e)),
        }
    }
    Ok(hex::encode(hasher.finalize()))
}
