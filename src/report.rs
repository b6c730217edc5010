//! What pyvenv says on stderr besides errors: nothing by default, the
//! choices it made and their timings with `-v`, and not even warnings with
//! `-q`. A [`Reporter`] is a value passed down, never a global.

use std::fmt;
use std::io::Write;
use std::time::Instant;

/// How much to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    /// `-q`: errors only.
    Quiet,
    /// Warnings and errors.
    #[default]
    Normal,
    /// `-v`: also what was chosen, and how long each step took.
    Verbose,
}

/// Writes pyvenv's remarks to stderr at the chosen [`Verbosity`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Reporter {
    verbosity: Verbosity,
}

impl Reporter {
    /// A reporter saying as much as `verbosity` allows.
    pub fn new(verbosity: Verbosity) -> Reporter {
        Reporter { verbosity }
    }

    /// Whether `-v` was given (so callers can skip building a message).
    pub fn is_verbose(&self) -> bool {
        self.verbosity == Verbosity::Verbose
    }

    /// A `-v` line: `pyvenv: <message>`.
    pub fn info(&self, message: fmt::Arguments) {
        if self.is_verbose() {
            say(format_args!("pyvenv: {message}"));
        }
    }

    /// A warning, silenced by `-q`.
    pub fn warn(&self, message: fmt::Arguments) {
        if self.verbosity != Verbosity::Quiet {
            say(format_args!("Warning: {message}"));
        }
    }

    /// Runs `step` and, with `-v`, says how long `what` took.
    pub fn timed<T>(&self, what: fmt::Arguments, step: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let result = step();
        if self.is_verbose() {
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            say(format_args!("pyvenv: {what}: {ms:.1} ms"));
        }
        result
    }
}

/// One line on stderr; a closed stderr is no reason to fail the run.
fn say(line: fmt::Arguments) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
