//! One invocation: choose the interpreter once, then make each ENV_DIR in
//! order, stopping at the first failure (as `python -m venv` does).

use std::ffi::OsString;
use std::path::PathBuf;

use crate::builder::{self, Surroundings};
use crate::discovery::{PythonRequest, SearchPath};
use crate::error::{Error, Result};
use crate::layout::{Layout, Options};
use crate::validate;

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
}

/// Picks the interpreter request: `-p`, then `PYVENV_PYTHON`, then the
/// program's own name.
pub fn python_request(
    flag: Option<&str>,
    env_var: Option<&OsString>,
    argv0: Option<&OsString>,
) -> Option<PythonRequest> {
    if let Some(flag) = flag {
        return Some(PythonRequest::parse(flag));
    }
    if let Some(value) = env_var.and_then(|v| v.to_str()).filter(|v| !v.is_empty()) {
        return Some(PythonRequest::parse(value));
    }
    argv0.and_then(|a| PythonRequest::from_program_name(std::path::Path::new(a)))
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
    // An interruption while candidates were asked is reported as such,
    // even where the search went on to the next candidate and failed.
    let python = invocation
        .search
        .find(invocation.python.as_ref())
        .map_err(|e| crate::interrupt::received().map_or(e, Error::Interrupted))?;
    validate::interpreter(&python)?;
    let layouts = invocation
        .dirs
        .iter()
        .map(|dir| Layout::plan(dir, &invocation.search.cwd, options, &python))
        .collect::<Result<Vec<_>>>()?;
    for layout in &layouts {
        builder::create(layout, &invocation.surroundings)?;
    }
    Ok(())
}
