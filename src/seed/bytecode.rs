//! pip's bytecode: the `__pycache__/*.pyc` files ensurepip's pip leaves
//! beside every module it installs.
//!
//! pip compiles each installed `.py` file with `compileall.compile_file(path,
//! force=True, quiet=True)` (pip 18.1, bundled with 3.6, runs
//! `compileall.compile_dir` over the unpacked wheel, which compiles the same
//! files the same way), whatever `PYTHONDONTWRITEBYTECODE` says, and lists
//! each `.pyc` it made in `RECORD` with no hash and no size. The target
//! interpreter does the same here, once per cache entry, in one child
//! process run under the probe's rules (own process group, a time limit,
//! killed with pyvenv). What decides the result is decided here, from what
//! pip's process would see:
//!
//! - the optimization level: `PYTHONOPTIMIZE` reaches pip only where the
//!   target's venv runs ensurepip without `-I` (3.10.13 and later);
//! - the invalidation mode: `py_compile` writes checked-hash files when
//!   `SOURCE_DATE_EPOCH` is set and non-empty (3.7 and later), else files
//!   stamped with the source's mtime and size, which stay valid as long as
//!   the placed `.py` keeps the mtime it was compiled against (hardlinks
//!   share it; clones and copies take it over).
//!
//! The path compiled into a `.pyc` (`co_filename`) is where the file was
//! compiled (the cache entry, or the staging directory); CPython's and
//! PyPy's import replace it with the module's real path on load
//! (`_imp._fix_co_filename`), so tracebacks name the environment's file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::os::child::{self, Ending};
use crate::plan::layout::{CallStyle, Layout, PycFormat, PythonCall};

/// Compiles every listed file as pip does and prints, as JSON, the
/// `.pyc` paths (relative to the first argument) of those that compiled.
/// Valid for CPython 3.6 and later and PyPy 3.
const COMPILE: &str = r#"
import sys, os, io, json, warnings, compileall, contextlib, importlib.util
root = sys.argv[1]
made = []
with contextlib.redirect_stdout(io.StringIO()):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore")
        for rel in sys.argv[2:]:
            path = os.path.join(root, rel)
            if not os.path.isfile(path):
                sys.exit("no such file: " + path)
            if compileall.compile_file(path, force=True, quiet=True):
                pyc = importlib.util.cache_from_source(path)
                if os.path.exists(pyc):
                    made.append(os.path.relpath(pyc, root).replace(os.sep, "/"))
sys.stdout.write(json.dumps(made))
"#;

/// What pip's process would see that changes its bytecode, read from the
/// environment pyvenv was started in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BytecodeEnv {
    /// The level `PYTHONOPTIMIZE` sets (0 when unset or empty).
    pub optimize: u32,
    /// `SOURCE_DATE_EPOCH` is set and non-empty.
    pub source_date_epoch: bool,
    /// How long the compiling interpreter may take.
    pub timeout: Option<Duration>,
}

impl BytecodeEnv {
    /// The level CPython reads from `PYTHONOPTIMIZE`: a non-negative
    /// number as it is, any other non-empty text 1.
    pub fn optimize_level(value: Option<&str>) -> u32 {
        match value.filter(|v| !v.is_empty()) {
            None => 0,
            Some(v) => v.trim().parse::<i64>().map_or(1, |n| {
                if n < 0 {
                    1
                } else {
                    u32::try_from(n).unwrap_or(u32::MAX)
                }
            }),
        }
    }
}

/// How many probe limits (`PYVENV_PROBE_TIMEOUT`) compiling pip may take:
/// 300 s by default, for a few seconds' work on an idle machine.
pub const COMPILE_LIMIT_FACTOR: u32 = 15;

/// How one environment's pip bytecode is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiler {
    python: PathBuf,
    format: PycFormat,
    optimize: u32,
    checked_hash: bool,
    timeout: Option<Duration>,
}

impl Compiler {
    /// The compiler for `layout`'s pip, as ensurepip's `call` would run it;
    /// `None` where the target writes no bytecode.
    pub fn new(layout: &Layout, call: &PythonCall, env: &BytecodeEnv) -> Option<Compiler> {
        let format = layout.bytecode.clone()?;
        // `-Im ensurepip` ignores PYTHON* variables, and pip runs in it.
        let optimize = match call.style {
            CallStyle::Inherit => 0,
            CallStyle::InsideEnv => env.optimize.min(9),
        };
        Some(Compiler {
            python: layout.base_executable.clone(),
            format,
            optimize,
            checked_hash: env.source_date_epoch,
            timeout: env.timeout,
        })
    }

    /// What distinguishes this compiler's output from another's: part of a
    /// cache entry's name.
    pub fn key(&self) -> String {
        format!(
            "{}-{}-o{}-{}",
            self.format.cache_tag,
            self.format.magic,
            self.optimize,
            if self.checked_hash { "hash" } else { "mtime" }
        )
    }

    /// Compiles the `.py` files among `files` (paths relative to `dir`,
    /// `/`-separated) as pip would; returns the `.pyc` files made, relative
    /// to `dir`. The work is shared between up to one process per core
    /// (pip's ~500 modules take a CPython about two seconds of CPU), all
    /// started from this thread and bound by one deadline.
    pub fn compile(&self, dir: &Path, files: &[&str]) -> Result<Vec<String>> {
        let sources: Vec<&str> = files
            .iter()
            .copied()
            .filter(|f| f.ends_with(".py"))
            .collect();
        if sources.is_empty() {
            return Ok(Vec::new());
        }
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4)
            .min(sources.len().div_ceil(64));
        let deadline = self.timeout.and_then(|t| Instant::now().checked_add(t));
        let mut running = Vec::with_capacity(workers);
        for worker in 0..workers {
            let chunk = sources.iter().skip(worker).step_by(workers);
            let mut command = self.command(dir, chunk);
            running.push(
                child::spawn(&mut command, true)
                    .map_err(|e| self.failed(dir, format!("cannot run it: {e}")))?,
            );
        }
        let mut made = Vec::new();
        for child in &mut running {
            made.extend(self.finish(dir, child, deadline)?);
        }
        made.sort();
        Ok(made)
    }

    fn command<'a>(&self, dir: &Path, sources: impl Iterator<Item = &'a &'a str>) -> Command {
        let mut command = Command::new(&self.python);
        // -I: no user site, no PYTHON* variables, no working directory on
        // sys.path; the level pip's process would have is given instead.
        command.arg("-I");
        if self.optimize > 0 {
            command.arg(format!("-{}", "O".repeat(self.optimize as usize)));
        }
        command
            .args(["-c", COMPILE])
            .arg(dir)
            .args(sources)
            .current_dir("/");
        if self.checked_hash {
            command.env("SOURCE_DATE_EPOCH", "0");
        } else {
            command.env_remove("SOURCE_DATE_EPOCH");
        }
        command
    }

    /// Waits for one compiling process and reads its answer.
    fn finish(
        &self,
        dir: &Path,
        running: &mut child::Running,
        deadline: Option<Instant>,
    ) -> Result<Vec<String>> {
        let ending = running
            .wait(deadline)
            .map_err(|e| self.failed(dir, format!("cannot wait for it: {e}")))??;
        let Ending::Exited {
            status,
            stdout,
            stderr,
        } = ending
        else {
            return Err(self.failed(
                dir,
                format!(
                    "it did not finish within {} seconds ({COMPILE_LIMIT_FACTOR} times PYVENV_PROBE_TIMEOUT)",
                    self.timeout.unwrap_or_default().as_secs_f64()
                ),
            ));
        };
        if !status.success() {
            return Err(self.failed(
                dir,
                format!(
                    "it failed ({status}): {}",
                    String::from_utf8_lossy(&stderr).trim()
                ),
            ));
        }
        let made: Vec<String> = serde_json::from_slice(&stdout)
            .map_err(|e| self.failed(dir, format!("its answer cannot be read ({e})")))?;
        // Only names below `dir`, as asked: the answer is data, not a path
        // to trust.
        if let Some(odd) = made
            .iter()
            .find(|p| !is_plain_relative(p) || !p.ends_with(".pyc"))
        {
            return Err(self.failed(dir, format!("it named an unexpected file: {odd}")));
        }
        Ok(made)
    }

    fn failed(&self, dir: &Path, reason: String) -> Error {
        Error::CompileFailed {
            python: self.python.clone(),
            dir: dir.to_path_buf(),
            reason,
        }
    }
}

fn is_plain_relative(path: &str) -> bool {
    Path::new(path)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pythonoptimize_reads_as_cpython_reads_it() {
        assert_eq!(BytecodeEnv::optimize_level(None), 0);
        assert_eq!(BytecodeEnv::optimize_level(Some("")), 0);
        assert_eq!(BytecodeEnv::optimize_level(Some("0")), 0);
        assert_eq!(BytecodeEnv::optimize_level(Some("2")), 2);
        assert_eq!(BytecodeEnv::optimize_level(Some("yes")), 1);
        assert_eq!(BytecodeEnv::optimize_level(Some("-3")), 1);
    }

    #[test]
    fn answers_outside_the_directory_are_refused() {
        assert!(is_plain_relative(
            "purelib/pip/__pycache__/a.cpython-312.pyc"
        ));
        assert!(!is_plain_relative("../x.pyc"));
        assert!(!is_plain_relative("/etc/x.pyc"));
    }
}
