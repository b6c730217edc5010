//! One invocation: choose the interpreter once, then make each ENV_DIR in
//! order, stopping at the first failure (as `python -m venv` does).

use std::ffi::OsString;
use std::path::PathBuf;

use crate::builder::{self, Surroundings};
use crate::error::{Error, Result};
use crate::interpreter::discovery::{PythonRequest, SearchPath};
use crate::interpreter::probe::BaseInterpreter;
use crate::plan::layout::Layout;
use crate::plan::options::{Options, Seeder};
use crate::plan::validate;
use crate::seed::cache::clean::CacheLock;

/// Everything one run needs, gathered by `main` from the process.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The directories to make, as given.
    pub dirs: Vec<PathBuf>,
    /// The flags.
    pub options: Options,
    /// `-p`, else `PYVENV_PYTHON`, else the program's name; `None`: default.
    pub python: Option<PythonRequest>,
    /// Where to look for interpreters.
    pub search: SearchPath,
    /// What lies around the environment.
    pub surroundings: Surroundings,
    /// Where `python` came from, for `-v`.
    pub python_source: PythonSource,
    /// Where the cache directory (or its absence) came from, for `-v`.
    pub cache_origin: CacheOrigin,
}

/// How the interpreter request was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PythonSource {
    /// `-p/--python`.
    Flag,
    /// The `PYVENV_PYTHON` variable.
    EnvVar,
    /// A version in the program's name (`pyvenv-3.12`).
    ProgramName,
    /// Nothing asked: `python3`, then `python`, on PATH.
    #[default]
    Default,
}

impl PythonSource {
    /// Who asked for `request`, for an error that cannot satisfy it:
    /// `-p/--python`, `PYVENV_PYTHON`, or the program's name as invoked.
    fn asking(self, request: Option<&PythonRequest>) -> Option<String> {
        match (self, request) {
            (PythonSource::Flag, _) => Some("-p/--python".into()),
            (PythonSource::EnvVar, _) => Some("PYVENV_PYTHON".into()),
            (PythonSource::ProgramName, Some(PythonRequest::Version(parts))) => {
                let parts: Vec<String> = parts.iter().map(u32::to_string).collect();
                Some(format!("the program's name, pyvenv-{}", parts.join(".")))
            }
            _ => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            PythonSource::Flag => "-p/--python",
            PythonSource::EnvVar => "PYVENV_PYTHON",
            PythonSource::ProgramName => "the program's name",
            PythonSource::Default => "the default (python3, then python, on PATH)",
        }
    }
}

/// Where the cache directory came from, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheOrigin {
    /// `--cache-dir`.
    Flag,
    /// `PYVENV_CACHE_DIR`.
    EnvVar,
    /// `$XDG_CACHE_HOME/pyvenv`.
    XdgCacheHome,
    /// `~/.cache/pyvenv`.
    Home,
    /// `--no-cache` or `PYVENV_NO_CACHE`.
    Disabled,
    /// No home directory, nor any variable naming one.
    #[default]
    Unknown,
}

impl CacheOrigin {
    fn describe(self) -> &'static str {
        match self {
            CacheOrigin::Flag => "from --cache-dir",
            CacheOrigin::EnvVar => "from PYVENV_CACHE_DIR",
            CacheOrigin::XdgCacheHome => "under XDG_CACHE_HOME",
            CacheOrigin::Home => "under the home directory",
            CacheOrigin::Disabled => "--no-cache or PYVENV_NO_CACHE",
            CacheOrigin::Unknown => "no home directory to keep one in",
        }
    }
}

/// How pip gets into an environment, as planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The target's own venv makes the environment (pyvenv has no rules
    /// for it).
    Delegated,
    /// pyvenv installs the bundled wheels itself.
    Native,
    /// The target's own ensurepip runs.
    Ensurepip,
    /// No pip (`--without-pip`, or `--upgrade` leaving pip be).
    NoPip,
}

impl Route {
    /// The route `layout` plans.
    pub fn of(layout: &Layout) -> Route {
        if layout.delegation.is_some() {
            return Route::Delegated;
        }
        match &layout.ensurepip {
            None => Route::NoPip,
            Some(_) if layout.seeder == Seeder::Native && layout.has_ensurepip => Route::Native,
            Some(_) => Route::Ensurepip,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Route::Delegated => "delegated (the target's own venv makes it)",
            Route::Native => "native (pyvenv installs the bundled pip wheels)",
            Route::Ensurepip => "ensurepip (the target's own)",
            Route::NoPip => "no pip",
        }
    }
}

/// Picks the interpreter request: `-p`, then `PYVENV_PYTHON`, then the
/// program's own name.
pub fn python_request(
    flag: Option<&str>,
    env_var: Option<&OsString>,
    argv0: Option<&OsString>,
) -> Option<PythonRequest> {
    python_choice(flag, env_var, argv0).0
}

/// [`python_request`], and where the request came from.
pub fn python_choice(
    flag: Option<&str>,
    env_var: Option<&OsString>,
    argv0: Option<&OsString>,
) -> (Option<PythonRequest>, PythonSource) {
    if let Some(flag) = flag {
        return (Some(PythonRequest::parse(flag)), PythonSource::Flag);
    }
    if let Some(value) = env_var.and_then(|v| v.to_str()).filter(|v| !v.is_empty()) {
        return (Some(PythonRequest::parse(value)), PythonSource::EnvVar);
    }
    match argv0.and_then(|a| PythonRequest::from_program_name(std::path::Path::new(a))) {
        Some(request) => (Some(request), PythonSource::ProgramName),
        None => (None, PythonSource::Default),
    }
}

/// Makes every environment; the first failure ends the run.
pub fn run(invocation: &Invocation) -> Result<()> {
    let options = &invocation.options;
    if options.upgrade && options.clear {
        return Err(Error::UpgradeWithClear);
    }
    // What can never work is refused before the interpreter is asked and
    // before any ENV_DIR is made, so a run does not stop halfway.
    for dir in &invocation.dirs {
        validate::env_dir(dir, &invocation.search.cwd)?;
    }
    validate::prompt(options.prompt.as_deref())?;
    let around = &invocation.surroundings;
    let report = &around.report;
    let cache = invocation.surroundings.seed.cache_dir.as_deref();
    match cache {
        Some(dir) => report.info(format_args!(
            "cache: {} ({})",
            dir.display(),
            invocation.cache_origin.describe()
        )),
        None => report.info(format_args!(
            "cache: none ({})",
            invocation.cache_origin.describe()
        )),
    }
    // Held for the whole run, so `--cache-clean` never empties an entry
    // this run is linking from.
    let _lock = cache.and_then(CacheLock::shared);
    // An interruption while candidates were asked is reported as such,
    // even where the search went on to the next candidate and failed.
    let python = report
        .timed(format_args!("find the interpreter"), || {
            invocation.search.find(invocation.python.as_ref())
        })
        .map_err(|e| crate::os::interrupt::received().map_or(e, Error::Interrupted))
        .map_err(|e| e.asked_by(invocation.python_source.asking(invocation.python.as_ref())))?;
    validate::interpreter(&python)?;
    report_python(invocation, &python);
    let mut layouts = Vec::with_capacity(invocation.dirs.len());
    for dir in &invocation.dirs {
        layouts.push(report.timed(format_args!("plan {}", dir.display()), || {
            Layout::plan(dir, &invocation.search.cwd, options, &python)
        })?);
    }
    for layout in &layouts {
        report.info(format_args!("route: {}", Route::of(layout).describe()));
        report
            .timed(format_args!("make {}", layout.env_dir.display()), || {
                builder::create(layout, around)
            })
            .map_err(|e| builder::obstacle::explain(e, &layout.env_dir))?;
    }
    Ok(())
}

/// `-v`'s account of the interpreter: which, how it was chosen, its version.
fn report_python(invocation: &Invocation, python: &BaseInterpreter) {
    let asked = match &invocation.python {
        Some(PythonRequest::Path(path)) => format!(" {}", path.display()),
        Some(PythonRequest::Command(name)) => format!(" {name}"),
        Some(PythonRequest::Version(parts)) => {
            let parts: Vec<String> = parts.iter().map(u32::to_string).collect();
            format!(" {}", parts.join("."))
        }
        None => String::new(),
    };
    let report = &invocation.surroundings.report;
    if report.is_verbose()
        && let Some(note) = invocation.search.shim_note(invocation.python.as_ref())
    {
        report.info(format_args!("{note}"));
    }
    let (major, minor, micro) = python.version;
    report.info(format_args!(
        "interpreter: {} ({} {major}.{minor}.{micro}), chosen by {}{asked}",
        python.executable.display(),
        python.implementation,
        invocation.python_source.describe(),
    ));
}
