//! Remembering what an interpreter said about itself, so asking it (a
//! Python start-up, ≈ 20 ms) happens once, not on every run.
//!
//! An entry is keyed by the interpreter's path as given and is trusted only
//! while everything the answer came from is as it was: the path as given
//! (`lstat`: a symlink retargeted is a change), the file it resolves to,
//! the resolved `sys.executable`, the `pyvenv.cfg` a venv's python reads,
//! ensurepip and the wheels it picked (and their directories, so a wheel
//! added beside them is noticed). "As it was" is size, mtime, ctime, inode
//! and device, or absence. The entry sits behind a checksum, so a damaged
//! file is recognised; a damaged or stale entry is ignored and replaced.
//! The checksum proves nothing against a writer, who can recompute it:
//! an entry is read only from the cache directory held open by
//! [`PrivateDir`], never through a symlink, and only if the effective user
//! alone can write it (`home` and `executable` from another account's
//! entry would make root's `bin/python` run that account's program).
//!
//! Scripts (pyenv's shims) are never remembered: which Python they run
//! depends on variables and files no identity check would see.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::interpreter::probe::BaseInterpreter;
use crate::os::checked::{checked_body, with_checksum};
use crate::os::meta;
use crate::os::trust::PrivateDir;

/// Bumped whenever the entry format or the probe's answer changes.
const FORMAT: &str = "interpreters-v3";

/// A file's identity, or `None` for "not there".
type Identity = Option<meta::Identity>;

fn identity(meta: std::io::Result<std::fs::Metadata>) -> Identity {
    meta.ok().map(|m| meta::identity(&m))
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    program: PathBuf,
    /// Each watched path, `lstat`ed (`false`) or `stat`ed (`true`).
    watched: Vec<(PathBuf, bool, Identity)>,
    facts: BaseInterpreter,
}

/// The interpreter facts kept under pyvenv's cache directory.
#[derive(Debug, Clone)]
pub struct FactsCache {
    dir: PrivateDir,
}

impl FactsCache {
    /// The facts cache under `cache_dir`; `None` when its directory cannot
    /// be made or is not the effective user's alone.
    pub fn open(cache_dir: &PrivateDir) -> Option<FactsCache> {
        let dir = cache_dir.subdir(FORMAT, true).ok()??;
        Some(FactsCache { dir })
    }

    fn entry_name(program: &Path) -> String {
        hex::encode(Sha256::digest(program.as_os_str().as_encoded_bytes()))
    }

    /// What `program` said last time, if nothing it depends on changed.
    pub fn get(&self, program: &Path) -> Option<BaseInterpreter> {
        let data = self.dir.read(&FactsCache::entry_name(program))?;
        let record: Record = serde_json::from_slice(checked_body(&data)?).ok()?;
        let fresh = record.program == program
            && record
                .watched
                .iter()
                .all(|(path, follow, id)| look(path, *follow) == *id);
        fresh.then_some(record.facts)
    }

    /// Remembers `facts` for `program`, unless `program` is a script. A
    /// failure to write only means asking again next time.
    pub fn put(&self, program: &Path, facts: &BaseInterpreter) {
        if is_script(program) {
            return;
        }
        let mut watched: Vec<(PathBuf, bool)> = vec![
            (program.to_path_buf(), false),
            (program.to_path_buf(), true),
            (facts.real_executable.clone(), true),
            (facts.stdlib.join("ensurepip/__init__.py"), true),
        ];
        if let Some(bin) = program.parent() {
            watched.push((bin.join("pyvenv.cfg"), true));
            if let Some(prefix) = bin.parent() {
                watched.push((prefix.join("pyvenv.cfg"), true));
            }
        }
        for wheel in &facts.wheels {
            watched.push((wheel.clone(), true));
            if let Some(dir) = wheel.parent() {
                watched.push((dir.to_path_buf(), true));
            }
        }
        let record = Record {
            program: program.to_path_buf(),
            watched: watched
                .into_iter()
                .map(|(path, follow)| {
                    let id = look(&path, follow);
                    (path, follow, id)
                })
                .collect(),
            facts: facts.clone(),
        };
        if let Ok(body) = serde_json::to_vec(&record) {
            let _ = self
                .dir
                .write(&FactsCache::entry_name(program), &with_checksum(&body));
        }
    }
}

fn look(path: &Path, follow: bool) -> Identity {
    identity(if follow {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    })
}

/// Whether `program` is a `#!` script rather than an executable binary
/// (or cannot be read, so may be one).
pub(crate) fn is_script(program: &Path) -> bool {
    let mut head = [0u8; 2];
    std::fs::File::open(program)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_or(true, |()| &head == b"#!")
}
