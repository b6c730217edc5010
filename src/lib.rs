//! pyvenv: creates Python virtual environments (PEP 405), a drop-in for
//! `python -m venv`.
//!
//! Data flows one way, and the folders follow it:
//!
//! ```text
//! main, cli, run, ...   the door: parse the flags, choose, report
//!   -> interpreter/     find the target and ask it, once: its facts
//!   -> plan/            options + facts -> Layout; pure, no I/O
//!   -> builder/         apply the Layout to the disk, all or nothing
//!        -> seed/       get pip in
//!        -> activation/ write the activate scripts
//! os/                   disk, children, signals, paths: knows no stage
//! error, report, pyrepr failures, -v timings, Python's repr()
//! ```
//!
//! Who imports whom, with no cycle between files or folders: the door
//! (`main`, `cli`, `run`, `generate`) may use any stage and no stage uses
//! the door; `interpreter` uses only `os`; `plan` reads the interpreter's
//! facts; `builder` reads the plan and hands work to `seed` and
//! `activation`, which read the plan; `os` and the shared files at the
//! bottom use no stage.

pub mod activation;
pub mod builder;
pub mod cli;
pub mod error;
pub mod generate;
pub mod interpreter;
pub mod os;
pub mod plan;
pub mod pyrepr;
pub mod report;
pub mod run;
pub mod seed;
