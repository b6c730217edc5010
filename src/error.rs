//! The one error type below `main`.
//!
//! Every variant says what went wrong in words a user can act on, and every
//! I/O failure names the path and the operation it was about, so `main` only
//! has to print `Error: {error}` and pick the exit status.

use std::io;
use std::path::{Path, PathBuf};

use crate::pyrepr::py_repr;

/// Everything that can stop pyvenv from making an environment.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--upgrade` and `--clear` contradict each other (CPython's wording).
    #[error("you cannot supply --upgrade and --clear together.")]
    UpgradeWithClear,

    /// An ENV_DIR argument that names no directory at all.
    #[error("an empty ENV_DIR names no directory; give the path of the environment to create")]
    EmptyEnvDir,

    /// A path pyvenv cannot write into `pyvenv.cfg` and the scripts intact.
    #[error(
        "cannot create an environment at {}: the path is not valid UTF-8, and \
         pyvenv.cfg and the activation scripts could not record it intact",
        .0.display()
    )]
    NotUtf8(PathBuf),

    /// The activation scripts put the scripts directory on PATH, so the
    /// host's PATH separator (`:`, `;` on Windows) would split it.
    #[error(
        "Refusing to create a venv in {} because it contains the PATH separator {separator}.",
        path.display()
    )]
    PathSeparator {
        /// The environment, absolute.
        path: PathBuf,
        /// `os.pathsep` of the host.
        separator: char,
    },

    /// A path this system's file names cannot hold (Windows: `<>:"|?*`,
    /// control characters, device names such as `NUL`, a trailing dot, a
    /// name longer than 255 characters).
    #[error("refusing the path {}: {component} {why}", path.display())]
    Unholdable {
        /// The environment, absolute.
        path: PathBuf,
        /// The part of it at fault, quoted for the message.
        component: String,
        /// What is wrong with it, as a predicate.
        why: String,
    },

    /// A value pyvenv would write into `pyvenv.cfg` holds a line break,
    /// which would add a line (a key) of its own.
    #[error(
        "refusing {what} {}: it holds a line break ({}), which would add a line \
         to pyvenv.cfg",
        py_repr(.value),
        unicode_name(*.character)
    )]
    LineBreak {
        /// What the value is ("the path", "the prompt").
        what: &'static str,
        /// The value, as given.
        value: String,
        /// The line break found in it.
        character: char,
    },

    /// A directory the environment needs is a file or a symlink (CPython's wording).
    #[error("Unable to create directory {}", py_repr(&.0.to_string_lossy()))]
    NotADirectory(PathBuf),

    /// [`Error::NotADirectory`] with what is in the way: CPython's words,
    /// then why.
    #[error(
        "Unable to create directory {}: {} {what}",
        py_repr(&wanted.to_string_lossy()),
        py_repr(&obstacle.to_string_lossy())
    )]
    InTheWay {
        /// The directory that was to be made (the ENV_DIR, or one inside it).
        wanted: PathBuf,
        /// What exists where a directory is needed: `wanted` or an ancestor.
        obstacle: PathBuf,
        /// What it is, as a predicate ("is a file").
        what: String,
    },

    /// `--clear` was asked of a directory it must not empty.
    #[error("refusing to --clear {}: {reason}", path.display())]
    UnsafeClear {
        /// The directory the user named.
        path: PathBuf,
        /// Why emptying it would lose something.
        reason: String,
    },

    /// A directory of an existing environment is a link: written through,
    /// it would put the environment's files wherever the link points.
    #[error(
        "{} is a symbolic link, and pyvenv does not write through links inside \
         the existing environment {}; replace it with a directory, or remake the \
         environment with --clear",
        link.display(),
        env.display()
    )]
    LinkInside {
        /// The link.
        link: PathBuf,
        /// The environment it is in.
        env: PathBuf,
    },

    /// The directory is already an environment for another Python `X.Y`.
    #[error(
        "{} is an environment for Python {existing}; making one for Python {wanted} \
         there would mix the two. Use --clear to replace it, or choose another directory",
        path.display()
    )]
    OtherVersion {
        /// The environment's directory.
        path: PathBuf,
        /// The version its pyvenv.cfg records.
        existing: String,
        /// The `X.Y` asked for now.
        wanted: String,
    },

    /// The directory is an environment whose interpreter is gone, and this
    /// run's Python (another `X.Y`) cannot stand in for it.
    #[error(
        "{} was made with Python {existing} at {}, which no longer exists; \
         to repair it, run `{repair}` with a Python {existing} installed \
         (Python {wanted} would mix the two; --clear starts afresh)",
        path.display(),
        missing.display()
    )]
    InterpreterGone {
        /// The environment's directory.
        path: PathBuf,
        /// The interpreter its pyvenv.cfg or `bin/python` names.
        missing: PathBuf,
        /// `X.Y` of the environment.
        existing: Box<str>,
        /// The `X.Y` asked for now.
        wanted: Box<str>,
        /// The command that repairs it, ready to paste into a shell. (Boxed
        /// strings keep the error under clippy's size limit on Windows,
        /// where a `PathBuf` is larger.)
        repair: Box<str>,
    },

    /// An operation on the disk failed.
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        /// What pyvenv was doing, as a verb phrase ("create directory").
        op: &'static str,
        /// The path it was doing it to.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },

    /// No interpreter matched what was asked for.
    #[error(
        "no Python interpreter found for {request:?}{}; tried: {tried}; found: {found}",
        asked_by.as_ref().map_or_else(String::new, |by| format!(" (asked for by {by})"))
    )]
    NoInterpreter {
        /// The request as the user wrote it.
        request: String,
        /// Where the request came from (`-p/--python`, `PYVENV_PYTHON`, the
        /// program's name); `None` for the default, or until the caller says.
        asked_by: Option<String>,
        /// Every place that was looked at, in order.
        tried: String,
        /// The interpreters that are there, to choose from instead.
        found: String,
    },

    /// A command on PATH is pyenv's shim, and pyenv cannot run it for the
    /// version it selects here ("command not found", a version not installed).
    #[error(
        "{command} on PATH is pyenv's shim {}, and pyenv could not run it ({said}){hint}",
        shim.display()
    )]
    ShimFailed {
        /// The command asked for (`python3.12`).
        command: String,
        /// The shim found on PATH.
        shim: PathBuf,
        /// pyenv's own words, one line.
        said: String,
        /// What would work instead (`; -p 3.12 would use ...`), or nothing.
        hint: String,
    },

    /// The chosen program could not be asked for its facts.
    #[error("{} is not a usable Python interpreter: {reason}", path.display())]
    NotAPython {
        /// The program that was run.
        path: PathBuf,
        /// What went wrong while asking it.
        reason: String,
    },

    /// The chosen program failed when asked for its facts.
    #[error(
        "{} is not a usable Python interpreter: asking it for its version failed ({status}){}",
        path.display(),
        said.as_ref().map_or_else(String::new, |said| format!(": {said}"))
    )]
    ProbeFailed {
        /// The program that was run.
        path: PathBuf,
        /// How it ended (`exit status: 2`).
        status: String,
        /// The line of its stderr that says why, if it said anything.
        said: Option<String>,
    },

    /// The chosen program is a Python, but one pyvenv cannot serve.
    #[error("{} is Python {version}; pyvenv needs CPython 3.6 or newer", path.display())]
    UnsupportedPython {
        /// The program that was run.
        path: PathBuf,
        /// The version it reported.
        version: String,
    },

    /// The target has no `ensurepip` (Debian without `python3.X-venv`).
    #[error(
        "ensurepip is not available for {}, so pip cannot be installed. \
         On Debian/Ubuntu install it with `apt install {package}`, \
         or pass --without-pip",
        python.display()
    )]
    EnsurepipMissing {
        /// The base interpreter.
        python: PathBuf,
        /// Debian's package that has it (`python3.11-venv`, `pypy3-venv`).
        package: String,
    },

    /// SIGINT, SIGTERM or SIGHUP arrived; what was half-built has been removed.
    #[error("interrupted by {}; nothing half-made was left behind", signal_name(*.0))]
    Interrupted(i32),

    /// Another process made the target while this one was building it.
    #[error(
        "{} was created by another process while pyvenv was building it; \
         it was left as that process made it",
        .0.display()
    )]
    LostRace(PathBuf),

    /// A wheel pip would be installed from cannot be read.
    #[error("cannot install from the wheel {}: {reason}", path.display())]
    BadWheel {
        /// The wheel file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// The wheel cache cannot be used (pyvenv then installs without it).
    #[error("cannot use the wheel cache at {}: {reason}", path.display())]
    CacheUnusable {
        /// The cache entry.
        path: PathBuf,
        /// Why not.
        reason: String,
    },

    /// `--cache-clean` was given a cache another account could change.
    #[error("refusing to clean the cache {}: {reason}", path.display())]
    CacheUntrusted {
        /// The cache directory.
        path: PathBuf,
        /// Why it is not trusted.
        reason: String,
    },

    /// The target interpreter could not compile pip's modules.
    #[error("{} could not compile pip's modules in {}: {reason}", python.display(), dir.display())]
    CompileFailed {
        /// The interpreter that compiles.
        python: PathBuf,
        /// Where the files were.
        dir: PathBuf,
        /// What went wrong.
        reason: String,
    },

    /// A command run inside the new environment failed.
    #[error("command `{command}` failed ({status}){}", output_suffix(.output))]
    CommandFailed {
        /// The command line, as a person would type it.
        command: String,
        /// How it ended.
        status: String,
        /// What it printed (stdout and stderr together).
        output: String,
    },
}

/// `U+000A`, the way a person looks a character up.
fn unicode_name(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

fn output_suffix(output: &str) -> String {
    let trimmed = output.trim_end();
    if trimmed.is_empty() {
        String::new()
    } else {
        format!(":\n{trimmed}")
    }
}

impl Error {
    /// The exit status for this failure: 1, or 128 + the signal that
    /// interrupted the run, as shells report a process killed by it.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Interrupted(signal) => u8::try_from(128 + signal).unwrap_or(1),
            _ => 1,
        }
    }

    /// The same error told in terms of `to` where it speaks of `from`: a
    /// failure inside the staging directory names the path the user gave.
    pub fn relocated(self, from: &Path, to: &Path) -> Error {
        let path = |p: PathBuf| match p.strip_prefix(from) {
            Ok(rest) if rest.as_os_str().is_empty() => to.to_path_buf(),
            Ok(rest) => to.join(rest),
            Err(_) => p,
        };
        let (from_text, to_text) = (from.to_string_lossy(), to.to_string_lossy());
        let text = |t: String| t.replace(&*from_text, &to_text);
        match self {
            Error::Io {
                op,
                path: p,
                source,
            } => Error::Io {
                op,
                path: path(p),
                source,
            },
            Error::NotADirectory(p) => Error::NotADirectory(path(p)),
            Error::InTheWay {
                wanted,
                obstacle,
                what,
            } => Error::InTheWay {
                wanted: path(wanted),
                obstacle: path(obstacle),
                what,
            },
            Error::BadWheel { path: p, reason } => Error::BadWheel {
                path: path(p),
                reason: text(reason),
            },
            Error::NotAPython { path: p, reason } => Error::NotAPython {
                path: path(p),
                reason: text(reason),
            },
            Error::CompileFailed {
                python,
                dir,
                reason,
            } => Error::CompileFailed {
                python,
                dir: path(dir),
                reason: text(reason),
            },
            Error::ProbeFailed {
                path: p,
                status,
                said,
            } => Error::ProbeFailed {
                path: path(p),
                status,
                said: said.map(text),
            },
            Error::CommandFailed {
                command,
                status,
                output,
            } => Error::CommandFailed {
                command: text(command),
                status,
                output: text(output),
            },
            other => other,
        }
    }

    /// The same error, saying where the interpreter request came from
    /// (`by`: `-p/--python`, `PYVENV_PYTHON`, ...) where that helps.
    pub fn asked_by(self, by: Option<String>) -> Error {
        match self {
            Error::NoInterpreter {
                request,
                tried,
                found,
                asked_by: _,
            } => Error::NoInterpreter {
                request,
                asked_by: by,
                tried,
                found,
            },
            other => other,
        }
    }

    /// Wraps an I/O error with the operation and the path it was about.
    pub fn io(op: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Error + use<> {
        let path = path.to_path_buf();
        move |source| Error::Io { op, path, source }
    }
}

/// pyvenv's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The conventional name of `signal`, for messages. It lives here rather
/// than beside the handler so that errors need nothing from `os::interrupt`
/// (which itself returns an [`Error`]): no circle between the two. The
/// numbers are the ones every Unix gives these three (and the ones
/// `os::interrupt` records for a console's Ctrl-C and close on Windows).
fn signal_name(signal: i32) -> &'static str {
    match signal {
        2 => "SIGINT",
        15 => "SIGTERM",
        1 => "SIGHUP",
        _ => "a signal",
    }
}
