//! pip's bytecode: the `__pycache__/*.pyc` files ensurepip's pip leaves
//! beside every module it installs.
//!
//! pip compiles each installed `.py` file with `compileall.compile_file(path,
//! force=True, quiet=True)` (pip 18.1, bundled with 3.6, runs
//! `compileall.compile_dir` over the unpacked wheel, which compiles the same
//! files the same way), whatever `PYTHONDONTWRITEBYTECODE` says, and lists
//! each `.pyc` it made in `RECORD` with no hash and no size. The target
//! interpreter does the same here, once per cache entry, in child
//! processes run under the probe's rules (own process group, a time limit,
//! killed with pyvenv), for every module whose bytecode its own pip did not
//! already leave in its `site-packages` for the same source
//! ([`Compiler::reuse`]). What decides the result is decided here, from
//! what pip's process would see:
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

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::os::child::{self, Ending};
use crate::os::meta;
use crate::os::protected::ProtectedTree;
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
    /// to `dir`. A module whose bytecode the target's own installer left
    /// for the same source is not compiled again ([`Compiler::reuse`]).
    /// The rest is shared between up to one process per core (pip's ~500
    /// modules take a CPython about two seconds of CPU), all started from
    /// this thread and bound by one deadline.
    pub fn compile(&self, dir: &Path, files: &[&str]) -> Result<Vec<String>> {
        let sources: Vec<&str> = files
            .iter()
            .copied()
            .filter(|f| f.ends_with(".py"))
            .collect();
        let (mut made, sources) = self.reuse(dir, &sources);
        made.extend(self.compile_in_children(dir, &sources)?);
        made.sort();
        Ok(made)
    }

    /// Takes, for each module among `sources`, the `.pyc` the target's own
    /// pip left in its `site-packages` when it installed the same file
    /// there (ensurepip's pip, compiling as it compiles here): where that
    /// source is byte for byte this one and its `.pyc`, of this compiler's
    /// name, magic number and optimization level, is stamped valid for it,
    /// the `.pyc` is written beside this source stamped for this one. That
    /// is what compiling would give (a path compiled into the code, which
    /// import replaces, aside), for none of the two seconds. Only a tree
    /// root or the effective user controls is read ([`ProtectedTree`]);
    /// checked-hash bytecode (`SOURCE_DATE_EPOCH`) is always compiled.
    /// Returns the `.pyc` files written and the modules left to compile.
    fn reuse<'a>(&self, dir: &Path, sources: &[&'a str]) -> (Vec<String>, Vec<&'a str>) {
        let tree = (!self.checked_hash && header_has_flags(&self.format.cache_tag))
            .then(|| ProtectedTree::open(&self.format.installed))
            .flatten();
        let magic = hex::decode(&self.format.magic).ok();
        let (Some(mut tree), Some(magic)) = (tree, magic) else {
            return (Vec::new(), sources.to_vec());
        };
        let mut made = Vec::new();
        let mut rest = Vec::new();
        for &source in sources {
            match self.reuse_one(&mut tree, &magic, dir, source) {
                Some(pyc) => made.push(pyc),
                None => rest.push(source),
            }
        }
        (made, rest)
    }

    fn reuse_one(
        &self,
        tree: &mut ProtectedTree,
        magic: &[u8],
        dir: &Path,
        source: &str,
    ) -> Option<String> {
        let pyc = pyc_name(source, &self.format.cache_tag, self.optimize)?;
        let path = dir.join(source);
        let ours = std::fs::read(&path).ok()?;
        let (theirs, facts) = tree.read_below(Path::new(source))?;
        if ours != theirs {
            return None;
        }
        let (compiled, _) = tree.read_below(Path::new(&pyc))?;
        let meta = std::fs::symlink_metadata(&path).ok()?;
        let stamp = |mtime: i64, size: u64| (mtime as u32, size as u32);
        let bytes = restamp(
            &compiled,
            magic,
            stamp(facts.mtime.0, facts.size),
            stamp(meta::mtime(&meta).0, meta.len()),
        )?;
        let dest = dir.join(&pyc);
        std::fs::create_dir_all(dest.parent()?).ok()?;
        // py_compile's mode: the source's, writable by its owner, under
        // the umask.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        meta::with_mode(&mut options, (meta::mode(&meta) | 0o200) & 0o666);
        let mut file = options.open(&dest).ok()?;
        if file.write_all(&bytes).is_err() {
            drop(file);
            let _ = std::fs::remove_file(&dest);
            return None;
        }
        Some(pyc)
    }

    /// Compiles `sources` in child processes of the target interpreter.
    fn compile_in_children(&self, dir: &Path, sources: &[&str]) -> Result<Vec<String>> {
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

/// Where `importlib.util.cache_from_source` puts the bytecode of
/// `source` (`/`-separated, relative) for `cache_tag` at `optimize`.
fn pyc_name(source: &str, cache_tag: &str, optimize: u32) -> Option<String> {
    let (parent, file) = source.rsplit_once('/').unwrap_or(("", source));
    let stem = file.strip_suffix(".py").filter(|s| !s.is_empty())?;
    let level = match optimize {
        0 => String::new(),
        n => format!(".opt-{n}"),
    };
    let pyc = format!("__pycache__/{stem}.{cache_tag}{level}.pyc");
    Some(match parent {
        "" => pyc,
        parent => format!("{parent}/{pyc}"),
    })
}

/// Whether the `.pyc` header of `cache_tag`'s interpreter has PEP 552's
/// flags word (3.7 and later: 16 bytes, against 3.6's 12).
fn header_has_flags(cache_tag: &str) -> bool {
    let digits: String = cache_tag
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits
        .get(1..)
        .and_then(|minor| minor.parse::<u32>().ok())
        .is_some_and(|minor| digits.starts_with('3') && minor >= 7)
}

/// `pyc`, a timestamp-stamped `.pyc` of `magic` valid for a source of
/// `theirs` (mtime seconds and size, as the header keeps them: the low 32
/// bits), stamped instead for a source of `ours`; `None` for any other
/// `.pyc` (another format, a hash-based one, or one stale for its source).
fn restamp(pyc: &[u8], magic: &[u8], theirs: (u32, u32), ours: (u32, u32)) -> Option<Vec<u8>> {
    let word = |at: usize| {
        pyc.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
    };
    let valid = magic.len() == 4
        && pyc.get(..4) == Some(magic)
        && word(4) == Some(0)
        && word(8) == Some(theirs.0)
        && word(12) == Some(theirs.1);
    if !valid {
        return None;
    }
    let mut out = Vec::with_capacity(pyc.len());
    out.extend_from_slice(magic);
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&ours.0.to_le_bytes());
    out.extend_from_slice(&ours.1.to_le_bytes());
    out.extend_from_slice(pyc.get(16..)?);
    Some(out)
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
    fn bytecode_is_named_as_cache_from_source_names_it() {
        assert_eq!(
            pyc_name("pip/_internal/main.py", "cpython-312", 0).as_deref(),
            Some("pip/_internal/__pycache__/main.cpython-312.pyc")
        );
        assert_eq!(
            pyc_name("six.py", "pypy311", 2).as_deref(),
            Some("__pycache__/six.pypy311.opt-2.pyc")
        );
        assert_eq!(pyc_name("pip/.py", "cpython-312", 0), None);
        assert_eq!(pyc_name("pip/x.pyi", "cpython-312", 0), None);
    }

    #[test]
    fn only_3_7_and_later_have_the_flags_word() {
        for tag in ["cpython-37", "cpython-312", "cpython-315", "pypy311"] {
            assert!(header_has_flags(tag), "{tag}");
        }
        for tag in [
            "cpython-36",
            "pypy36",
            "cpython-27",
            "cpython",
            "",
            "ironpython-3",
        ] {
            assert!(!header_has_flags(tag), "{tag}");
        }
    }

    fn header(magic: &[u8], flags: u32, mtime: u32, size: u32) -> Vec<u8> {
        let mut pyc = magic.to_vec();
        for word in [flags, mtime, size] {
            pyc.extend_from_slice(&word.to_le_bytes());
        }
        pyc
    }

    #[test]
    fn a_valid_pyc_is_restamped_for_the_other_source_and_nothing_else() {
        let magic = [0xcb, 0x0d, 0x0d, 0x0a];
        let mut pyc = header(&magic, 0, 1_700_000_000, 42);
        pyc.extend_from_slice(b"code");
        let mut expected = header(&magic, 0, 1_800_000_000, 42);
        expected.extend_from_slice(b"code");
        let theirs = (1_700_000_000, 42);
        let ours = (1_800_000_000, 42);
        assert_eq!(restamp(&pyc, &magic, theirs, ours), Some(expected));
        // Stale for its own source, by time or by size.
        assert_eq!(restamp(&pyc, &magic, (1_700_000_001, 42), ours), None);
        assert_eq!(restamp(&pyc, &magic, (1_700_000_000, 43), ours), None);
        // Another interpreter's, hash-based, or cut short.
        assert_eq!(restamp(&pyc, &[0xcb, 0x0d, 0x0d, 0x0b], theirs, ours), None);
        assert_eq!(restamp(&pyc, &magic[..3], theirs, ours), None);
        let mut hashed = header(&magic, 3, 1_700_000_000, 42);
        hashed.extend_from_slice(b"code");
        assert_eq!(restamp(&hashed, &magic, theirs, ours), None);
        assert_eq!(restamp(&pyc[..15], &magic, theirs, ours), None);
        // A header alone is a module with no code: nothing to take.
        assert_eq!(
            restamp(&pyc[..16], &magic, theirs, ours).map(|p| p.len()),
            Some(16)
        );
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
