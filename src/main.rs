//! The `pyvenv` binary: gather the process's inputs, run, and turn a
//! failure into `Error: ...` and exit status 1 (clap exits 2 on usage errors).

use std::process::ExitCode;

use pyvenv::builder::Surroundings;
use pyvenv::cli::Cli;
use pyvenv::discovery::SearchPath;
use pyvenv::interpreter::PROBE_TIMEOUT;
use pyvenv::run::{Invocation, python_request, run};
use pyvenv::seed::SeedEnv;
use std::time::Duration;

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    let cli = Cli::parse_from_os(args.clone());
    pyvenv::interrupt::install();
    match invocation(&cli, args.first()).and_then(|inv| Ok(run(&inv)?)) {
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

fn invocation(cli: &Cli, argv0: Option<&std::ffi::OsString>) -> anyhow::Result<Invocation> {
    let cwd = std::env::current_dir()
        .map_err(|e| anyhow::anyhow!("cannot read the working directory: {e}"))?;
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let pyenv_root = std::env::var_os("PYENV_ROOT")
        .map(std::path::PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".pyenv")));
    let cache = cache_dir(home.as_deref());
    Ok(Invocation {
        dirs: cli.dirs.iter().map(std::path::PathBuf::from).collect(),
        options: cli.options(),
        python: python_request(
            cli.python.as_deref(),
            std::env::var_os("PYVENV_PYTHON").as_ref(),
            argv0,
        ),
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

/// `PYVENV_PROBE_TIMEOUT` (seconds) bounds how long an interpreter may take
/// to say what it is; a hung one must not hang a provisioning script.
fn probe_timeout() -> Duration {
    std::env::var("PYVENV_PROBE_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(PROBE_TIMEOUT, Duration::from_secs_f64)
}
