//! The floor every stage stands on: the disk (by path, and through an open
//! directory's handle), child processes, signals, locks, random names, and
//! path arithmetic that must match Python's `posixpath` (`ntpath` on
//! Windows).
//!
//! Nothing here knows what a virtual environment is, and nothing here
//! imports a stage (`interpreter`, `plan`, `builder`, `seed`,
//! `activation`): only [`crate::error`] for the errors it returns.
//!
//! One module per concern, with one public interface; where the platforms
//! differ, the implementation is chosen once, as Rust's own `std::sys`
//! chooses it, and nothing above this module names a platform. Where only
//! the system calls differ (`child`, `dir`, `interrupt`), `X.rs` holds what
//! is the same everywhere and chooses its platform half: `X/unix.rs` (with
//! `X/linux.rs` and `X/macos.rs` beside it where those two differ) or
//! `windows/X.rs`. Where the whole concern differs, it is chosen here:
//! `X.rs` is the POSIX one, `windows/X.rs` the Windows one. `checked`,
//! `disk`, `host`, `pipes` and `random` are the same everywhere.

/// What the wheel cache records of a file to tell later that it is still
/// the file it placed there: read from a held directory's handle
/// (`trust::PrivateDir::private_file_below`) or from a path's metadata
/// ([`FileFacts::of`]), the same fields either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileFacts {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, seconds and nanoseconds since the epoch.
    pub mtime: (i64, i64),
    /// Inode number (0 where the platform has none to give).
    pub ino: u64,
    /// Permission bits, with setuid, setgid and sticky.
    pub mode: u32,
    /// The owner's uid (0 where the platform has none to give).
    pub uid: u32,
}

impl FileFacts {
    /// The facts of `metadata` (from `symlink_metadata`, for a file that
    /// must not be a link).
    pub fn of(metadata: &std::fs::Metadata) -> FileFacts {
        FileFacts {
            size: metadata.len(),
            mtime: meta::mtime(metadata),
            ino: meta::inode(metadata).1,
            mode: meta::mode(metadata),
            uid: meta::owner(metadata),
        }
    }
}

pub mod checked;
pub mod child;
pub mod dir;
pub mod disk;
pub mod host;
pub mod interrupt;
pub mod pipes;
pub mod random;

#[cfg(unix)]
pub mod lock;
#[cfg(unix)]
pub mod meta;
#[cfg(unix)]
pub mod paths;
#[cfg(unix)]
pub mod protected;
#[cfg(unix)]
pub mod reflink;
#[cfg(unix)]
pub mod registry;
#[cfg(unix)]
pub mod trust;

#[cfg(windows)]
#[path = "windows/lock.rs"]
pub mod lock;
#[cfg(windows)]
#[path = "windows/meta.rs"]
pub mod meta;
#[cfg(windows)]
#[path = "windows/paths.rs"]
pub mod paths;
#[cfg(windows)]
#[path = "windows/protected.rs"]
pub mod protected;
#[cfg(windows)]
#[path = "windows/reflink.rs"]
pub mod reflink;
#[cfg(windows)]
#[path = "windows/registry.rs"]
pub mod registry;
#[cfg(windows)]
#[path = "windows/trust.rs"]
pub mod trust;
