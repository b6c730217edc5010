//! Applies a [`Layout`] to the disk, in the order CPython's
//! `EnvBuilder.create` follows, and nothing else.
//!
//! This stage decides nothing: every path and byte comes from the plan,
//! and it writes nowhere the plan does not name. A new environment is built
//! in a staging directory ([`staging`]) and renamed into place whole; an
//! existing one is updated where it is, as CPython does.

pub mod obstacle;
pub mod staging;

use std::path::Path;

use crate::activation;
use crate::error::{Error, Result};
use crate::os::disk::{self, Entry};
use crate::os::{child, interrupt};
use crate::plan::layout::{Delegation, Layout};
use crate::seed;
use crate::seed::relocate;

/// What the builder must know about the world beyond the layout, passed in
/// so nothing here reads the process environment behind the caller's back.
#[derive(Debug, Clone, Default)]
pub struct Surroundings {
    /// The user's home directory, which `--clear` refuses to empty.
    pub home: Option<std::path::PathBuf>,
    /// The working directory, which `--clear` refuses to empty (nor any
    /// directory holding it).
    pub cwd: std::path::PathBuf,
    /// The wheel cache and umask pip's files are installed with.
    pub seed: seed::SeedEnv,
    /// Where `-v` reports each step's time.
    pub report: crate::report::Reporter,
}

/// Makes (or refreshes) the environment `layout` describes. A new one is
/// built beside its target and moved into place only when complete; an
/// existing directory is updated where it is.
pub fn create(layout: &Layout, around: &Surroundings) -> Result<()> {
    interrupt::check()?;
    let build = |layout: &Layout| match &layout.delegation {
        None => build(layout, around),
        Some(delegation) => build_delegated(layout, delegation, around),
    };
    match disk::entry(&layout.env_dir)? {
        Entry::Missing => staging::create_new(layout, build),
        Entry::Dir => {
            check_same_version(layout)?;
            build(layout)
        }
        Entry::Symlink | Entry::Other => Err(Error::NotADirectory(layout.env_dir.clone())),
    }
}

/// CPython's `EnvBuilder.create`, step by step, under `layout.root`.
fn build(layout: &Layout, around: &Surroundings) -> Result<()> {
    // Each step timed for `-v`; without it, `step` just runs the step.
    let step = |what: &str, work: &mut dyn FnMut() -> Result<()>| {
        around.report.timed(format_args!("  {what}"), work)
    };
    step("directories", &mut || ensure_directories(layout, around))?;
    if layout.gitignore {
        step(".gitignore", &mut || write_gitignore(layout))?;
    }
    step("pyvenv.cfg", &mut || write_cfg(layout, &layout.cfg))?;
    step("python executables", &mut || setup_python(layout))?;
    interrupt::check()?;
    if let Some(call) = &layout.ensurepip {
        step("pip", &mut || seed::install_pip(layout, call, &around.seed))?;
    }
    interrupt::check()?;
    if layout.write_scripts {
        step("activation scripts", &mut || {
            activation::write_scripts(layout)
        })?;
    }
    if let Some(cfg) = &layout.final_cfg {
        step("pyvenv.cfg again", &mut || write_cfg(layout, cfg))?;
    }
    if let Some(call) = &layout.upgrade_deps {
        step("--upgrade-deps", &mut || seed::upgrade_deps(layout, call))?;
    }
    Ok(())
}

/// A target pyvenv has no rules for: its own venv makes the environment
/// under `layout.root` (pip included, as it installs it), then everything
/// that names the staging directory is pointed at the final place and
/// pyvenv's activation scripts are written over the target's.
fn build_delegated(layout: &Layout, delegation: &Delegation, around: &Surroundings) -> Result<()> {
    if layout.clear && layout.root == layout.env_dir {
        check_clear_is_safe(layout, around)?;
    }
    let mut command = std::process::Command::new(&delegation.python);
    command
        .args(&delegation.args)
        .arg(&layout.root)
        .current_dir(&delegation.cwd);
    let finished = child::run_captured(&mut command, &delegation.python)?;
    if !finished.status.success() {
        let mut words = vec![delegation.python.display().to_string()];
        words.extend(delegation.args.iter().cloned());
        words.push(layout.env_dir.display().to_string());
        return Err(Error::CommandFailed {
            command: words.join(" "),
            status: finished.status.to_string(),
            output: finished.output,
        });
    }
    interrupt::check()?;
    relocate::console_scripts(layout)?;
    if layout.write_scripts {
        activation::write_scripts(layout)?;
    }
    relocate::texts(layout)
}

fn ensure_directories(layout: &Layout, around: &Surroundings) -> Result<()> {
    if layout.clear && layout.root == layout.env_dir {
        check_clear_is_safe(layout, around)?;
        disk::empty_dir(&layout.env_dir)?;
    }
    for dir in &layout.dirs {
        interrupt::check()?;
        disk::ensure_dir(dir)?;
    }
    if let Some(lib64) = &layout.lib64
        && let Entry::Missing = disk::entry(lib64)?
    {
        disk::symlink(Path::new("lib"), lib64)?;
    }
    Ok(())
}

/// `--clear` empties a directory; refuse where that would lose what the user
/// cannot get back.
fn check_clear_is_safe(layout: &Layout, around: &Surroundings) -> Result<()> {
    let refuse = |reason: &str| {
        Err(Error::UnsafeClear {
            path: layout.env_dir.clone(),
            reason: reason.to_string(),
        })
    };
    let real =
        std::fs::canonicalize(&layout.env_dir).map_err(Error::io("resolve", &layout.env_dir))?;
    if real.parent().is_none() {
        return refuse("it is the root of the filesystem");
    }
    for vcs in [".git", ".hg", ".svn"] {
        if std::fs::symlink_metadata(real.join(vcs)).is_ok() {
            return refuse(&format!(
                "it holds {vcs}, so it is a project, not only an environment; \
                 make the environment in a directory of its own"
            ));
        }
    }
    if std::fs::canonicalize(&around.cwd).is_ok_and(|cwd| cwd.starts_with(&real)) {
        return refuse(
            "it is the current directory or holds it; \
             run pyvenv from outside it to replace it",
        );
    }
    if let Some(home) = &around.home
        && std::fs::canonicalize(home).is_ok_and(|h| h == real)
    {
        return refuse("it is your home directory");
    }
    for interpreter in &layout.interpreter_paths {
        let resolved = std::fs::canonicalize(interpreter).unwrap_or_default();
        if interpreter.starts_with(&layout.env_dir) || resolved.starts_with(&real) {
            return refuse(&format!(
                "it contains the interpreter {} the environment is made from",
                interpreter.display()
            ));
        }
    }
    let is_empty = std::fs::read_dir(&layout.env_dir)
        .map_err(Error::io("list", &layout.env_dir))?
        .next()
        .is_none();
    if !is_empty && !layout.env_dir.join("pyvenv.cfg").exists() {
        return refuse(
            "it is not a virtual environment (it has no pyvenv.cfg) and it is not empty; \
             empty it yourself if its contents can go",
        );
    }
    Ok(())
}

/// An existing environment made for another `X.Y` would end up holding
/// both (two `lib/pythonX.Y`, a `pyvenv.cfg` for one of them): refused,
/// unless `--clear` empties it first. `--upgrade` stays for the same `X.Y`.
fn check_same_version(layout: &Layout) -> Result<()> {
    if layout.clear {
        return Ok(());
    }
    use std::io::Read;
    let cfg = layout.env_dir.join("pyvenv.cfg");
    // Only a regular file is read, and only its head: a FIFO or a device
    // planted there must not hang or flood the run. No readable
    // pyvenv.cfg: not an environment pyvenv could judge.
    let mut text = String::new();
    let read = std::fs::metadata(&cfg)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .and_then(|_| std::fs::File::open(&cfg).ok())
        .and_then(|f| f.take(64 * 1024).read_to_string(&mut text).ok());
    if read.is_none() {
        return Ok(());
    }
    let Some(existing) = recorded_version(&text) else {
        return Ok(());
    };
    let short = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
    if short(&existing) == layout.short_version {
        return Ok(());
    }
    Err(Error::OtherVersion {
        path: layout.env_dir.clone(),
        existing,
        wanted: layout.short_version.clone(),
    })
}

/// The version a `pyvenv.cfg` records: `version` (CPython's venv) or
/// `version_info` (virtualenv, uv).
fn recorded_version(cfg: &str) -> Option<String> {
    cfg.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        let key = key.trim();
        (key == "version" || key == "version_info").then(|| value.trim().to_string())
    })
}

fn write_gitignore(layout: &Layout) -> Result<()> {
    disk::write_file(
        &layout.root.join(".gitignore"),
        b"# Created by venv; see https://docs.python.org/3/library/venv.html\n*\n",
        None,
    )
}

fn write_cfg(layout: &Layout, cfg: &str) -> Result<()> {
    disk::write_file(&layout.root.join("pyvenv.cfg"), cfg.as_bytes(), None)
}

/// Links (or copies) the base interpreter into `bin`, then the `python`,
/// `python3` (and `python3.X`, ...) names beside it, as CPython's `setup_python`.
fn setup_python(layout: &Layout) -> Result<()> {
    let env_exe = &layout.env_exe;
    if layout.symlinks {
        // An existing link is kept, as CPython keeps it.
        match disk::entry(env_exe)? {
            Entry::Symlink => {}
            Entry::Missing => disk::symlink(&layout.base_executable, env_exe)?,
            Entry::Dir => return Err(Error::NotADirectory(env_exe.clone())),
            Entry::Other => disk::copy_executable(&layout.base_executable, env_exe)?,
        }
    } else {
        copy(layout, &layout.base_executable, env_exe)?;
    }
    let exe_name = crate::os::paths::basename(env_exe);
    for alias in &layout.aliases {
        let path = layout.bin_dir.join(alias);
        if path.exists() {
            continue;
        }
        if let Entry::Symlink = disk::entry(&path)? {
            // A dangling link: replace it rather than write through it.
            std::fs::remove_file(&path).map_err(Error::io("remove", &path))?;
        }
        if layout.symlinks {
            disk::symlink(Path::new(&exe_name), &path)?;
        } else {
            copy(layout, env_exe, &path)?;
        }
    }
    Ok(())
}

/// `--copies`: a copy, except that PyPy's venv links a symlink's copy to
/// the file it resolves to (the executable needs its shared libraries).
fn copy(layout: &Layout, src: &Path, dst: &Path) -> Result<()> {
    if layout.copies_keep_links && matches!(disk::entry(src)?, Entry::Symlink) {
        let real = std::fs::canonicalize(src).map_err(Error::io("resolve", src))?;
        return disk::symlink(&real, dst);
    }
    disk::copy_executable(src, dst)
}
