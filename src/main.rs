//! The `pyvenv` binary: gather the process's inputs, run, and turn a
//! failure into `Error: ...` and exit status 1 (clap exits 2 on usage errors).
//!
//! Every environment variable is read here, once, and an unusable value is
//! a clear error, never a panic and never silently ignored.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use pyvenv::builder::Surroundings;
use pyvenv::cli::Cli;
use pyvenv::discovery::{PythonRequest, SearchPath};
use pyvenv::interpreter::PROBE_TIMEOUT;
use pyvenv::run::{Invocation, python_request, run};
use pyvenv::seed::SeedEnv;

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    let cli = Cli::parse_from_os(args.clone());
    pyvenv::interrupt::install();
    match invocation(&cli, args.first()).and_then(|inv| Ok(run(&inv)?)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // A closed or full stderr must not turn a failure into a panic;
            // the exit status still tells.
            let _ = writeln!(std::io::stderr(), "Error: {error}");
            let code = error
                .downcast_ref::<pyvenv::error::Error>()
                .map_or(1, pyvenv::error::Error::exit_code);
            ExitCode::from(code)
        }
    }
}

fn invocation(cli: &Cli, argv0: Option<&OsString>) -> anyhow::Result<Invocation> {
    let dirs: Vec<PathBuf> = cli.dirs.iter().map(PathBuf::from).collect();
    let python = python_request(
        cli.python.as_deref(),
        std::env::var_os("PYVENV_PYTHON").as_ref(),
        argv0,
    );
    let cwd = working_directory(&dirs, python.as_ref(), cli.prompt.as_deref())?;
    // An empty or relative HOME or PYENV_ROOT would put the cache and the
    // interpreter search wherever the run happens to start: treated as unset.
    let home = absolute_var("HOME");
    let pyenv_root = absolute_var("PYENV_ROOT").or_else(|| home.as_ref().map(|h| h.join(".pyenv")));
    let cache = cache_dir(home.as_deref())?;
    let search_cwd = cwd.clone();
    Ok(Invocation {
        dirs,
        options: cli.options(),
        python,
        search: SearchPath {
            path: std::env::var_os("PATH"),
            pyenv_root,
            cwd: search_cwd,
            timeout: probe_timeout(std::env::var_os("PYVENV_PROBE_TIMEOUT").as_deref())?,
            facts_cache: cache.clone(),
        },
        surroundings: Surroundings {
            seed: SeedEnv {
                cache_dir: cache,
                umask: current_umask(),
                ..SeedEnv::default()
            },
            home,
            cwd,
        },
    })
}

/// The working directory. One that was deleted is no obstacle when nothing
/// needs it (every ENV_DIR absolute, no relative `-p`, no `--prompt .`), as
/// `python -m venv` then never asks for it either; `/` stands in for it.
fn working_directory(
    dirs: &[PathBuf],
    python: Option<&PythonRequest>,
    prompt: Option<&str>,
) -> anyhow::Result<PathBuf> {
    match std::env::current_dir() {
        Ok(cwd) => Ok(cwd),
        Err(e) => {
            let relative_python = matches!(python, Some(PythonRequest::Path(p)) if p.is_relative());
            if dirs.iter().all(|d| d.is_absolute()) && !relative_python && prompt != Some(".") {
                Ok(PathBuf::from("/"))
            } else {
                bail!("cannot read the working directory: {e}")
            }
        }
    }
}

/// An environment variable holding an absolute path; `None` when it is
/// unset, empty or relative.
fn absolute_var(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

/// pyvenv's cache: `PYVENV_CACHE_DIR`, else `$XDG_CACHE_HOME/pyvenv` (a
/// relative one is ignored, as the XDG specification says), else
/// `~/.cache/pyvenv`; `None` (no cache) when none of them is known. A
/// relative `PYVENV_CACHE_DIR` was meant, so it is an error, not a guess.
fn cache_dir(home: Option<&Path>) -> anyhow::Result<Option<PathBuf>> {
    if let Some(dir) = std::env::var_os("PYVENV_CACHE_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        if dir.is_relative() {
            bail!(
                "PYVENV_CACHE_DIR={} is not an absolute path; give the cache's full path",
                dir.display()
            );
        }
        return Ok(Some(dir));
    }
    Ok(absolute_var("XDG_CACHE_HOME")
        .map(|d| d.join("pyvenv"))
        .or_else(|| home.map(|h| h.join(".cache/pyvenv"))))
}

/// The umask, which pip's file modes follow (read by setting it and
/// putting it back, the only way POSIX offers).
fn current_umask() -> u32 {
    use rustix::fs::Mode;
    let mask = rustix::process::umask(Mode::empty());
    rustix::process::umask(mask);
    mask.bits()
}

/// `PYVENV_PROBE_TIMEOUT` (seconds) bounds how long an interpreter may take
/// to say what it is; a hung one must not hang a provisioning script.
/// Unset or empty: the default. A value too large for a clock means no
/// practical limit; one that is not a positive number is an error.
fn probe_timeout(value: Option<&OsStr>) -> anyhow::Result<Duration> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(PROBE_TIMEOUT);
    };
    let seconds = value
        .to_str()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0);
    match seconds {
        Some(s) => Ok(Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX)),
        None => bail!(
            "PYVENV_PROBE_TIMEOUT={} is not a positive number of seconds",
            value.to_string_lossy()
        ),
    }
}
