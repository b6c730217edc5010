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
use pyvenv::cli::{Cli, no_cache_requested};
use pyvenv::interpreter::discovery::{PythonRequest, SearchPath};
use pyvenv::interpreter::probe::PROBE_TIMEOUT;
use pyvenv::os::host::HOME_VAR;
use pyvenv::report::{Reporter, Verbosity};
use pyvenv::run::{CacheOrigin, Invocation, python_choice, run};
use pyvenv::seed::SeedEnv;
use pyvenv::seed::bytecode::BytecodeEnv;
use pyvenv::seed::bytecode::COMPILE_LIMIT_FACTOR;

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    let cli = Cli::parse_from_os(args.clone());
    pyvenv::os::interrupt::install();
    match dispatch(&cli, args.first()) {
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

/// `--generate` and `--cache-clean` stand alone; anything else makes
/// environments.
fn dispatch(cli: &Cli, argv0: Option<&OsString>) -> anyhow::Result<()> {
    if let Some(kind) = cli.generate {
        let mut out = std::io::stdout().lock();
        return pyvenv::generate::generate(kind, &mut out)
            .map_err(|e| anyhow::anyhow!("cannot write to stdout: {e}"));
    }
    if cli.cache_clean {
        let home = absolute_var(HOME_VAR);
        let (cache, _) = cache_choice(cli, home.as_deref(), false)?;
        let Some(cache) = cache else {
            anyhow::bail!(
                "no cache directory is known: set PYVENV_CACHE_DIR or {HOME_VAR}, or pass --cache-dir"
            );
        };
        pyvenv::seed::cache::clean::clean(&cache, &reporter(cli))?;
        return Ok(());
    }
    Ok(run(&invocation(cli, argv0)?)?)
}

fn reporter(cli: &Cli) -> Reporter {
    Reporter::new(match (cli.verbose, cli.quiet) {
        (true, _) => Verbosity::Verbose,
        (_, true) => Verbosity::Quiet,
        _ => Verbosity::Normal,
    })
}

/// The cache directory and where it came from: `--no-cache` and
/// `PYVENV_NO_CACHE` (when `honour_no_cache`) mean none, then
/// `--cache-dir` (relative to the working directory), then the variables.
fn cache_choice(
    cli: &Cli,
    home: Option<&Path>,
    honour_no_cache: bool,
) -> anyhow::Result<(Option<PathBuf>, CacheOrigin)> {
    let no_cache_var = std::env::var_os("PYVENV_NO_CACHE");
    if honour_no_cache && no_cache_requested(cli.no_cache, no_cache_var.as_deref()) {
        return Ok((None, CacheOrigin::Disabled));
    }
    if let Some(dir) = &cli.cache_dir {
        let cwd = std::env::current_dir()
            .map_err(|e| anyhow::anyhow!("cannot read the working directory: {e}"))?;
        return Ok((
            Some(pyvenv::os::paths::absolute(&cwd, dir)),
            CacheOrigin::Flag,
        ));
    }
    let cache = cache_dir(home)?;
    let origin =
        if std::env::var_os("PYVENV_CACHE_DIR").is_some_and(|v| Path::new(&v).is_absolute()) {
            CacheOrigin::EnvVar
        } else if std::env::var_os("XDG_CACHE_HOME").is_some_and(|v| Path::new(&v).is_absolute()) {
            CacheOrigin::XdgCacheHome
        } else if home.is_some() {
            CacheOrigin::Home
        } else {
            CacheOrigin::Unknown
        };
    Ok((cache, origin))
}

fn invocation(cli: &Cli, argv0: Option<&OsString>) -> anyhow::Result<Invocation> {
    let dirs: Vec<PathBuf> = cli.dirs.iter().map(PathBuf::from).collect();
    let (python, python_source) = python_choice(
        cli.python.as_deref(),
        std::env::var_os("PYVENV_PYTHON").as_ref(),
        argv0,
    );
    let cwd = working_directory(&dirs, python.as_ref(), cli.prompt.as_deref())?;
    // An empty or relative HOME or PYENV_ROOT would put the cache and the
    // interpreter search wherever the run happens to start: treated as unset.
    let home = absolute_var(HOME_VAR);
    // pyenv's own default, from `HOME` on every host (pyenv-win keeps its
    // versions elsewhere, and is not searched).
    let pyenv_root =
        absolute_var("PYENV_ROOT").or_else(|| absolute_var("HOME").map(|h| h.join(".pyenv")));
    let (cache, cache_origin) = cache_choice(cli, home.as_deref(), true)?;
    let report = reporter(cli);
    let (cache, cache_origin) = match cache.map(|dir| trusted_cache(&dir, &report)) {
        Some(None) => (None, CacheOrigin::Untrusted),
        held => (held.flatten(), cache_origin),
    };
    let search_cwd = cwd.clone();
    let timeout = probe_timeout(std::env::var_os("PYVENV_PROBE_TIMEOUT").as_deref())?;
    Ok(Invocation {
        dirs,
        options: pyvenv::plan::options::Options {
            route: route_choice(),
            ..cli.options()
        },
        python,
        python_source,
        cache_origin,
        search: SearchPath {
            path: std::env::var_os("PATH"),
            pyenv_root,
            cwd: search_cwd,
            timeout,
            facts_cache: cache.clone(),
            pyenv_env: pyvenv::interpreter::pyenv::PyenvEnv::from_process(),
            host: pyvenv::os::host::HOST,
            host_lists: std::cell::OnceCell::new(),
        },
        surroundings: Surroundings {
            seed: SeedEnv {
                cache_dir: cache,
                umask: pyvenv::os::meta::umask(),
                bytecode: BytecodeEnv {
                    optimize: BytecodeEnv::optimize_level(
                        std::env::var("PYTHONOPTIMIZE").ok().as_deref(),
                    ),
                    source_date_epoch: std::env::var_os("SOURCE_DATE_EPOCH")
                        .is_some_and(|v| !v.is_empty()),
                    // Compiling pip is a hundred times a probe's work, and
                    // ensurepip, which does it under venv, has no limit: a
                    // loaded machine must not fail where venv succeeds.
                    timeout: Some(timeout.saturating_mul(COMPILE_LIMIT_FACTOR)),
                },
                ..SeedEnv::default()
            },
            home,
            report,
            cwd,
        },
    })
}

/// The cache directory `dir`, held open, if the effective user alone
/// controls it; otherwise the run goes without, saying why unless `-q`.
fn trusted_cache(dir: &Path, report: &Reporter) -> Option<pyvenv::os::trust::PrivateDir> {
    // Where no directory can be trusted (Windows, for now), every run goes
    // without, silently: saying so each time would only be noise.
    if !pyvenv::os::trust::SUPPORTED {
        return None;
    }
    match pyvenv::seed::cache::clean::open_trusted(dir, true) {
        Ok(held) => Some(held),
        Err(reason) => {
            report.warn(format_args!(
                "not using the cache {}: {reason}",
                dir.display()
            ));
            None
        }
    }
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

/// `PYVENV_TEST_DELEGATE=1`, a switch for tests: build with the target's
/// own venv even where pyvenv has rules for it, so the two can be compared.
fn route_choice() -> pyvenv::plan::options::RouteChoice {
    match std::env::var_os("PYVENV_TEST_DELEGATE") {
        Some(v) if v == "1" => pyvenv::plan::options::RouteChoice::Delegated,
        _ => pyvenv::plan::options::RouteChoice::Auto,
    }
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
