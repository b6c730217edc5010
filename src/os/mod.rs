//! The floor every stage stands on: the disk (by path, and through an open
//! directory's handle), child processes, signals, locks, random names, and
//! path arithmetic that must match Python's `posixpath`.
//!
//! Nothing here knows what a virtual environment is, and nothing here
//! imports a stage (`interpreter`, `plan`, `builder`, `seed`,
//! `activation`): only [`crate::error`] for the errors it returns.

pub mod checked;
pub mod child;
pub mod dir;
pub mod disk;
pub mod interrupt;
pub mod lock;
pub mod paths;
pub mod random;
pub mod reflink;
pub mod trust;
