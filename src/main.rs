//! The `pyvenv` binary: gather the process's inputs, run, and turn a
//! failure into `Error: ...` and exit status 1 (clap exits 2 on usage errors).

use std::process::ExitCode;

use pyvenv::builder::Surroundings;
use pyvenv::cli::{Cli, no_cache_requested};
use pyvenv::discovery::SearchPath;
use pyvenv::interpreter::PROBE_TIMEOUT;
use pyvenv::report::{Reporter, Verbosity};
use pyvenv::run::{CacheOrigin, Invocation, python_choice, run};
use pyvenv::seed::SeedEnv;
use std::time::Duration;

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    let cli = Cli::parse_from_os(args.clone());
    pyvenv::interrupt::install();
    match dispatch(&cli, args.first()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error}");
            let code = error
                .downcast_ref::<pyvenv::error::Error>()
                .map_or(1, pyvenv::error::Error::exit_code);
            ExitCode::from(code)
        }
    }
}

/// `--generate` and `--cache-clean` stand alone; anything else makes
/// environments.
fn dispatch(cli: &Cli, argv0: Option<&std::ffi::OsString>) -> anyhow::Result<()> {
    if let Some(kind) = cli.generate {
        let mut out = std::io::stdout().lock();
        return pyvenv::generate::generate(kind, &mut out)
            .map_err(|e| anyhow::anyhow!("cannot write to stdout: {e}"));
    }
    if cli.cache_clean {
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        let (cache, _) = cache_choice(cli, home.as_deref(), false)?;
        let Some(cache) = cache else {
            anyhow::bail!(
                "no cache directory is known: set PYVENV_CACHE_DIR or HOME, or pass --cache-dir"
            );
        };
        pyvenv::cache_clean::clean(&cache, &reporter(cli))?;
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
    home: Option<&std::path::Path>,
    honour_no_cache: bool,
) -> anyhow::Result<(Option<std::path::PathBuf>, CacheOrigin)> {
    let no_cache_var = std::env::var_os("PYVENV_NO_CACHE");
    if honour_no_cache && no_cache_requested(cli.no_cache, no_cache_var.as_deref()) {
        return Ok((None, CacheOrigin::Disabled));
    }
    if let Some(dir) = &cli.cache_dir {
        let cwd = std::env::current_dir()
            .map_err(|e| anyhow::anyhow!("cannot read the working directory: {e}"))?;
        return Ok((Some(pyvenv::paths::absolute(&cwd, dir)), CacheOrigin::Flag));
    }
    let origin = if std::env::var_os("PYVENV_CACHE_DIR")
        .is_some_and(|v| std::path::Path::new(&v).is_absolute())
    {
        CacheOrigin::EnvVar
    } else if std::env::var_os("XDG_CACHE_HOME")
        .is_some_and(|v| std::path::Path::new(&v).is_absolute())
    {
        CacheOrigin::XdgCacheHome
    } else if home.is_some() {
        CacheOrigin::Home
    } else {
        CacheOrigin::Unknown
    };
    Ok((cache_dir(home), origin))
}

fn invocation(cli: &Cli, argv0: Option<&std::ffi::OsString>) -> anyhow::Result<Invocation> {
    let cwd = std::env::current_dir()
        .map_err(|e| anyhow::anyhow!("cannot read the working directory: {e}"))?;
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let pyenv_root = std::env::var_os("PYENV_ROOT")
        .map(std::path::PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".pyenv")));
    let (cache, cache_origin) = cache_choice(cli, home.as_deref(), true)?;
    let (python, python_source) = python_choice(
        cli.python.as_deref(),
        std::env::var_os("PYVENV_PYTHON").as_ref(),
        argv0,
    );
    Ok(Invocation {
        dirs: cli.dirs.iter().map(std::path::PathBuf::from).collect(),
        options: pyvenv::layout::Options {
            route: route_choice(),
            ..cli.options()
        },
        python,
        python_source,
        cache_origin,
        search: SearchPath {
            path: std::env::var_os("PATH"),
            pyenv_root,
            cwd,
            timeout: probe_timeout(),
            facts_cache: cache.clone(),
            pyenv_env: pyvenv::pyenv::PyenvEnv::from_process(),
        },
        surroundings: Surroundings {
            seed: SeedEnv {
                cache_dir: cache,
                umask: current_umask(),
                ..SeedEnv::default()
            },
            home,
            report: reporter(cli),
        },
    })
}

/// pyvenv's cache: `PYVENV_CACHE_DIR`, else `$XDG_CACHE_HOME/pyvenv`, else
/// `~/.cache/pyvenv`; `None` (no cache) when none of them is known.
fn cache_dir(home: Option<&std::path::Path>) -> Option<std::path::PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .map(std::path::PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    var("PYVENV_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("pyvenv")))
        .or_else(|| home.map(|h| h.join(".cache/pyvenv")))
}

/// The umask, which pip's file modes follow (read by setting it and
/// putting it back, the only way POSIX offers).
fn current_umask() -> u32 {
    use rustix::fs::Mode;
    let mask = rustix::process::umask(Mode::empty());
    rustix::process::umask(mask);
    mask.bits()
}

/// `PYVENV_TEST_DELEGATE=1`, a switch for tests: build with the target's
/// own venv even where pyvenv has rules for it, so the two can be compared.
fn route_choice() -> pyvenv::layout::RouteChoice {
    match std::env::var_os("PYVENV_TEST_DELEGATE") {
        Some(v) if v == "1" => pyvenv::layout::RouteChoice::Delegated,
        _ => pyvenv::layout::RouteChoice::Auto,
    }
}

/// `PYVENV_PROBE_TIMEOUT` (seconds) bounds how long an interpreter may take
/// to say what it is; a hung one must not hang a provisioning script.
fn probe_timeout() -> Duration {
    std::env::var("PYVENV_PROBE_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(PROBE_TIMEOUT, Duration::from_secs_f64)
}
