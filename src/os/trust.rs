//! Directories and files pyvenv may trust: those the effective user alone
//! controls.
//!
//! What another account can write, it can make pyvenv read: a cached pip
//! file that runs as root, a symlink that sends root's writes elsewhere. So
//! trust is decided the way OpenSSH's `StrictModes`, git's `safe.directory`
//! and pip's cache check decide it: by owner and mode, before anything is
//! read. A trusted directory is opened once and held; everything below it
//! is reached relative to that handle without following a symlink, so a
//! name swapped after the check changes nothing.
//!
//! Code that works with paths reaches a held directory through
//! [`PrivateDir::path`], a name checked to lead to the open handle itself
//! (on Linux `/proc/<pid>/fd/N`, not `/proc/self`, so that a child pyvenv
//! starts, the target python compiling pip, reaches the same directory,
//! never whatever is at the directory's name now; on macOS the path
//! `F_GETPATH` gives: see [`crate::os::dir::anchor_of`]).

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};
use rustix::io::Errno;

use super::FileFacts;

/// Whether pyvenv can decide here who controls a directory, and so keep a
/// cache: by owner and mode, on every POSIX system.
pub const SUPPORTED: bool = true;

/// Why a directory or file is not trusted.
#[derive(Debug)]
pub enum Distrust {
    /// Another account owns it.
    NotOwned {
        /// Its owner's uid.
        owner: u32,
    },
    /// Group or others may write to it.
    Writable {
        /// Its permission bits.
        mode: u32,
    },
    /// A symbolic link where a directory or file of pyvenv's belongs.
    Link,
    /// Not the kind of file pyvenv put there.
    WrongKind(&'static str),
    /// Missing, and its nearest existing parent is another account's, so
    /// making it there would take that account's place.
    ParentNotOwned {
        /// The nearest existing parent.
        parent: PathBuf,
        /// Its owner's uid.
        owner: u32,
    },
    /// Something inside the directory is not to be trusted.
    Inside {
        /// Its name there.
        name: String,
        /// Why not.
        reason: Box<Distrust>,
    },
    /// The held directory has no path that leads to it (Linux: no
    /// `/proc`).
    NoAnchor,
    /// It could not be inspected at all.
    Io(io::Error),
}

impl fmt::Display for Distrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let me = effective_uid();
        match self {
            Distrust::NotOwned { owner } => {
                write!(f, "it belongs to uid {owner}, not to you (uid {me})")
            }
            Distrust::Writable { mode } => write!(
                f,
                "group or others may write to it (mode {:03o})",
                mode & 0o777
            ),
            Distrust::Link => write!(f, "it is a symbolic link"),
            Distrust::WrongKind(kind) => write!(f, "it is not a {kind}"),
            Distrust::ParentNotOwned { parent, owner } => write!(
                f,
                "it does not exist, and {} belongs to uid {owner}, not to you (uid {me})",
                parent.display()
            ),
            Distrust::Inside { name, reason } => write!(f, "{name}: {reason}"),
            Distrust::NoAnchor => write!(f, "{}", crate::os::dir::NO_ANCHOR),
            Distrust::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<Errno> for Distrust {
    fn from(e: Errno) -> Distrust {
        match e {
            Errno::LOOP => Distrust::Link,
            Errno::NOTDIR => Distrust::WrongKind("directory"),
            e => Distrust::Io(e.into()),
        }
    }
}

/// The effective user's uid: the account whose files are trusted.
pub fn effective_uid() -> u32 {
    // Asked once: every cached file's check compares against it.
    static EUID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *EUID.get_or_init(|| rustix::process::geteuid().as_raw())
}

/// Whether pyvenv runs as root, whose files other accounts must never be
/// able to reach through a shared inode.
pub fn is_root() -> bool {
    effective_uid() == 0
}

/// Owned by the effective user, and writable by nobody else.
/// (`mode_t` is 32 bits on Linux, 16 on macOS.)
fn check_owner_and_mode(uid: u32, mode: impl Into<u32>) -> Result<(), Distrust> {
    let mode = mode.into();
    if uid != effective_uid() {
        return Err(Distrust::NotOwned { owner: uid });
    }
    if mode & 0o022 != 0 {
        return Err(Distrust::Writable { mode });
    }
    Ok(())
}

fn check_stat(stat: &Stat, kind: FileType) -> Result<(), Distrust> {
    let found = FileType::from_raw_mode(stat.st_mode);
    if found == FileType::Symlink {
        return Err(Distrust::Link);
    }
    if found != kind {
        return Err(Distrust::WrongKind(match kind {
            FileType::Directory => "directory",
            _ => "regular file",
        }));
    }
    check_owner_and_mode(stat.st_uid, stat.st_mode)
}

/// A stat's [`FileFacts`], as [`FileFacts::of`] gives them from metadata.
/// (The field types differ between Linux and macOS.)
#[allow(clippy::unnecessary_cast)]
pub(crate) fn facts(stat: &Stat) -> FileFacts {
    FileFacts {
        size: stat.st_size as u64,
        mtime: (stat.st_mtime as i64, stat.st_mtime_nsec as i64),
        ino: stat.st_ino as u64,
        mode: stat.st_mode as u32 & 0o7777,
        uid: stat.st_uid,
    }
}

/// A directory the effective user alone controls, held open.
#[derive(Debug, Clone)]
pub struct PrivateDir {
    fd: Arc<OwnedFd>,
    anchor: PathBuf,
    shown: PathBuf,
}

impl PrivateDir {
    /// Opens `path` (making it, private, when missing and `create`) and
    /// checks it. A missing directory is made only below a directory the
    /// effective user or root owns: root must not plant a directory of its
    /// own in another account's home, and a user may make one in `/tmp`.
    pub fn open(path: &Path, create: bool) -> Result<PrivateDir, Distrust> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        // The name given may be a link (`~/.cache` often is): what counts
        // is the directory it leads to, checked through the handle. A link
        // another account made (in `/tmp`, say) could lead root to any
        // directory of root's, so it is followed only if it is the
        // effective user's or root's, as `fs.protected_symlinks` decides.
        if let Ok(link) = std::fs::symlink_metadata(path)
            && link.file_type().is_symlink()
            && link.uid() != effective_uid()
            && link.uid() != 0
        {
            return Err(Distrust::NotOwned { owner: link.uid() });
        }
        let fd = match rustix::fs::openat(rustix::fs::CWD, path, flags, Mode::empty()) {
            Err(Errno::NOENT) if create => {
                may_create(path)?;
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(path)
                    .map_err(Distrust::Io)?;
                rustix::fs::openat(rustix::fs::CWD, path, flags, Mode::empty())?
            }
            opened => opened?,
        };
        PrivateDir::checked(fd, path.to_path_buf())
    }

    fn checked(fd: OwnedFd, shown: PathBuf) -> Result<PrivateDir, Distrust> {
        check_stat(&rustix::fs::fstat(&fd)?, FileType::Directory)?;
        let anchor = crate::os::dir::anchor_of(fd.as_fd()).ok_or(Distrust::NoAnchor)?;
        Ok(PrivateDir {
            fd: Arc::new(fd),
            anchor,
            shown,
        })
    }

    /// A name for this directory that leads to the held handle, for code
    /// that works with paths.
    pub fn path(&self) -> PathBuf {
        self.anchor.clone()
    }

    /// The directory's name as the user gave it, for messages.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The subdirectory `name` (made private when missing and `create`),
    /// never through a symlink; `Ok(None)`: missing.
    pub fn subdir(&self, name: &str, create: bool) -> Result<Option<PrivateDir>, Distrust> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(self.fd(), name, flags, Mode::empty()) {
            Err(Errno::NOENT) if create => {
                match rustix::fs::mkdirat(self.fd(), name, Mode::from_raw_mode(0o700)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(e.into()),
                }
                rustix::fs::openat(self.fd(), name, flags, Mode::empty())?
            }
            Err(Errno::NOENT) => return Ok(None),
            Err(Errno::NOTDIR | Errno::LOOP) => {
                // A link and a file both fail `O_DIRECTORY|O_NOFOLLOW` so:
                // say which.
                return Err(self.check_item(name, true).err().unwrap_or(Distrust::Link));
            }
            opened => opened?,
        };
        PrivateDir::checked(fd, self.shown.join(name)).map(Some)
    }

    /// Checks what is at `name` without opening it: nothing, or a directory
    /// (`dir`) or regular file the effective user alone controls.
    pub fn check_item(&self, name: &str, dir: bool) -> Result<(), Distrust> {
        match rustix::fs::statat(self.fd(), name, AtFlags::SYMLINK_NOFOLLOW) {
            Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(e.into()),
            Ok(stat) => check_stat(
                &stat,
                if dir {
                    FileType::Directory
                } else {
                    FileType::RegularFile
                },
            ),
        }
    }

    /// The regular file `name`, opened for reading if the effective user
    /// alone controls it; never through a symlink, and never blocking on a
    /// FIFO. `Ok(None)`: missing.
    pub fn open_file(&self, name: &str) -> Result<Option<File>, Distrust> {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        match rustix::fs::openat(self.fd(), name, flags, Mode::empty()) {
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(e.into()),
            Ok(fd) => {
                check_stat(&rustix::fs::fstat(&fd)?, FileType::RegularFile)?;
                Ok(Some(File::from(fd)))
            }
        }
    }

    /// The content of the file `name`, if it is there and trusted.
    pub fn read(&self, name: &str) -> Option<Vec<u8>> {
        let mut file = self.open_file(name).ok()??;
        let mut data = Vec::new();
        file.read_to_end(&mut data).ok()?;
        Some(data)
    }

    /// Writes `data` to `name` through a new private file renamed over it
    /// (which replaces a symlink there rather than following it).
    pub fn write(&self, name: &str, data: &[u8]) -> io::Result<()> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let tmp = format!(
            ".tmp-{name}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let fd = rustix::fs::openat(self.fd(), tmp.as_str(), flags, Mode::from_raw_mode(0o600))?;
        let written = File::from(fd).write_all(data).and_then(|()| {
            Ok(rustix::fs::renameat(
                self.fd(),
                tmp.as_str(),
                self.fd(),
                name,
            )?)
        });
        if written.is_err() {
            let _ = rustix::fs::unlinkat(self.fd(), tmp.as_str(), AtFlags::empty());
        }
        written
    }

    /// The facts of the file at `rel` below this directory if it is a
    /// regular file the effective user alone controls (`Ok(None)`: it is
    /// something else), never through a symlink at its last component.
    /// Reached from the handle, with no trip through [`PrivateDir::path`]'s
    /// `/proc` name: the wheel cache asks once per file it places.
    pub fn private_file_below(&self, rel: &Path) -> io::Result<Option<FileFacts>> {
        let stat = rustix::fs::statat(self.fd(), rel, AtFlags::SYMLINK_NOFOLLOW)?;
        if check_stat(&stat, FileType::RegularFile).is_err() {
            return Ok(None);
        }
        Ok(Some(facts(&stat)))
    }

    /// Makes `dst` a new hardlink to the file at `rel` below this
    /// directory: never over anything at `dst`, never following a symlink
    /// at `rel`.
    pub fn link_below(&self, rel: &Path, dst: &Path) -> io::Result<()> {
        Ok(rustix::fs::linkat(
            self.fd(),
            rel,
            rustix::fs::CWD,
            dst,
            AtFlags::empty(),
        )?)
    }

    /// Opens the file at `rel` below this directory for reading, never
    /// through a symlink at its last component.
    pub fn open_below(&self, rel: &Path) -> io::Result<File> {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(self.fd(), rel, flags, Mode::empty())?;
        Ok(File::from(fd))
    }

    /// The lock file `name`, made private when missing. Only a regular
    /// file the effective user alone controls is used: a FIFO planted there
    /// would hang the open (hence `O_NONBLOCK`), a link would send it
    /// elsewhere (hence `O_NOFOLLOW`).
    pub fn open_lock(&self, name: &str) -> io::Result<File> {
        let flags =
            OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(self.fd(), name, flags, Mode::from_raw_mode(0o600))?;
        check_stat(&rustix::fs::fstat(&fd)?, FileType::RegularFile)
            .map_err(|reason| io::Error::other(reason.to_string()))?;
        Ok(File::from(fd))
    }
}

/// Refuses to make `path` below a directory another account owns.
fn may_create(path: &Path) -> Result<(), Distrust> {
    let me = effective_uid();
    for parent in path.ancestors().skip(1) {
        match std::fs::metadata(parent) {
            Ok(meta) if meta.uid() == me || meta.uid() == 0 => return Ok(()),
            Ok(meta) => {
                return Err(Distrust::ParentNotOwned {
                    parent: parent.to_path_buf(),
                    owner: meta.uid(),
                });
            }
            Err(_) => continue,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// The wheel cache stamps a file from its metadata when it fills an
    /// entry and checks it through the held handle before placing it: the
    /// two must read the same facts, or every entry would look changed.
    #[test]
    fn files_below_a_held_directory_give_the_facts_their_metadata_gives() {
        let scratch = tempfile::tempdir().unwrap();
        let held = PrivateDir::open(scratch.path(), false).unwrap();
        std::fs::create_dir(scratch.path().join("sub")).unwrap();
        let file = scratch.path().join("sub/f.py");
        std::fs::write(&file, b"x = 1\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o4755)).unwrap();
        let rel = Path::new("sub/f.py");
        let seen = held.private_file_below(rel).unwrap();
        let meta = std::fs::symlink_metadata(&file).unwrap();
        assert_eq!(seen, Some(FileFacts::of(&meta)));
        assert_eq!(seen.map(|f| (f.size, f.mode)), Some((6, 0o4755)));

        // What another account could change, and a link, are not private
        // files; a missing file is an error.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664)).unwrap();
        assert_eq!(held.private_file_below(rel).unwrap(), None);
        std::os::unix::fs::symlink("f.py", scratch.path().join("sub/link")).unwrap();
        assert_eq!(
            held.private_file_below(Path::new("sub/link")).unwrap(),
            None
        );
        assert!(held.private_file_below(Path::new("sub/gone")).is_err());
    }

    /// A hardlink made from below the held handle is the same file, never
    /// made over something at its destination, and never from a link.
    #[test]
    fn links_and_opens_below_a_held_directory_never_follow_a_link() {
        let scratch = tempfile::tempdir().unwrap();
        let held = PrivateDir::open(scratch.path(), false).unwrap();
        std::fs::write(scratch.path().join("f"), b"data").unwrap();
        std::os::unix::fs::symlink("f", scratch.path().join("link")).unwrap();
        let out = tempfile::tempdir().unwrap();
        let dst = out.path().join("placed");
        held.link_below(Path::new("f"), &dst).unwrap();
        let (a, b) = (
            std::fs::metadata(scratch.path().join("f")).unwrap(),
            std::fs::metadata(&dst).unwrap(),
        );
        assert_eq!((a.dev(), a.ino()), (b.dev(), b.ino()));
        let again = held.link_below(Path::new("f"), &dst).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        let linked = out.path().join("from-link");
        held.link_below(Path::new("link"), &linked).unwrap();
        assert!(
            std::fs::symlink_metadata(&linked)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let mut text = String::new();
        held.open_below(Path::new("f"))
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "data");
        assert!(held.open_below(Path::new("link")).is_err());
    }

    #[test]
    fn a_directory_writable_by_others_is_refused() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("cache");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(matches!(
            PrivateDir::open(&dir, false),
            Err(Distrust::Writable { .. })
        ));
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o775)).unwrap();
        assert!(matches!(
            PrivateDir::open(&dir, false),
            Err(Distrust::Writable { .. })
        ));
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(PrivateDir::open(&dir, false).is_ok());
    }

    #[test]
    fn a_made_directory_is_private_and_links_inside_are_not_followed() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = PrivateDir::open(&scratch.path().join("a/cache"), true).unwrap();
        let mode = std::fs::metadata(scratch.path().join("a/cache"))
            .unwrap()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
        let elsewhere = scratch.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.path().join("sub")).unwrap();
        assert!(matches!(dir.subdir("sub", true), Err(Distrust::Link)));
        std::os::unix::fs::symlink(elsewhere.join("lock"), dir.path().join(".lock")).unwrap();
        assert!(dir.open_lock(".lock").is_err());
        assert!(!elsewhere.join("lock").exists());
        dir.write("entry", b"data").unwrap();
        assert_eq!(dir.read("entry").unwrap(), b"data");
    }
}
