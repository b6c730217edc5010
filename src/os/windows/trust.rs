//! Directories and files pyvenv may trust, on Windows: none yet.
//!
//! On POSIX pyvenv trusts its cache directory only if the effective user
//! owns it and no one else may write to it (`trust.rs`). On Windows who may
//! write is said by the directory's ACL, and its owner SID alone says
//! little (an administrator's files belong to the Administrators group).
//! Until the ACLs are read (every entry that grants write access to
//! anyone but the user, SYSTEM and Administrators refused), the rule is
//! the safe one: **no cache is trusted on Windows**. A run goes without
//! the cache (it is slower, never different), and `--cache-clean`
//! refuses with an error naming why. So a [`PrivateDir`] cannot be made
//! there: [`PrivateDir::open`] always fails, and the methods of a value
//! that cannot exist are unreachable by construction.

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::FileFacts;

/// Whether pyvenv can decide here who controls a directory, and so keep a
/// cache: not on Windows (see the module's text).
pub const SUPPORTED: bool = false;

/// Why a directory or file is not trusted.
#[derive(Debug)]
pub enum Distrust {
    /// Nothing is trusted on Windows yet.
    NoAclCheck,
    /// Something inside the directory is not to be trusted.
    Inside {
        /// Its name there.
        name: String,
        /// Why not.
        reason: Box<Distrust>,
    },
    /// It could not be inspected at all.
    Io(io::Error),
}

impl fmt::Display for Distrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Distrust::NoAclCheck => write!(
                f,
                "pyvenv cannot yet check on Windows who may write to it (its ACL), \
                 so it keeps no cache there"
            ),
            Distrust::Inside { name, reason } => write!(f, "{name}: {reason}"),
            Distrust::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Whether pyvenv must keep its files from sharing an inode with another
/// account's: always assumed on Windows, so the cache never hardlinks.
pub fn is_root() -> bool {
    true
}

#[derive(Debug, Clone, Copy)]
enum Never {}

/// A directory the effective user alone controls, held open: none on
/// Windows yet.
#[derive(Debug, Clone)]
pub struct PrivateDir {
    never: Never,
}

impl PrivateDir {
    /// Always refused on Windows (see the module's text).
    pub fn open(_path: &Path, _create: bool) -> Result<PrivateDir, Distrust> {
        Err(Distrust::NoAclCheck)
    }

    /// A name for this directory.
    pub fn path(&self) -> PathBuf {
        match self.never {}
    }

    /// The directory's name as the user gave it.
    pub fn shown(&self) -> &Path {
        match self.never {}
    }

    /// The subdirectory `name`.
    pub fn subdir(&self, _name: &str, _create: bool) -> Result<Option<PrivateDir>, Distrust> {
        match self.never {}
    }

    /// Checks what is at `name`.
    pub fn check_item(&self, _name: &str, _dir: bool) -> Result<(), Distrust> {
        match self.never {}
    }

    /// The regular file `name`, opened for reading.
    pub fn open_file(&self, _name: &str) -> Result<Option<File>, Distrust> {
        match self.never {}
    }

    /// The content of the file `name`.
    pub fn read(&self, _name: &str) -> Option<Vec<u8>> {
        match self.never {}
    }

    /// Writes `data` to `name`.
    pub fn write(&self, _name: &str, _data: &[u8]) -> io::Result<()> {
        match self.never {}
    }

    /// The lock file `name`.
    pub fn open_lock(&self, _name: &str) -> io::Result<File> {
        match self.never {}
    }

    /// The facts of the private file at `rel` below.
    pub fn private_file_below(&self, _rel: &Path) -> io::Result<Option<FileFacts>> {
        match self.never {}
    }

    /// Makes `dst` a new hardlink to the file at `rel` below.
    pub fn link_below(&self, _rel: &Path, _dst: &Path) -> io::Result<()> {
        match self.never {}
    }

    /// Opens the file at `rel` below for reading.
    pub fn open_below(&self, _rel: &Path) -> io::Result<File> {
        match self.never {}
    }
}
