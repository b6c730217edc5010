//! A directory opened once and worked on through its handle.
//!
//! A path is looked up afresh by every call that takes it, so a check made
//! by path says nothing about what a later call by the same path reaches:
//! another account that can write to a parent swaps a directory for a link
//! in between, and root deletes or writes where the link points. Rust's own
//! `remove_dir_all` was fixed this way (CVE-2022-21658), as was virtualenv's
//! app-data directory (CVE-2026-22702): open the directory once, without
//! following a link (`O_NOFOLLOW|O_DIRECTORY`), then check, read, create
//! and delete relative to that handle (`openat`, `unlinkat`), opening each
//! subdirectory the same way, so no later step resolves the path again.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{self as rfs, AtFlags, Mode, OFlags};
use rustix::io::Errno;

use crate::error::{Error, Result};

#[cfg_attr(target_os = "linux", path = "dir/linux.rs")]
#[cfg_attr(target_os = "macos", path = "dir/macos.rs")]
mod platform;

pub use platform::NO_ANCHOR;

/// What kind of thing an entry is, its link not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A directory.
    Dir,
    /// A regular file.
    File,
    /// A symbolic link.
    Symlink,
    /// A FIFO, socket or device.
    Other,
}

/// Who owns an entry and which inode it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// The filesystem it is on.
    pub dev: u64,
    /// Its inode on that filesystem.
    pub ino: u64,
    /// Its owner.
    pub uid: u32,
    /// What it is.
    pub kind: Kind,
}

impl Stat {
    fn of(st: &rfs::Stat) -> Stat {
        let kind = match rfs::FileType::from_raw_mode(st.st_mode) {
            rfs::FileType::Directory => Kind::Dir,
            rfs::FileType::RegularFile => Kind::File,
            rfs::FileType::Symlink => Kind::Symlink,
            _ => Kind::Other,
        };
        Stat {
            dev: dev_number(st.st_dev),
            ino: st.st_ino,
            uid: st.st_uid,
            kind,
        }
    }

    /// The stat of an open file.
    pub fn of_file(file: &File) -> io::Result<Stat> {
        Ok(Stat::of(&rfs::fstat(file)?))
    }

    /// Whether both name the same inode.
    pub fn same_as(&self, other: &Stat) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }

    /// Whether the effective user owns it.
    pub fn owned_by_me(&self) -> bool {
        self.uid == rustix::process::geteuid().as_raw()
    }
}

/// A device number as one type everywhere (`dev_t` is 64 bits on Linux,
/// 32 and signed on macOS).
#[allow(clippy::unnecessary_cast)]
fn dev_number(dev: rfs::Dev) -> u64 {
    dev as u64
}

/// Permission bits as the `*at` calls take them (`mode_t`: 32 bits on
/// Linux, 16 on macOS, which hold every permission bit).
#[allow(clippy::unnecessary_cast)]
pub fn raw_mode(mode: u32) -> Mode {
    Mode::from_raw_mode(mode as rfs::RawMode)
}

/// The stat of `path` itself, following links, as any other path lookup.
pub fn stat_path(path: &Path) -> io::Result<Stat> {
    Ok(Stat::of(&rfs::stat(path)?))
}

/// A path that leads to the directory open as `dir` (on Linux the kernel's
/// `/proc/<pid>/fd/<n>`, resolved to the handle whatever is renamed
/// meanwhile; on macOS its path as `F_GETPATH` gives it), checked to reach
/// that very directory now; `None` where there is no such path (no
/// `/proc`).
pub fn anchor_of(dir: std::os::fd::BorrowedFd<'_>) -> Option<PathBuf> {
    let anchor = platform::anchor(dir)?;
    let reached = stat_path(&anchor).ok()?;
    reached
        .same_as(&Stat::of(&rfs::fstat(dir).ok()?))
        .then_some(anchor)
}

/// An open directory, and the path it was opened by (for messages only).
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
    path: PathBuf,
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::CLOEXEC)
    .union(OFlags::NOFOLLOW);

impl Dir {
    /// Opens the directory `path`, failing if `path` itself is a link.
    pub fn open(path: &Path) -> io::Result<Dir> {
        let fd = rfs::open(path, DIR_FLAGS, Mode::empty())?;
        Ok(Dir {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// Opens the directory `path`, following a link there (a parent the
    /// user named, which may well be one).
    pub fn open_following(path: &Path) -> io::Result<Dir> {
        let fd = rfs::open(path, DIR_FLAGS.difference(OFlags::NOFOLLOW), Mode::empty())?;
        Ok(Dir {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// A path that leads to this open directory, which pyvenv's children
    /// can follow too ([`anchor_of`]); `None` where there is none, and the
    /// caller falls back to the path it opened.
    pub fn anchored_path(&self) -> Option<PathBuf> {
        anchor_of(self.fd.as_fd())
    }

    /// The path this directory was opened by.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `name` inside, for messages.
    pub fn child_path(&self, name: &OsStr) -> PathBuf {
        self.path.join(name)
    }

    /// This directory's own stat.
    pub fn stat(&self) -> io::Result<Stat> {
        Ok(Stat::of(&rfs::fstat(&self.fd)?))
    }

    /// The stat of `name` inside, a link not followed; `None` if missing.
    pub fn stat_child(&self, name: &OsStr) -> io::Result<Option<Stat>> {
        match rfs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some(Stat::of(&st))),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Opens the subdirectory `name`, failing if it is a link.
    pub fn open_dir(&self, name: &OsStr) -> io::Result<Dir> {
        let fd = rfs::openat(&self.fd, name, DIR_FLAGS, Mode::empty())?;
        Ok(Dir {
            fd,
            path: self.child_path(name),
        })
    }

    /// The names inside, `.` and `..` left out.
    pub fn names(&self) -> io::Result<Vec<OsString>> {
        let mut names = Vec::new();
        let mut entries = rfs::Dir::read_from(&self.fd)?;
        while let Some(entry) = entries.read() {
            let name = entry?.file_name().to_bytes().to_vec();
            if name != b"." && name != b".." {
                names.push(OsStr::from_bytes(&name).to_os_string());
            }
        }
        Ok(names)
    }

    /// Makes the subdirectory `name`; fails if anything is there already.
    pub fn make_dir(&self, name: &OsStr, mode: u32) -> io::Result<()> {
        rfs::mkdirat(&self.fd, name, raw_mode(mode))?;
        Ok(())
    }

    /// Creates the file `name` for reading and writing; fails if anything,
    /// a link included, is there already.
    pub fn create_file(&self, name: &OsStr, mode: u32) -> io::Result<File> {
        let flags = OFlags::RDWR
            | OFlags::CREATE
            | OFlags::EXCL
            | OFlags::NOFOLLOW
            | OFlags::CLOEXEC
            | OFlags::NOCTTY;
        let fd = rfs::openat(&self.fd, name, flags, raw_mode(mode))?;
        Ok(File::from(fd))
    }

    /// Opens the existing regular file `name` for reading and writing: not
    /// through a link, and without blocking on a FIFO planted there.
    pub fn open_file(&self, name: &OsStr) -> io::Result<File> {
        let flags =
            OFlags::RDWR | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
        let fd = rfs::openat(&self.fd, name, flags, Mode::empty())?;
        let file = File::from(fd);
        if Stat::of(&rfs::fstat(&file)?).kind != Kind::File {
            return Err(io::Error::other("not a regular file"));
        }
        Ok(file)
    }

    /// Removes the file (or link) `name`; gone already is no error.
    pub fn remove_file(&self, name: &OsStr) -> io::Result<()> {
        match rfs::unlinkat(&self.fd, name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Renames `from` to `to`, both inside, failing with `AlreadyExists`
    /// rather than replacing what another process made at `to`.
    pub fn rename_no_replace(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        match rfs::renameat_with(&self.fd, from, &self.fd, to, rfs::RenameFlags::NOREPLACE) {
            Ok(()) => Ok(()),
            // `renameat2(RENAME_NOREPLACE)` on Linux, `renameatx_np(RENAME_EXCL)`
            // on macOS. A filesystem without the flag (Linux says EINVAL,
            // macOS ENOTSUP): check, then rename (a non-empty directory at `to`
            // still makes rename fail).
            Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => {
                if self.stat_child(to)?.is_some() {
                    return Err(io::ErrorKind::AlreadyExists.into());
                }
                rfs::renameat(&self.fd, from, &self.fd, to)?;
                Ok(())
            }
            Err(Errno::NOTEMPTY) | Err(Errno::EXIST) => Err(io::ErrorKind::AlreadyExists.into()),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether the subdirectory `name` is where another filesystem is
    /// mounted: another device, or (a bind mount of the same one) the
    /// kernel's mount-root mark.
    fn is_mount_point(&self, name: &OsStr, own: &Stat, child: &Stat) -> io::Result<bool> {
        Ok(child.dev != own.dev || platform::is_mount_root(self.fd.as_fd(), name))
    }

    /// The first mount point anywhere below this directory, if any.
    pub fn find_mount_point(&self) -> Result<Option<PathBuf>> {
        let own = self.stat().map_err(Error::io("inspect", &self.path))?;
        for name in self.names().map_err(Error::io("list", &self.path))? {
            let path = self.child_path(&name);
            let Some(child) = self
                .stat_child(&name)
                .map_err(Error::io("inspect", &path))?
            else {
                continue;
            };
            if child.kind != Kind::Dir {
                continue;
            }
            if self
                .is_mount_point(&name, &own, &child)
                .map_err(Error::io("inspect", &path))?
            {
                return Ok(Some(path));
            }
            let sub = self.open_dir(&name).map_err(Error::io("open", &path))?;
            if let Some(found) = sub.find_mount_point()? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// Removes everything inside this directory, which stays. A link is
    /// removed, never followed; a directory is opened without following
    /// and emptied through its own handle; a mount point is never entered
    /// (the removal stops there with an error naming it).
    pub fn remove_contents(&self) -> Result<()> {
        let own = self.stat().map_err(Error::io("inspect", &self.path))?;
        for name in self.names().map_err(Error::io("list", &self.path))? {
            self.remove_entry(&name, &own)?;
        }
        Ok(())
    }

    /// Removes the entry `name` (a whole tree, if it is a directory).
    pub fn remove_tree(&self, name: &OsStr) -> Result<()> {
        let own = self.stat().map_err(Error::io("inspect", &self.path))?;
        self.remove_entry(name, &own)
    }

    fn remove_entry(&self, name: &OsStr, own: &Stat) -> Result<()> {
        let path = self.child_path(name);
        let Some(child) = self.stat_child(name).map_err(Error::io("inspect", &path))? else {
            return Ok(());
        };
        if child.kind != Kind::Dir {
            return self.remove_file(name).map_err(Error::io("remove", &path));
        }
        if self
            .is_mount_point(name, own, &child)
            .map_err(Error::io("inspect", &path))?
        {
            return Err(Error::Io {
                op: "remove what is mounted at",
                path,
                source: io::ErrorKind::CrossesDevices.into(),
            });
        }
        match self.open_dir(name) {
            Ok(sub) => {
                // Swapped since it was looked at: not the directory checked.
                let opened = sub.stat().map_err(Error::io("inspect", &path))?;
                if !opened.same_as(&child) {
                    return Err(Error::io("remove", &path)(io::Error::other(
                        "it was replaced while pyvenv removed it",
                    )));
                }
                sub.remove_contents()?;
            }
            // Replaced by a link (or a file) since: removed as such below.
            Err(e)
                if e.raw_os_error() == Some(libc::ELOOP)
                    || e.raw_os_error() == Some(libc::ENOTDIR) =>
            {
                return self.remove_file(name).map_err(Error::io("remove", &path));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io("open", &path)(e)),
        }
        match rfs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(Error::io("remove", &path)(e.into())),
        }
    }

    /// The first link on the way from this directory down `relative`, if
    /// any: a directory another account replaced by a link, which pyvenv
    /// must not write through. Stops quietly at the first entry missing
    /// (it is made later) or not a directory (reported where it is made).
    pub fn first_link_on(&self, relative: &Path) -> io::Result<Option<PathBuf>> {
        let mut names = relative.components().filter_map(|c| match c {
            Component::Normal(name) => Some(name),
            _ => None,
        });
        let Some(first) = names.next() else {
            return Ok(None);
        };
        match self.stat_child(first)? {
            Some(stat) if stat.kind == Kind::Symlink => Ok(Some(self.child_path(first))),
            Some(stat) if stat.kind == Kind::Dir => {
                let rest: PathBuf = names.collect();
                self.open_dir(first)?.first_link_on(&rest)
            }
            _ => Ok(None),
        }
    }
}

/// Whether `e`, from [`Dir::open`] or [`Dir::open_dir`], says a link or a
/// file is where the directory was expected.
pub fn is_not_a_directory(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ELOOP) | Some(libc::ENOTDIR))
}

impl AsFd for Dir {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn emptying_removes_links_and_never_what_they_point_to() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, outside) = (tmp.path().join("env"), tmp.path().join("outside"));
        fs::create_dir_all(dir.join("lib/deep")).unwrap();
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("keep"), "x").unwrap();
        fs::write(dir.join("lib/deep/file"), "x").unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("link")).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("lib/link")).unwrap();
        Dir::open(&dir).unwrap().remove_contents().unwrap();
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        assert!(outside.join("keep").exists());
    }

    #[test]
    fn a_link_is_not_opened_as_a_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(tmp.path(), &link).unwrap();
        assert!(Dir::open(&link).is_err());
        assert!(Dir::open_following(&link).is_ok());
    }

    #[test]
    fn the_first_link_on_a_path_is_found() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("env/bin")).unwrap();
        std::os::unix::fs::symlink(tmp.path(), tmp.path().join("env/lib")).unwrap();
        let env = Dir::open(&tmp.path().join("env")).unwrap();
        let found = env.first_link_on(Path::new("lib/python3.12/site-packages"));
        assert_eq!(found.unwrap(), Some(tmp.path().join("env/lib")));
        assert_eq!(env.first_link_on(Path::new("bin/x")).unwrap(), None);
        assert_eq!(env.first_link_on(Path::new("missing/x")).unwrap(), None);
    }

    #[test]
    fn files_are_created_exclusively_and_not_through_links() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = Dir::open(tmp.path()).unwrap();
        let victim = tmp.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        std::os::unix::fs::symlink(&victim, tmp.path().join("planted")).unwrap();
        assert!(dir.create_file("planted".as_ref(), 0o600).is_err());
        assert!(dir.open_file("planted".as_ref()).is_err());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert!(dir.create_file("new".as_ref(), 0o600).is_ok());
        assert!(dir.create_file("new".as_ref(), 0o600).is_err());
    }
}
