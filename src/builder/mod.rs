//! Applies a [`Layout`] to the disk, in the order CPython's
//! `EnvBuilder.create` follows, and nothing else.
//!
//! This stage decides nothing: every path and byte comes from the plan,
//! and it writes nowhere the plan does not name. A new environment is built
//! in a staging directory ([`staging`]) and renamed into place whole; an
//! existing one is updated where it is, as CPython does.

mod in_place;
pub mod obstacle;
pub mod staging;

use std::path::Path;

use crate::activation;
use crate::error::{Error, Result};
use crate::os::disk::{self, Entry};
use crate::os::meta::same_file;
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
        Some(delegation) => build_delegated(layout, delegation),
    };
    match disk::entry(&layout.env_dir)? {
        Entry::Missing => staging::create_new(layout, build),
        Entry::Dir => {
            check_same_version(layout)?;
            in_place::update(layout, around, build)
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
    step("directories", &mut || ensure_directories(layout))?;
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
    if layout.relocatable {
        step("relocatable scripts", &mut || {
            relocate::relative_console_scripts(layout)
        })?;
    }
    Ok(())
}

/// A target pyvenv has no rules for: its own venv makes the environment
/// under `layout.root` (pip included, as it installs it), then everything
/// that names the staging directory is pointed at the final place and
/// pyvenv's activation scripts are written over the target's.
fn build_delegated(layout: &Layout, delegation: &Delegation) -> Result<()> {
    if !layout.clear && layout.root == layout.env_dir {
        // The target's venv keeps any link it finds (and would run its
        // ensurepip through a dangling one): repaired first.
        repair_links_before_delegation(layout)?;
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
    relocate::texts(layout)?;
    if layout.relocatable {
        relocate::relative_console_scripts(layout)?;
        mark_relocatable(layout)?;
    }
    Ok(())
}

/// Adds uv's `relocatable = true` to the `pyvenv.cfg` a target's own venv
/// wrote, unless it says so already.
fn mark_relocatable(layout: &Layout) -> Result<()> {
    let path = layout.root.join("pyvenv.cfg");
    let mut cfg = std::fs::read_to_string(&path).map_err(Error::io("read", &path))?;
    let marked = cfg.lines().any(|line| {
        line.split_once('=')
            .is_some_and(|(k, v)| k.trim() == "relocatable" && v.trim() == "true")
    });
    if !marked {
        if !cfg.is_empty() && !cfg.ends_with('\n') {
            cfg.push('\n');
        }
        cfg.push_str("relocatable = true\n");
        write_cfg(layout, &cfg)?;
    }
    Ok(())
}

fn ensure_directories(layout: &Layout) -> Result<()> {
    // The root is there already (a stage, or the directory opened to work
    // in, which may be reached through a /proc link); its subdirectories
    // are made below.
    for dir in layout.dirs.iter().filter(|d| **d != layout.root) {
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
    if let Some(missing) = missing_interpreter(&layout.env_dir, &text) {
        return Err(Error::InterpreterGone {
            path: layout.env_dir.clone(),
            missing,
            repair: format!(
                "pyvenv --upgrade -p {} {}",
                short(&existing),
                seed::wheel::scripts::inert_if_needed(&layout.env_dir.to_string_lossy())
            )
            .into(),
            existing: short(&existing).into(),
            wanted: layout.short_version.as_str().into(),
        });
    }
    Err(Error::OtherVersion {
        path: layout.env_dir.clone(),
        existing,
        wanted: layout.short_version.clone(),
    })
}

/// The interpreter an existing environment was made from, where it no
/// longer exists: `executable` (3.11 on), else what `bin/python` links
/// to, else `home`. `None` when it is there (or cannot be told).
fn missing_interpreter(env_dir: &Path, cfg: &str) -> Option<std::path::PathBuf> {
    let key = |wanted: &str| {
        cfg.lines().find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key.trim() == wanted).then(|| std::path::PathBuf::from(value.trim()))
        })
    };
    let gone = |p: &Path| !p.as_os_str().is_empty() && std::fs::symlink_metadata(p).is_err();
    if let Some(executable) = key("executable") {
        return gone(&executable).then_some(executable);
    }
    let python = env_dir.join("bin/python");
    if matches!(disk::entry(&python), Ok(Entry::Symlink)) && !python.exists() {
        let target = std::fs::read_link(&python).ok()?;
        return Some(python.parent()?.join(target));
    }
    key("home").filter(|home| gone(home))
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
///
/// Unlike CPython, a name already there is kept only when it is the
/// interpreter this run chose: a dangling link, a link to another
/// interpreter or a copy of another one (the base was upgraded, moved or
/// deleted since) is replaced, so `pyvenv.cfg` and `bin` never name two
/// interpreters. A replacement is made under a fresh name and renamed over
/// the old one: nothing is ever written through a link found there.
fn setup_python(layout: &Layout) -> Result<()> {
    let env_exe = &layout.env_exe;
    match (disk::entry(env_exe)?, layout.symlinks) {
        (Entry::Dir, _) => return Err(Error::NotADirectory(env_exe.clone())),
        (Entry::Missing, true) => disk::symlink(&layout.base_executable, env_exe)?,
        (Entry::Symlink, true) => {
            if !same_file(env_exe, &layout.base_executable) {
                replace_link(&layout.base_executable, env_exe)?;
            }
        }
        // A file where CPython would link: copied over, as CPython does.
        (Entry::Other, true) => disk::copy_executable(&layout.base_executable, env_exe)?,
        (_, false) => copy(layout, &layout.base_executable, env_exe)?,
    }
    let exe_name = crate::os::paths::basename(env_exe);
    for alias in &layout.aliases {
        let path = layout.bin_dir.join(alias);
        match disk::entry(&path)? {
            Entry::Missing => {}
            // CPython keeps whatever exists there; a directory is not
            // pyvenv's to remove either.
            Entry::Dir => continue,
            _ if same_file(&path, env_exe) || same_copy(&path, env_exe) => continue,
            _ if layout.symlinks => {
                replace_link(Path::new(&exe_name), &path)?;
                continue;
            }
            _ => {}
        }
        if layout.symlinks {
            disk::symlink(Path::new(&exe_name), &path)?;
        } else {
            copy(layout, env_exe, &path)?;
        }
    }
    Ok(())
}

/// For a target whose own venv builds over an existing environment: the
/// python links there that do not resolve to the chosen interpreter are
/// replaced, as [`setup_python`] replaces them. Copies are left to the
/// target's venv, which copies over them.
fn repair_links_before_delegation(layout: &Layout) -> Result<()> {
    let is_link = |p: &Path| matches!(disk::entry(p), Ok(Entry::Symlink));
    let env_exe = &layout.env_exe;
    if is_link(env_exe) && !same_file(env_exe, &layout.base_executable) {
        replace_link(&layout.base_executable, env_exe)?;
    }
    let exe_name = crate::os::paths::basename(env_exe);
    let versioned = format!("python{}", layout.short_version);
    for name in ["python", "python3", versioned.as_str()] {
        let path = layout.bin_dir.join(name);
        if path != *env_exe && is_link(&path) && !same_file(&path, env_exe) {
            replace_link(Path::new(&exe_name), &path)?;
        }
    }
    Ok(())
}

/// Whether `path` is a regular file (not a link) holding the bytes of what
/// `original` resolves to: an earlier `--copies` of this same interpreter.
fn same_copy(path: &Path, original: &Path) -> bool {
    let is_file = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file());
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).ok();
    if !is_file(path) || size(path).is_none() || size(path) != size(original) {
        return false;
    }
    matches!(
        (std::fs::read(path), std::fs::read(original)),
        (Ok(a), Ok(b)) if a == b
    )
}

/// Makes `link` a symlink holding `target` in place of what is there: the
/// new link is made under a fresh name beside it and renamed over the old
/// entry, so the name is never missing and nothing is written through it.
fn replace_link(target: &Path, link: &Path) -> Result<()> {
    let fresh = disk::unique_sibling(link, "link");
    disk::symlink(target, &fresh)?;
    std::fs::rename(&fresh, link).map_err(|e| {
        let _ = std::fs::remove_file(&fresh);
        Error::io("replace the link", link)(e)
    })
}

/// `--copies`: a copy, except that PyPy's venv links a symlink's copy to
/// the file it resolves to (the executable needs its shared libraries).
fn copy(layout: &Layout, src: &Path, dst: &Path) -> Result<()> {
    if layout.copies_keep_links && matches!(disk::entry(src)?, Entry::Symlink) {
        let real = std::fs::canonicalize(src).map_err(Error::io("resolve", src))?;
        return match disk::entry(dst)? {
            Entry::Missing => disk::symlink(&real, dst),
            _ => replace_link(&real, dst),
        };
    }
    disk::copy_executable(src, dst)
}
