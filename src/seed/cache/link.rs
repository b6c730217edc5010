//! Placing a file from the wheel cache into an environment: a reflink
//! (copy-on-write clone, `FICLONE`) where the filesystem has it, else a
//! hardlink, else a copy, as `--link-mode` allows.
//!
//! The first method that the filesystem refuses is not tried again for the
//! rest of the run, so an ext4 machine pays for one failed `FICLONE`, not
//! one per file. A file already at the destination is replaced, never
//! written through: it may itself be a hardlink into the cache. A clone or
//! a copy keeps the source's mtime, as a hardlink does: the `.pyc` beside a
//! module was compiled against it.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::plan::options::LinkMode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Clone = 0,
    Hardlink = 1,
    Copy = 2,
}

impl Method {
    fn from_u8(n: u8) -> Method {
        match n {
            0 => Method::Clone,
            1 => Method::Hardlink,
            _ => Method::Copy,
        }
    }
}

/// Places files by the best method `mode` allows and the filesystem takes;
/// shared by the threads that place one wheel's files.
#[derive(Debug)]
pub struct Linker {
    mode: LinkMode,
    method: AtomicU8,
}

impl Linker {
    /// A linker for `mode`, placing files from below `source` (if known: a
    /// filesystem known to have no reflinks is not asked for one).
    pub fn new(mode: LinkMode, source: Option<&Path>) -> Linker {
        let clones = source.is_none_or(may_clone);
        let method = match mode {
            LinkMode::Auto if clones => Method::Clone,
            LinkMode::Auto | LinkMode::Hardlink => Method::Hardlink,
            LinkMode::Clone if clones => Method::Clone,
            LinkMode::Clone | LinkMode::Copy => Method::Copy,
        };
        Linker {
            mode,
            method: AtomicU8::new(method as u8),
        }
    }

    /// Whether files placed so far may share their data with the cache.
    pub fn shares_files(&self) -> bool {
        self.method() == Method::Hardlink
    }

    /// Makes `dst` a file with the content and mode of `src`.
    pub fn place(&self, src: &Path, dst: &Path) -> io::Result<()> {
        let mut replaced = false;
        loop {
            let method = self.method();
            let result = match method {
                Method::Clone => clone(src, dst),
                Method::Hardlink => fs::hard_link(src, dst),
                Method::Copy => copy(src, dst),
            };
            match result {
                Ok(()) => return Ok(()),
                // Something is in the way (pip replaces it too); once.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && !replaced => {
                    fs::remove_file(dst)?;
                    replaced = true;
                }
                Err(e) if method != Method::Copy && refused(&e) => {
                    self.method
                        .store(self.fallback(method) as u8, Ordering::Relaxed);
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn method(&self) -> Method {
        Method::from_u8(self.method.load(Ordering::Relaxed))
    }

    fn fallback(&self, failed: Method) -> Method {
        match (failed, self.mode) {
            (Method::Clone, LinkMode::Auto) => Method::Hardlink,
            _ => Method::Copy,
        }
    }
}

/// Whether the filesystem holding `path` may support `FICLONE`: ext2/3/4
/// and tmpfs, the usual Linux homes, never do.
fn may_clone(path: &Path) -> bool {
    const EXT4: u64 = 0xEF53;
    const TMPFS: u64 = 0x0102_1994;
    match rustix::fs::statfs(path) {
        Ok(fs) => !matches!(fs.f_type as u64, EXT4 | TMPFS),
        Err(_) => true,
    }
}

/// The filesystem cannot do this kind of link here (as opposed to an error
/// about these particular files).
fn refused(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(
            libc_errno::EXDEV
                | libc_errno::EOPNOTSUPP
                | libc_errno::EINVAL
                | libc_errno::ENOTTY
                | libc_errno::EPERM
                | libc_errno::EMLINK
                | libc_errno::ENOSYS
        )
    )
}

/// The errno values `refused` looks for, from rustix so no libc is needed.
mod libc_errno {
    use rustix::io::Errno;
    pub const EXDEV: i32 = Errno::XDEV.raw_os_error();
    pub const EOPNOTSUPP: i32 = Errno::OPNOTSUPP.raw_os_error();
    pub const EINVAL: i32 = Errno::INVAL.raw_os_error();
    pub const ENOTTY: i32 = Errno::NOTTY.raw_os_error();
    pub const EPERM: i32 = Errno::PERM.raw_os_error();
    pub const EMLINK: i32 = Errno::MLINK.raw_os_error();
    pub const ENOSYS: i32 = Errno::NOSYS.raw_os_error();
}

/// A copy-on-write clone of `src` at `dst` (`FICLONE`).
fn clone(src: &Path, dst: &Path) -> io::Result<()> {
    let from = File::open(src)?;
    let meta = from.metadata()?;
    let mode = meta.mode() & 0o7777;
    let to = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(dst)?;
    if let Err(e) = rustix::fs::ioctl_ficlone(&to, &from) {
        drop(to);
        let _ = fs::remove_file(dst);
        return Err(e.into());
    }
    to.set_modified(meta.modified()?)
}

/// A plain copy, with the source's mode.
fn copy(src: &Path, dst: &Path) -> io::Result<()> {
    match fs::remove_file(dst) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::copy(src, dst)?;
    let modified = fs::metadata(src)?.modified()?;
    OpenOptions::new()
        .write(true)
        .open(dst)?
        .set_modified(modified)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linked(mode: LinkMode) -> (tempfile::TempDir, fs::Metadata, fs::Metadata) {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        let dst = dir.path().join("dst");
        fs::write(&src, b"content").unwrap();
        fs::write(&dst, b"in the way").unwrap();
        Linker::new(mode, None).place(&src, &dst).unwrap();
        assert_eq!(fs::read(&dst).unwrap(), b"content");
        let (a, b) = (fs::metadata(&src).unwrap(), fs::metadata(&dst).unwrap());
        (dir, a, b)
    }

    #[test]
    fn copy_mode_never_shares_the_inode() {
        let (_dir, src, dst) = linked(LinkMode::Copy);
        assert_ne!(src.ino(), dst.ino());
    }

    #[test]
    fn clones_and_copies_keep_the_mtime_bytecode_was_compiled_against() {
        for mode in [LinkMode::Copy, LinkMode::Clone] {
            let dir = tempfile::tempdir().unwrap();
            let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
            fs::write(&src, b"x = 1\n").unwrap();
            let then =
                std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
            File::options()
                .write(true)
                .open(&src)
                .unwrap()
                .set_modified(then)
                .unwrap();
            Linker::new(mode, None).place(&src, &dst).unwrap();
            assert_eq!(
                fs::metadata(&dst).unwrap().modified().unwrap(),
                then,
                "{mode:?}"
            );
        }
    }

    #[test]
    fn hardlink_mode_shares_the_inode() {
        let (_dir, src, dst) = linked(LinkMode::Hardlink);
        assert_eq!(src.ino(), dst.ino());
    }

    #[test]
    fn clone_mode_never_shares_the_inode() {
        // A clone is a new inode even where the filesystem shares blocks.
        let (_dir, src, dst) = linked(LinkMode::Clone);
        assert_ne!(src.ino(), dst.ino());
    }
}
