//! Windows: a directory opened once and held.
//!
//! POSIX works relative to an open directory (`openat`); Windows' std has
//! no such calls, but it has something POSIX lacks: a directory opened
//! without `FILE_SHARE_DELETE` cannot be renamed or removed while the
//! handle is open. So a [`Dir`] holds such a handle (opened on the
//! directory itself, never through a link: `FILE_FLAG_OPEN_REPARSE_POINT`)
//! and works by path below it; its name keeps naming the directory that
//! was checked. Every entry is looked at without following a link (a
//! symbolic link or a junction, which is how a volume is mounted in a
//! folder, counts as a link): links are removed, never entered, and files
//! are created exclusively, never through a link.
//!
//! What this does not hold against: a parent of the directory renamed by
//! another account between two calls (NTFS refuses to rename a directory
//! with open handles below it; that is relied on, not tested here), and
//! ownership: [`Stat::owned_by_me`] is never true, so nothing is swept on
//! the strength of belonging to the user.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use windows_sys::Win32::Storage::FileSystem::{
    FILE_FLAG_BACKUP_SEMANTICS, FILE_FLAG_OPEN_REPARSE_POINT, FILE_SHARE_READ, FILE_SHARE_WRITE,
    MoveFileExW,
};

use super::{Dir, Kind, Stat};
use crate::error::Result;
use crate::os::meta::{file_id, open_for_metadata};

/// What a [`Dir`] holds: a handle that keeps the directory in place.
pub(super) type Handle = File;

impl Stat {
    /// The stat of an open file.
    pub fn of_file(file: &File) -> io::Result<Stat> {
        let (dev, ino) = file_id(file)?;
        let meta = file.metadata()?;
        let kind = if meta.file_type().is_symlink() {
            Kind::Symlink
        } else if meta.is_dir() {
            Kind::Dir
        } else if meta.is_file() {
            Kind::File
        } else {
            Kind::Other
        };
        Ok(Stat {
            dev,
            ino,
            uid: 0,
            kind,
        })
    }

    /// Never: who owns a file is not read on Windows yet, and what needs
    /// to know (sweeping a killed run's leftovers) is better left undone.
    pub fn owned_by_me(&self) -> bool {
        false
    }
}

/// The stat of `path` itself, following links, as any other path lookup.
pub fn stat_path(path: &Path) -> io::Result<Stat> {
    Stat::of_file(&open_for_metadata(path, true)?)
}

/// Whether `e`, from [`Dir::open`] or [`Dir::open_dir`], says a link or a
/// file is where the directory was expected.
pub fn is_not_a_directory(e: &io::Error) -> bool {
    const ERROR_DIRECTORY: i32 = 267;
    e.kind() == io::ErrorKind::NotADirectory || e.raw_os_error() == Some(ERROR_DIRECTORY)
}

impl Dir {
    fn hold(path: &Path, follow: bool) -> io::Result<Dir> {
        let flags = if follow {
            FILE_FLAG_BACKUP_SEMANTICS
        } else {
            FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT
        };
        let handle = OpenOptions::new()
            .read(true)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE)
            .custom_flags(flags)
            .open(path)?;
        let meta = handle.metadata()?;
        if meta.file_type().is_symlink() || !meta.is_dir() {
            return Err(io::ErrorKind::NotADirectory.into());
        }
        Ok(Dir {
            handle,
            path: path.to_path_buf(),
        })
    }

    /// Opens the directory `path`, failing if `path` itself is a link.
    pub fn open(path: &Path) -> io::Result<Dir> {
        Dir::hold(path, false)
    }

    /// Opens the directory `path`, following a link there.
    pub fn open_following(path: &Path) -> io::Result<Dir> {
        Dir::hold(path, true)
    }

    /// `None`: Windows has no path that names an open handle; the held
    /// directory's own path serves, since it cannot be renamed meanwhile.
    pub fn anchored_path(&self) -> Option<PathBuf> {
        None
    }

    /// This directory's own stat.
    pub fn stat(&self) -> io::Result<Stat> {
        Stat::of_file(&self.handle)
    }

    /// The stat of `name` inside, a link not followed; `None` if missing.
    pub fn stat_child(&self, name: &OsStr) -> io::Result<Option<Stat>> {
        match open_for_metadata(&self.child_path(name), false) {
            Ok(file) => Stat::of_file(&file).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Opens the subdirectory `name`, failing if it is a link.
    pub fn open_dir(&self, name: &OsStr) -> io::Result<Dir> {
        Dir::open(&self.child_path(name))
    }

    /// The names inside.
    pub fn names(&self) -> io::Result<Vec<OsString>> {
        fs::read_dir(&self.path)?
            .map(|entry| entry.map(|e| e.file_name()))
            .collect()
    }

    /// Makes the subdirectory `name`; fails if anything is there already.
    /// Windows takes no mode: the directory inherits its parent's ACL.
    pub fn make_dir(&self, name: &OsStr, _mode: u32) -> io::Result<()> {
        fs::create_dir(self.child_path(name))
    }

    /// Creates the file `name` for reading and writing; fails if anything,
    /// a link included, is there already.
    pub fn create_file(&self, name: &OsStr, _mode: u32) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
            .open(self.child_path(name))
    }

    /// Opens the existing regular file `name` for reading and writing, not
    /// through a link.
    pub fn open_file(&self, name: &OsStr) -> io::Result<File> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
            .open(self.child_path(name))?;
        if Stat::of_file(&file)?.kind != Kind::File {
            return Err(io::Error::other("not a regular file"));
        }
        Ok(file)
    }

    /// Removes the file or link `name` (a link to a directory included,
    /// never what it points to); gone already is no error.
    pub fn remove_file(&self, name: &OsStr) -> io::Result<()> {
        let path = self.child_path(name);
        let removed = match fs::symlink_metadata(&path) {
            Err(e) => Err(e),
            // A directory link or a junction is removed as a directory.
            Ok(meta) if meta.file_type().is_symlink() && meta.is_dir() => fs::remove_dir(&path),
            Ok(_) => fs::remove_file(&path),
        };
        match removed {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    /// Renames `from` to `to`, both inside, failing with `AlreadyExists`
    /// rather than replacing what another process made at `to`
    /// (`MoveFileExW` without `MOVEFILE_REPLACE_EXISTING`).
    pub fn rename_no_replace(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        let wide = |p: PathBuf| -> Vec<u16> { p.as_os_str().encode_wide().chain([0]).collect() };
        let (from_w, to_w) = (wide(self.child_path(from)), wide(self.child_path(to)));
        // SAFETY: both are NUL-terminated UTF-16 strings that outlive the call.
        if unsafe { MoveFileExW(from_w.as_ptr(), to_w.as_ptr(), 0) } != 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::AlreadyExists && self.stat_child(to)?.is_some() {
            return Err(io::ErrorKind::AlreadyExists.into());
        }
        Err(e)
    }

    /// Always `None`: a volume mounted in a folder is a junction, which
    /// every walk here treats as a link (removed, never entered).
    pub fn find_mount_point(&self) -> Result<Option<PathBuf>> {
        Ok(None)
    }

    /// Never, as [`Dir::find_mount_point`] says.
    pub(super) fn is_mount_point(
        &self,
        _name: &OsStr,
        _own: &Stat,
        _child: &Stat,
    ) -> io::Result<bool> {
        Ok(false)
    }

    /// Removes the empty subdirectory `name`; gone already is no error.
    pub(super) fn remove_empty_dir(&self, name: &OsStr) -> io::Result<()> {
        match fs::remove_dir(self.child_path(name)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_created_exclusively_and_renames_never_replace() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = Dir::open(tmp.path()).unwrap();
        assert!(dir.create_file("new".as_ref(), 0o600).is_ok());
        assert!(dir.create_file("new".as_ref(), 0o600).is_err());
        dir.make_dir("a".as_ref(), 0o777).unwrap();
        dir.make_dir("b".as_ref(), 0o777).unwrap();
        let refused = dir.rename_no_replace("a".as_ref(), "b".as_ref());
        assert_eq!(refused.unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        let refused = dir.rename_no_replace("a".as_ref(), "new".as_ref());
        assert_eq!(refused.unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        dir.rename_no_replace("a".as_ref(), "c".as_ref()).unwrap();
        assert!(tmp.path().join("c").is_dir() && !tmp.path().join("a").exists());
    }

    #[test]
    fn a_file_is_not_opened_as_a_directory() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("file"), "x").unwrap();
        let e = Dir::open(&tmp.path().join("file")).unwrap_err();
        assert!(is_not_a_directory(&e));
    }

    #[test]
    fn a_tree_is_removed_and_stats_tell_entries_apart() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("env/lib/deep")).unwrap();
        fs::write(tmp.path().join("env/lib/deep/file"), "x").unwrap();
        let top = Dir::open(tmp.path()).unwrap();
        let env = top.stat_child("env".as_ref()).unwrap().unwrap();
        assert_eq!(env.kind, Kind::Dir);
        assert!(env.same_as(&stat_path(&tmp.path().join("env")).unwrap()));
        assert!(!env.same_as(&top.stat().unwrap()));
        top.remove_tree("env".as_ref()).unwrap();
        assert!(!tmp.path().join("env").exists());
        assert_eq!(top.stat_child("env".as_ref()).unwrap(), None);
    }

    #[test]
    fn a_held_directory_cannot_be_renamed_away() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("env")).unwrap();
        let held = Dir::open(&tmp.path().join("env")).unwrap();
        assert!(fs::rename(tmp.path().join("env"), tmp.path().join("moved")).is_err());
        drop(held);
        assert!(fs::rename(tmp.path().join("env"), tmp.path().join("moved")).is_ok());
    }
}
