//! POSIX: a directory held by its descriptor, opened without following a
//! link (`O_NOFOLLOW|O_DIRECTORY`), and everything inside reached
//! relative to it (`openat`, `unlinkat`, `renameat2`).

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{self as rfs, AtFlags, Mode, OFlags};
use rustix::io::Errno;

use crate::error::{Error, Result};

use super::{Dir, Kind, Stat};

#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(target_os = "macos", path = "macos.rs")]
mod linux_or_macos;

pub use linux_or_macos::NO_ANCHOR;

/// What a [`Dir`] holds: its descriptor.
pub(super) type Handle = OwnedFd;

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
    let anchor = linux_or_macos::anchor(dir)?;
    let reached = stat_path(&anchor).ok()?;
    reached
        .same_as(&Stat::of(&rfs::fstat(dir).ok()?))
        .then_some(anchor)
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::CLOEXEC)
    .union(OFlags::NOFOLLOW);

impl Dir {
    /// Opens the directory `path`, failing if `path` itself is a link.
    pub fn open(path: &Path) -> io::Result<Dir> {
        let handle = rfs::open(path, DIR_FLAGS, Mode::empty())?;
        Ok(Dir {
            handle,
            path: path.to_path_buf(),
        })
    }

    /// Opens the directory `path`, following a link there (a parent the
    /// user named, which may well be one).
    pub fn open_following(path: &Path) -> io::Result<Dir> {
        let handle = rfs::open(path, DIR_FLAGS.difference(OFlags::NOFOLLOW), Mode::empty())?;
        Ok(Dir {
            handle,
            path: path.to_path_buf(),
        })
    }

    /// A path that leads to this open directory, which pyvenv's children
    /// can follow too ([`anchor_of`]); `None` where there is none, and the
    /// caller falls back to the path it opened.
    pub fn anchored_path(&self) -> Option<PathBuf> {
        anchor_of(self.handle.as_fd())
    }

    /// This directory's own stat.
    pub fn stat(&self) -> io::Result<Stat> {
        Ok(Stat::of(&rfs::fstat(&self.handle)?))
    }

    /// The stat of `name` inside, a link not followed; `None` if missing.
    pub fn stat_child(&self, name: &OsStr) -> io::Result<Option<Stat>> {
        match rfs::statat(&self.handle, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some(Stat::of(&st))),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Opens the subdirectory `name`, failing if it is a link.
    pub fn open_dir(&self, name: &OsStr) -> io::Result<Dir> {
        let handle = rfs::openat(&self.handle, name, DIR_FLAGS, Mode::empty())?;
        Ok(Dir {
            handle,
            path: self.child_path(name),
        })
    }

    /// The names inside, `.` and `..` left out.
    pub fn names(&self) -> io::Result<Vec<OsString>> {
        let mut names = Vec::new();
        let mut entries = rfs::Dir::read_from(&self.handle)?;
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
        rfs::mkdirat(&self.handle, name, raw_mode(mode))?;
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
        let fd = rfs::openat(&self.handle, name, flags, raw_mode(mode))?;
        Ok(File::from(fd))
    }

    /// Opens the existing regular file `name` for reading and writing: not
    /// through a link, and without blocking on a FIFO planted there.
    pub fn open_file(&self, name: &OsStr) -> io::Result<File> {
        let flags =
            OFlags::RDWR | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
        let fd = rfs::openat(&self.handle, name, flags, Mode::empty())?;
        let file = File::from(fd);
        if Stat::of(&rfs::fstat(&file)?).kind != Kind::File {
            return Err(io::Error::other("not a regular file"));
        }
        Ok(file)
    }

    /// Removes the file (or link) `name`; gone already is no error.
    pub fn remove_file(&self, name: &OsStr) -> io::Result<()> {
        match rfs::unlinkat(&self.handle, name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Renames `from` to `to`, both inside, failing with `AlreadyExists`
    /// rather than replacing what another process made at `to`.
    pub fn rename_no_replace(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        match rfs::renameat_with(
            &self.handle,
            from,
            &self.handle,
            to,
            rfs::RenameFlags::NOREPLACE,
        ) {
            Ok(()) => Ok(()),
            // `renameat2(RENAME_NOREPLACE)` on Linux, `renameatx_np(RENAME_EXCL)`
            // on macOS. A filesystem without the flag (Linux says EINVAL,
            // macOS ENOTSUP): check, then rename (a non-empty directory at `to`
            // still makes rename fail).
            Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => {
                if self.stat_child(to)?.is_some() {
                    return Err(io::ErrorKind::AlreadyExists.into());
                }
                rfs::renameat(&self.handle, from, &self.handle, to)?;
                Ok(())
            }
            Err(Errno::NOTEMPTY) | Err(Errno::EXIST) => Err(io::ErrorKind::AlreadyExists.into()),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether the subdirectory `name` is where another filesystem is
    /// mounted: another device, or (a bind mount of the same one) the
    /// kernel's mount-root mark.
    pub(super) fn is_mount_point(
        &self,
        name: &OsStr,
        own: &Stat,
        child: &Stat,
    ) -> io::Result<bool> {
        Ok(child.dev != own.dev || linux_or_macos::is_mount_root(self.handle.as_fd(), name))
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

    /// Removes the empty subdirectory `name`; gone already is no error.
    pub(super) fn remove_empty_dir(&self, name: &OsStr) -> io::Result<()> {
        match rfs::unlinkat(&self.handle, name, AtFlags::REMOVEDIR) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(e.into()),
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
        self.handle.as_fd()
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
