//! An existing directory is updated where it is, as CPython does; this is
//! what keeps that safe when another account could have written to it or
//! to its parent.
//!
//! `--clear` opens ENV_DIR once, without following a link, then checks and
//! empties it through that handle: a directory swapped for a link between
//! the check and the deletion (`renameat2(RENAME_EXCHANGE)` by whoever
//! owns the parent) cannot steer the deletion elsewhere. A filesystem
//! mounted anywhere inside is found before anything is deleted, and the
//! run refuses, naming it. Before anything is written, each directory the
//! layout names is walked to from ENV_DIR without following links: one an
//! owner of the environment replaced by a link (`lib -> elsewhere`) is
//! refused, not written through.

use std::ffi::OsStr;
use std::path::Path;

use crate::builder::Surroundings;
use crate::error::{Error, Result};
use crate::os::dir::{self, Dir, Kind};
use crate::plan::layout::Layout;

/// Opens ENV_DIR itself, refusing a link in its place.
fn open_env(layout: &Layout) -> Result<Dir> {
    let path = &layout.env_dir;
    Dir::open(path).map_err(|e| {
        if dir::is_not_a_directory(&e) {
            Error::NotADirectory(path.clone())
        } else {
            Error::io("open", path)(e)
        }
    })
}

/// Updates the existing environment ENV_DIR with `build`: opened once,
/// emptied first for `--clear`, refused if a directory in it is a link, and
/// then built through the handle (a path that reaches the opened directory
/// whatever is renamed meanwhile), so a swap of ENV_DIR for a link cannot
/// make pyvenv write elsewhere.
pub fn update(
    layout: &Layout,
    around: &Surroundings,
    build: impl FnOnce(&Layout) -> Result<()>,
) -> Result<()> {
    let env = open_env(layout)?;
    if layout.clear {
        clear(layout, around, &env)?;
    }
    refuse_links(layout, &env)?;
    // A delegated build hands the path to the target's own venv, which
    // would take the anchor's last component for the prompt: by path.
    let anchor = env.anchored_path().filter(|_| layout.delegation.is_none());
    match anchor {
        Some(anchor) => {
            build(&layout.staged_at(&anchor)).map_err(|e| e.relocated(&anchor, &layout.env_dir))
        }
        None => build(layout),
    }
}

/// `--clear`: checks that ENV_DIR may be emptied and empties it, both
/// through one handle; then makes sure the path still names what was
/// emptied.
fn clear(layout: &Layout, around: &Surroundings, env: &Dir) -> Result<()> {
    check_clear_is_safe(layout, around, env)?;
    if let Some(mount) = env.find_mount_point()? {
        return Err(Error::UnsafeClear {
            path: layout.env_dir.clone(),
            reason: format!(
                "another filesystem is mounted at {} inside it, and --clear does not \
                 cross into it; unmount it first (nothing was deleted)",
                mount.display()
            ),
        });
    }
    env.remove_contents()?;
    still_the_same(layout, env)
}

/// Refuses to go on if ENV_DIR no longer names the directory `env`.
fn still_the_same(layout: &Layout, env: &Dir) -> Result<()> {
    let path = &layout.env_dir;
    let now = open_env(layout)?
        .stat()
        .map_err(Error::io("inspect", path))?;
    let then = env.stat().map_err(Error::io("inspect", path))?;
    if now.same_as(&then) {
        return Ok(());
    }
    Err(Error::io("use", path)(std::io::Error::other(
        "it was replaced by another directory while pyvenv worked in it",
    )))
}

/// `--clear` empties a directory; refuse where that would lose what the
/// user cannot get back. Every question is asked of the handle `env`.
fn check_clear_is_safe(layout: &Layout, around: &Surroundings, env: &Dir) -> Result<()> {
    let refuse = |reason: &str| {
        Err(Error::UnsafeClear {
            path: layout.env_dir.clone(),
            reason: reason.to_string(),
        })
    };
    let inspect = |e| Error::io("inspect", &layout.env_dir)(e);
    let own = env.stat().map_err(inspect)?;
    let child = |name: &str| env.stat_child(OsStr::new(name)).map_err(inspect);
    // Only the root of the filesystem is its own parent.
    if child("..")?.is_some_and(|parent| parent.same_as(&own)) {
        return refuse("it is the root of the filesystem");
    }
    for vcs in [".git", ".hg", ".svn"] {
        if child(vcs)?.is_some() {
            return refuse(&format!(
                "it holds {vcs}, so it is a project, not only an environment; \
                 make the environment in a directory of its own"
            ));
        }
    }
    // Whether `path`, or a directory holding it, is the one opened.
    let is_within = |path: &Path| {
        std::fs::canonicalize(path).is_ok_and(|real| {
            real.ancestors()
                .any(|a| dir::stat_path(a).is_ok_and(|s| s.same_as(&own)))
        })
    };
    if is_within(&around.cwd) {
        return refuse(
            "it is the current directory or holds it; \
             run pyvenv from outside it to replace it",
        );
    }
    if let Some(home) = &around.home
        && dir::stat_path(home).is_ok_and(|h| h.same_as(&own))
    {
        return refuse("it is your home directory");
    }
    for interpreter in &layout.interpreter_paths {
        if interpreter.starts_with(&layout.env_dir) || is_within(interpreter) {
            return refuse(&format!(
                "it contains the interpreter {} the environment is made from",
                interpreter.display()
            ));
        }
    }
    let is_empty = env
        .names()
        .map_err(Error::io("list", &layout.env_dir))?
        .is_empty();
    // A link planted as pyvenv.cfg does not make a directory an environment.
    let has_cfg = child("pyvenv.cfg")?.is_some_and(|s| s.kind != Kind::Symlink);
    if !is_empty && !has_cfg {
        return refuse(
            "it is not a virtual environment (it has no pyvenv.cfg) and it is not empty; \
             empty it yourself if its contents can go",
        );
    }
    Ok(())
}

/// Refuses an existing environment in which a directory the layout names
/// (or one on the way to it) is a link.
fn refuse_links(layout: &Layout, env: &Dir) -> Result<()> {
    let dirs = layout
        .dirs
        .iter()
        .chain([&layout.bin_dir, &layout.site_packages]);
    for dir in dirs {
        let Ok(relative) = dir.strip_prefix(&layout.env_dir) else {
            continue;
        };
        if let Some(link) = env
            .first_link_on(relative)
            .map_err(Error::io("inspect", dir))?
        {
            return Err(Error::LinkInside {
                link,
                env: layout.env_dir.clone(),
            });
        }
    }
    Ok(())
}
