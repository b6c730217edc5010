//! How pip gets into the environment, and `--upgrade-deps`.
//!
//! Two routes lead to the same result. The native one (the default, in
//! [`native`]) installs the wheels the target's ensurepip would use,
//! straight from pyvenv's wheel cache, with no Python process. The other
//! runs the target's own `ensurepip` with the environment's python exactly
//! as the target's venv runs it; it stays selectable (`--seeder ensurepip`)
//! and is what the native route hands over to when it meets something it
//! does not do itself (another version of pip already installed).
//!
//! The stage writes only inside the environment the plan describes and in
//! pyvenv's own cache ([`cache`]); it never changes the target
//! interpreter's installation and decides no paths of its own.

pub mod bytecode;
pub mod cache;
pub mod relocate;
pub mod wheel;

mod native;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};

use crate::os::child;

use crate::error::{Error, Result};
use crate::plan::layout::{CallStyle, Layout, PythonCall};
use crate::plan::options::Seeder;

/// What seeding needs from the world outside the layout, gathered by `main`.
#[derive(Debug, Clone)]
pub struct SeedEnv {
    /// pyvenv's cache directory; `None`: install without a cache.
    pub cache_dir: Option<crate::os::trust::PrivateDir>,
    /// The process's umask, which pip's file modes follow.
    pub umask: u32,
    /// Cache entries this run has loaded, by wheel, so making many
    /// environments in one call reads each manifest once (each file is
    /// still checked before every link).
    pub loaded: Arc<Mutex<HashMap<PathBuf, Arc<crate::seed::cache::Entry>>>>,
    /// What decides the bytecode pip would compile.
    pub bytecode: bytecode::BytecodeEnv,
}

impl Default for SeedEnv {
    fn default() -> Self {
        SeedEnv {
            cache_dir: None,
            umask: 0o022,
            loaded: Arc::default(),
            bytecode: bytecode::BytecodeEnv::default(),
        }
    }
}

/// Installs pip (and setuptools where the target bundles it) by the route
/// the layout names.
pub fn install_pip(layout: &Layout, call: &PythonCall, env: &SeedEnv) -> Result<()> {
    if layout.seeder == Seeder::Native && layout.has_ensurepip {
        match native::install(layout, call, env)? {
            native::Outcome::Installed => return Ok(()),
            native::Outcome::HandOver => {}
        }
    }
    ensurepip(layout, call)
}

/// Bootstraps pip with `python -m ensurepip --upgrade --default-pip`.
pub fn ensurepip(layout: &Layout, call: &PythonCall) -> Result<()> {
    if !layout.has_ensurepip {
        return Err(Error::EnsurepipMissing {
            python: layout.base_executable.clone(),
            package: layout.venv_package.clone(),
        });
    }
    // ensurepip's chatter is captured, as CPython's check_output does, and
    // shown only if it fails.
    let finished = child::run_captured(&mut command_for(layout, call), &layout.env_exe)?;
    if finished.status.success() {
        // pip ran in the staging directory and wrote its path into the
        // console scripts; the native route writes the final path itself.
        return relocate::console_scripts(layout);
    }
    Err(Error::CommandFailed {
        command: describe(layout, call),
        status: finished.status.to_string(),
        output: finished.output,
    })
}

/// `--upgrade-deps`: `python -m pip install --upgrade pip [setuptools]`.
/// Silent on success (as `python -m venv --upgrade-deps` is, which logs
/// pip's output rather than printing it); on failure the command and what
/// pip printed make the error.
pub fn upgrade_deps(layout: &Layout, call: &PythonCall) -> Result<()> {
    let finished = child::run_captured(&mut command_for(layout, call), &layout.env_exe)?;
    if finished.status.success() {
        relocate::console_scripts(layout)
    } else {
        Err(Error::CommandFailed {
            command: describe(layout, call),
            status: finished.status.to_string(),
            output: finished.output,
        })
    }
}

fn command_for(layout: &Layout, call: &PythonCall) -> Command {
    let mut command = Command::new(&layout.env_exe);
    command.args(&call.args);
    if call.style == CallStyle::InsideEnv {
        command
            // `root`: while a new environment is staged, that is where it is.
            .env("VIRTUAL_ENV", &layout.root)
            .env_remove("PYTHONHOME")
            .env_remove("PYTHONPATH")
            .current_dir(&layout.root);
    }
    command
}

fn describe(layout: &Layout, call: &PythonCall) -> String {
    let mut words = vec![layout.env_exe.display().to_string()];
    words.extend(call.args.iter().cloned());
    words.join(" ")
}
