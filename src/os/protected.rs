//! Reading from a directory tree nobody but root and the effective user
//! can change: a target interpreter's own `site-packages`, whose files a
//! cold run may take instead of making them again.
//!
//! [`crate::os::trust::PrivateDir`] trusts what the effective user alone
//! owns, for a cache pyvenv writes. A system interpreter's files belong to
//! root, which every account already trusts (root can change anything), so
//! here the owner may be root or the effective user; as there, nobody else
//! may write to the file or to any directory on the way to it below the
//! tree's root, no symbolic link is followed below it, and each file is
//! checked through the handle it is read from. Above the root nothing is
//! checked: whoever can replace the tree there can replace the standard
//! library beside it, which the target interpreter runs anyway.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

use rustix::fs::{FileType, Mode, OFlags, Stat};

use super::FileFacts;
use super::trust::{effective_uid, facts};

/// A directory tree root or the effective user controls, opened once and
/// read below its handle.
#[derive(Debug)]
pub struct ProtectedTree {
    root: OwnedFd,
    /// Directories below the root already opened and checked, by their
    /// path relative to it.
    dirs: HashMap<PathBuf, OwnedFd>,
}

impl ProtectedTree {
    /// The tree at `path`, if it is a directory root or the effective user
    /// owns that nobody else may write to.
    pub fn open(path: &Path) -> Option<ProtectedTree> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let root = rustix::fs::openat(rustix::fs::CWD, path, flags, Mode::empty()).ok()?;
        is_protected(&rustix::fs::fstat(&root).ok()?, FileType::Directory).then_some(
            ProtectedTree {
                root,
                dirs: HashMap::new(),
            },
        )
    }

    /// The content and facts of the regular file at `rel` (plain names
    /// only), if it and every directory on the way are protected; `None`
    /// for anything else, missing included.
    pub fn read_below(&mut self, rel: &Path) -> Option<(Vec<u8>, FileFacts)> {
        let name = rel.file_name()?;
        let dir = self.dir(rel.parent()?)?;
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(dir, name, flags, Mode::empty()).ok()?;
        let stat = rustix::fs::fstat(&fd).ok()?;
        if !is_protected(&stat, FileType::RegularFile) {
            return None;
        }
        let mut data = Vec::new();
        File::from(fd).read_to_end(&mut data).ok()?;
        Some((data, facts(&stat)))
    }

    /// The directory at `rel`, opened one checked component at a time.
    fn dir(&mut self, rel: &Path) -> Option<BorrowedFd<'_>> {
        let mut walked = PathBuf::new();
        for component in rel.components() {
            let Component::Normal(name) = component else {
                return None;
            };
            let parent = walked.clone();
            walked.push(name);
            if self.dirs.contains_key(&walked) {
                continue;
            }
            let at = match self.dirs.get(&parent) {
                Some(fd) => fd.as_fd(),
                None => self.root.as_fd(),
            };
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let fd = rustix::fs::openat(at, name, flags, Mode::empty()).ok()?;
            if !is_protected(&rustix::fs::fstat(&fd).ok()?, FileType::Directory) {
                return None;
            }
            self.dirs.insert(walked.clone(), fd);
        }
        match self.dirs.get(&walked) {
            Some(fd) => Some(fd.as_fd()),
            None => Some(self.root.as_fd()),
        }
    }
}

/// Of `kind`, owned by root or the effective user, and writable by no one
/// else.
fn is_protected(stat: &Stat, kind: FileType) -> bool {
    FileType::from_raw_mode(stat.st_mode) == kind
        && is_trusted_owner(stat.st_uid, effective_uid())
        && no_other_writer(stat.st_mode)
}

/// Root, or the account pyvenv runs as (`me`).
fn is_trusted_owner(owner: u32, me: u32) -> bool {
    owner == 0 || owner == me
}

/// (`mode_t` is 32 bits on Linux, 16 on macOS.)
fn no_other_writer(mode: impl Into<u32>) -> bool {
    mode.into() & 0o022 == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn set_mode(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn root_and_the_user_are_trusted_owners_and_nobody_else() {
        assert!(is_trusted_owner(0, 1000));
        assert!(is_trusted_owner(1000, 1000));
        assert!(is_trusted_owner(0, 0));
        assert!(!is_trusted_owner(65534, 1000));
        assert!(!is_trusted_owner(1000, 0));
    }

    #[test]
    fn files_are_read_only_through_protected_directories() {
        let scratch = tempfile::tempdir().unwrap();
        let top = scratch.path();
        set_mode(top, 0o755);
        std::fs::create_dir_all(top.join("pkg/__pycache__")).unwrap();
        std::fs::write(top.join("pkg/m.py"), b"x = 1\n").unwrap();
        std::fs::write(top.join("pkg/__pycache__/m.pyc"), b"code").unwrap();
        for dir in ["pkg", "pkg/__pycache__"] {
            set_mode(&top.join(dir), 0o755);
        }
        let mut tree = ProtectedTree::open(top).unwrap();
        let (data, seen) = tree.read_below(Path::new("pkg/m.py")).unwrap();
        assert_eq!(data, b"x = 1\n");
        let meta = std::fs::symlink_metadata(top.join("pkg/m.py")).unwrap();
        assert_eq!(seen, FileFacts::of(&meta));
        let pyc = Path::new("pkg/__pycache__/m.pyc");
        assert_eq!(tree.read_below(pyc).unwrap().0, b"code");

        // A directory others may write, reached fresh, hides what is below.
        set_mode(&top.join("pkg/__pycache__"), 0o777);
        assert!(ProtectedTree::open(top).unwrap().read_below(pyc).is_none());
        set_mode(&top.join("pkg/__pycache__"), 0o755);
        // So does a file group may write, a link, and anything not plain.
        set_mode(&top.join("pkg/m.py"), 0o664);
        assert!(tree.read_below(Path::new("pkg/m.py")).is_none());
        std::os::unix::fs::symlink("__pycache__", top.join("pkg/cache")).unwrap();
        assert!(tree.read_below(Path::new("pkg/cache/m.pyc")).is_none());
        std::os::unix::fs::symlink("m.pyc", top.join("pkg/__pycache__/n.pyc")).unwrap();
        assert!(
            tree.read_below(Path::new("pkg/__pycache__/n.pyc"))
                .is_none()
        );
        assert!(
            tree.read_below(Path::new("pkg/../pkg/__pycache__/m.pyc"))
                .is_none()
        );
        assert!(tree.read_below(Path::new("pkg/gone.py")).is_none());
        // A FIFO is not read (nor waited on: the test would hang).
        let fifo = top.join("pkg/fifo.py");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success(), "mkfifo {}", fifo.display());
        assert!(tree.read_below(Path::new("pkg/fifo.py")).is_none());
        assert!(tree.read_below(Path::new("pkg")).is_none());

        // A file another account owns, where this test can make one.
        set_mode(&top.join("pkg/m.py"), 0o644);
        assert!(tree.read_below(Path::new("pkg/m.py")).is_some());
        if effective_uid() == 0 {
            std::os::unix::fs::chown(top.join("pkg/m.py"), Some(65534), None).unwrap();
            assert!(tree.read_below(Path::new("pkg/m.py")).is_none());
        }

        // The tree's own root is checked too.
        set_mode(top, 0o777);
        assert!(ProtectedTree::open(top).is_none());
        set_mode(top, 0o755);
    }
}
