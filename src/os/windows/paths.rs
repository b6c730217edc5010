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

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normpath(Path::new(s)).to_string_lossy().into_owned()
    }

    #[test]
    fn normpath_agrees_with_ntpath() {
        assert_eq!(norm(r"C:\a\.\b\\c\"), r"C:\a\b\c");
        assert_eq!(norm("C:/a/b/../c"), r"C:\a\c");
        assert_eq!(norm(r"C:\..\a"), r"C:\a");
        assert_eq!(norm(r"a\..\.."), "..");
        assert_eq!(norm(r"C:\"), r"C:\");
        assert_eq!(norm(""), ".");
    }

    #[test]
    fn absolute_joins_the_working_directory() {
        let cwd = Path::new(r"C:\work");
        assert_eq!(absolute(cwd, Path::new("env")), Path::new(r"C:\work\env"));
        assert_eq!(absolute(cwd, Path::new(r"..\env")), Path::new(r"C:\env"));
        assert_eq!(
            absolute(cwd, Path::new(r"D:\srv\env\")),
            Path::new(r"D:\srv\env")
        );
    }

    #[test]
    fn basename_takes_either_separator() {
        assert_eq!(basename(Path::new(r"C:\")), OsString::new());
        assert_eq!(basename(Path::new(r"C:\a/env")), OsString::from("env"));
        assert_eq!(basename(Path::new(r"C:\a\env")), OsString::from("env"));
        assert_eq!(basename(Path::new("C:env")), OsString::from("env"));
    }

    #[test]
    fn bytes_that_are_not_utf8_never_name_another_path() {
        assert_eq!(os_string(b"C:\\py\\3.12"), OsString::from(r"C:\py\3.12"));
        assert_eq!(os_string(b"a\xffb"), OsString::from("a\u{FFFD}b"));
    }
}
