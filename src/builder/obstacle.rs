//! What stands where a directory must be made, for an error a user can act
//! on. CPython says only `Unable to create directory '...'`; pyvenv keeps
//! those words and adds what is in the way: a file, a symlink (which pyvenv,
//! like CPython, never follows into), or something else.

use std::fs;
use std::path::Path;

use crate::error::Error;
use crate::pyrepr::py_repr;

/// `error`, told with what is in the way when it is an
/// [`Error::NotADirectory`] met while making `env_dir`; any other error,
/// or one whose obstacle has gone meanwhile, is returned as it is.
pub fn explain(error: Error, env_dir: &Path) -> Error {
    let Error::NotADirectory(obstacle) = &error else {
        return error;
    };
    let Some(what) = describe(obstacle) else {
        return error;
    };
    // A file above the ENV_DIR stops the ENV_DIR itself from being made;
    // one inside it (an existing environment's `bin`) stops only itself.
    let wanted = if env_dir.starts_with(obstacle) {
        env_dir.to_path_buf()
    } else {
        obstacle.clone()
    };
    Error::InTheWay {
        wanted,
        obstacle: obstacle.clone(),
        what,
    }
}

/// What `path` is, as a predicate; `None` when it is a directory or gone.
fn describe(path: &Path) -> Option<String> {
    let meta = fs::symlink_metadata(path).ok()?;
    if meta.file_type().is_symlink() {
        let target = fs::read_link(path).ok()?;
        let target = py_repr(&target.to_string_lossy());
        return Some(match fs::metadata(path) {
            Ok(to) if to.is_dir() => format!(
                "is a symbolic link to {target}; pyvenv does not follow it: \
                 name the directory itself"
            ),
            Ok(_) => format!("is a symbolic link to {target}, which is not a directory"),
            Err(_) => format!("is a symbolic link to {target}, which does not resolve"),
        });
    }
    if meta.is_file() {
        return Some("is a file".into());
    }
    (!meta.is_dir()).then(|| "is neither a file nor a directory".into())
}
