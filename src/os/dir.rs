//! A directory opened once and worked on through its handle.
//!
//! A path is looked up afresh by every call that takes it, so a check made
//! by path says nothing about what a later call by the same path reaches:
//! another account that can write to a parent swaps a directory for a link
//! in between, and root deletes or writes where the link points. Rust's own
//! `remove_dir_all` was fixed this way (CVE-2022-21658), as was virtualenv's
//! app-data directory (CVE-2026-22702): open the directory once, without
//! following a link, then check, read, create and delete through that
//! handle, opening each subdirectory the same way, so no later step
//! resolves the path again.
//!
//! How a handle is held is the platform's half (`dir/unix.rs`: `openat`
//! and friends; `windows/dir.rs`: a handle that keeps the directory from
//! being renamed or removed); what is built on those calls (walking a
//! tree to remove it, looking for a link on a path) is here, once.

use std::ffi::OsStr;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

#[cfg_attr(unix, path = "dir/unix.rs")]
#[cfg_attr(windows, path = "windows/dir.rs")]
mod platform;

// `stat_path`, `is_not_a_directory`, and on POSIX `anchor_of`, `NO_ANCHOR`
// and `raw_mode`.
pub use platform::*;

/// What kind of thing an entry is, its link not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A directory.
    Dir,
    /// A regular file.
    File,
    /// A symbolic link (on Windows, a junction too).
    Symlink,
    /// Anything else: a FIFO, socket or device.
    Other,
}

/// Who owns an entry and which file it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// The filesystem it is on (on Windows, the volume's serial number).
    pub dev: u64,
    /// Its inode on that filesystem (on Windows, its file index).
    pub ino: u64,
    /// Its owner (on Windows, always 0: see [`Stat::owned_by_me`]).
    pub uid: u32,
    /// What it is.
    pub kind: Kind,
}

impl Stat {
    /// Whether both name the same file.
    pub fn same_as(&self, other: &Stat) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }
}

/// An open directory, and the path it was opened by (for messages, and on
/// Windows to reach what is inside).
#[derive(Debug)]
pub struct Dir {
    handle: platform::Handle,
    path: PathBuf,
}

impl Dir {
    /// The path this directory was opened by.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `name` inside.
    pub fn child_path(&self, name: &OsStr) -> PathBuf {
        self.path.join(name)
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
                // On Windows the handle keeps the directory from being
                // removed, too.
                drop(sub);
            }
            // Replaced by a link (or a file) since: removed as such.
            Err(e) if is_not_a_directory(&e) => {
                return self.remove_file(name).map_err(Error::io("remove", &path));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io("open", &path)(e)),
        }
        self.remove_empty_dir(name)
            .map_err(Error::io("remove", &path))
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
