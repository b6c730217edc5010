//! Path arithmetic that must agree with Python's `ntpath`, the Windows
//! counterpart of `paths.rs`.
//!
//! CPython's venv makes ENV_DIR absolute with `os.path.abspath`, which on
//! Windows is `GetFullPathNameW`: lexical, like `std::path::absolute`
//! there, and never a resolution of links.

use std::ffi::{OsStr, OsString};
use std::path::{Component, Path, PathBuf};

/// `os.path.abspath(path)` with `cwd` as the working directory.
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    std::path::absolute(&joined).unwrap_or_else(|_| normpath(&joined))
}

/// `ntpath.normpath`: folds `.` and `..` (never above the root), and
/// writes every separator as `\`.
pub fn normpath(path: &Path) -> PathBuf {
    let mut head = OsString::new();
    let mut rooted = false;
    let mut parts: Vec<&OsStr> = Vec::new();
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => head.push(prefix.as_os_str()),
            Component::RootDir => rooted = true,
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push(OsStr::new(".."));
                }
            }
            Component::Normal(name) => parts.push(name),
        }
    }
    if rooted {
        head.push("\\");
    }
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            head.push("\\");
        }
        head.push(part);
    }
    if head.is_empty() {
        head.push(".");
    }
    PathBuf::from(head)
}

/// The path whose bytes are `bytes` (as `as_encoded_bytes` gave them, or
/// read from a file). Bytes that are not UTF-8 become U+FFFD: a name
/// Windows does not have, so the lookup it feeds finds nothing rather
/// than something else.
pub fn os_string(bytes: &[u8]) -> OsString {
    OsString::from(String::from_utf8_lossy(bytes).into_owned())
}

/// The last component, as `os.path.basename` gives it (empty for `C:\`).
pub fn basename(path: &Path) -> OsString {
    let bytes = path.as_os_str().as_encoded_bytes();
    let start = bytes
        .iter()
        .rposition(|&b| matches!(b, b'/' | b'\\' | b':'))
        .map_or(0, |i| i + 1);
    // SAFETY: `bytes` came from `as_encoded_bytes`, and is split just after
    // an ASCII character, which the encoding allows.
    unsafe { OsStr::from_encoded_bytes_unchecked(&bytes[start..]) }.to_os_string()
}
