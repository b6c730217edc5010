//! Reading from a directory tree nobody but an administrator and the user
//! can change, on Windows: none yet, for the reason no cache is trusted
//! there (`trust.rs`: who may write is said by ACLs, not yet read). So a
//! cold run always has the target compile its pip, as `--no-cache` does
//! everywhere: slower, never different.

use std::path::Path;

use super::FileFacts;

#[derive(Debug, Clone, Copy)]
enum Never {}

/// A directory tree the user controls, held open: none on Windows yet.
#[derive(Debug)]
pub struct ProtectedTree {
    never: Never,
}

impl ProtectedTree {
    /// Always refused on Windows (see the module's text).
    pub fn open(_path: &Path) -> Option<ProtectedTree> {
        None
    }

    /// The content and facts of the file at `rel`.
    pub fn read_below(&mut self, _rel: &Path) -> Option<(Vec<u8>, FileFacts)> {
        match self.never {}
    }
}
