//! Pure decisions: from the options and the interpreter's facts to the
//! [`layout::Layout`] (every path, link and file the environment will
//! have, and the text of `pyvenv.cfg`), and the checks that refuse a
//! request before anything is touched.
//!
//! Nothing here does I/O: no file is read or written, no process is run,
//! no environment variable is read. That keeps every decision testable as
//! a table and leaves the doing to the builder.

mod delegated;
pub mod layout;
pub mod options;
mod pyvenv_cfg;
pub mod target_os;
#[cfg(test)]
mod test_targets;
pub mod validate;
pub mod venv_rules;
pub mod windows;
