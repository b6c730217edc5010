//! Path arithmetic that must agree with Python's `os.path.abspath`.
//!
//! CPython's venv makes ENV_DIR absolute *lexically* (it joins the working
//! directory and folds `.` and `..` without resolving symlinks), and that
//! string ends up in `pyvenv.cfg` and the scripts; pyvenv must produce the
//! same bytes, so it cannot use `canonicalize`.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::error::Result;

/// `os.pathsep`: what splits PATH, which the activation scripts extend
/// with the environment's `bin`.
pub const PATH_LIST_SEPARATOR: char = ':';

/// Refuses an absolute path no directory here can be named by. A POSIX
/// name holds every byte but `/` and NUL, and no argument holds a NUL, so
/// every path can.
pub fn holdable(_path: &Path) -> Result<()> {
    Ok(())
}

/// `os.path.abspath(path)` with `cwd` as the working directory.
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    normpath(&joined)
}

/// `posixpath.normpath`: folds `//`, `.` and `..` (never above the root),
/// keeping a leading `//` (exactly two slashes), as POSIX allows.
pub fn normpath(path: &Path) -> PathBuf {
    let bytes = path.as_os_str().as_bytes();
    if bytes.is_empty() {
        return PathBuf::from(".");
    }
    let initial = if bytes.starts_with(b"//") && !bytes.starts_with(b"///") {
        2
    } else if bytes.starts_with(b"/") {
        1
    } else {
        0
    };
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in bytes.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                if parts.last().is_some_and(|last| *last != b"..") {
                    parts.pop();
                } else if initial == 0 {
                    parts.push(part);
                }
            }
            _ => parts.push(part),
        }
    }
    let mut out = vec![b'/'; initial];
    out.extend_from_slice(&parts.join(&b'/'));
    if out.is_empty() {
        out.push(b'.');
    }
    PathBuf::from(OsString::from_vec(out))
}

/// The path whose bytes are `bytes` (as `as_encoded_bytes` gave them,
/// or read from a file).
pub fn os_string(bytes: &[u8]) -> OsString {
    OsString::from_vec(bytes.to_vec())
}

/// The last component, as `os.path.basename` gives it (empty for `/`).
pub fn basename(path: &Path) -> OsString {
    let bytes = path.as_os_str().as_bytes();
    let start = bytes.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    OsString::from_vec(bytes[start..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normpath(Path::new(s)).to_string_lossy().into_owned()
    }

    #[test]
    fn normpath_agrees_with_posixpath() {
        assert_eq!(norm("/a/./b//c/"), "/a/b/c");
        assert_eq!(norm("/a/b/../c"), "/a/c");
        assert_eq!(norm("/../a"), "/a");
        assert_eq!(norm("//a/b"), "//a/b");
        assert_eq!(norm("///a/b"), "/a/b");
        assert_eq!(norm("a/../.."), "..");
        assert_eq!(norm("/"), "/");
        assert_eq!(norm(""), ".");
    }

    #[test]
    fn absolute_joins_the_working_directory() {
        let cwd = Path::new("/home/me/work");
        assert_eq!(
            absolute(cwd, Path::new("env")),
            Path::new("/home/me/work/env")
        );
        assert_eq!(
            absolute(cwd, Path::new("../env")),
            Path::new("/home/me/env")
        );
        assert_eq!(absolute(cwd, Path::new("/srv/env/")), Path::new("/srv/env"));
    }

    #[test]
    fn basename_of_root_is_empty() {
        assert_eq!(basename(Path::new("/")), OsString::new());
        assert_eq!(basename(Path::new("/a/env")), OsString::from("env"));
    }
}
