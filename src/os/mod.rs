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
//! differ, the implementation is chosen here, once, as Rust's own
//! `std::sys` chooses it: `X.rs` is the POSIX one (where Linux and macOS
//! differ, `X/linux.rs` and `X/macos.rs` beside it), `windows/X.rs` the
//! Windows one, and nothing above
//! this module names a platform. `checked`, `disk`, `host`, `pipes` and `random` are the
//! same everywhere.

pub mod checked;
pub mod disk;
pub mod host;
pub mod pipes;
pub mod random;

#[cfg(unix)]
pub mod child;
#[cfg(unix)]
pub mod dir;
#[cfg(unix)]
pub mod interrupt;
#[cfg(unix)]
pub mod lock;
#[cfg(unix)]
pub mod meta;
#[cfg(unix)]
pub mod paths;
#[cfg(unix)]
pub mod reflink;
#[cfg(unix)]
pub mod registry;
#[cfg(unix)]
pub mod trust;

#[cfg(windows)]
#[path = "windows/child.rs"]
pub mod child;
#[cfg(windows)]
#[path = "windows/dir.rs"]
pub mod dir;
#[cfg(windows)]
#[path = "windows/interrupt.rs"]
pub mod interrupt;
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
#[path = "windows/reflink.rs"]
pub mod reflink;
#[cfg(windows)]
#[path = "windows/registry.rs"]
pub mod registry;
#[cfg(windows)]
#[path = "windows/trust.rs"]
pub mod trust;
