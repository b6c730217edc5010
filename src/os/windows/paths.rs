//! Path arithmetic that must agree with Python's `ntpath`, the Windows
//! counterpart of `paths.rs`.
//!
//! CPython's venv makes ENV_DIR absolute with `os.path.abspath`, which on
//! Windows is `GetFullPathNameW`: lexical, like `std::path::absolute`
//! there, and never a resolution of links.

use std::ffi::{OsStr, OsString};
use std::path::{Component, Path, PathBuf, Prefix};

use crate::error::{Error, Result};

/// `os.pathsep`: what splits PATH, which the activation scripts extend
/// with the environment's `Scripts`.
pub const PATH_LIST_SEPARATOR: char = ';';

/// Characters no Windows file name holds, besides the separators and
/// the control characters (the `:` of a drive is in the path's prefix,
/// which is not checked here; anywhere else it names an NTFS stream).
const NOT_IN_A_NAME: &[char] = &['<', '>', ':', '"', '|', '?', '*'];

/// Names Windows gives to devices in every directory, with or without an
/// extension (`NUL.txt` is `NUL`), in any case.
const DEVICE_NAMES: &[&str] = &["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"];

/// The longest file name NTFS, ReFS and FAT's long names hold, in UTF-16
/// code units.
const LONGEST_NAME: usize = 255;

/// Refuses an absolute path no directory on Windows can be named by,
/// naming the part at fault: a character no file name holds, a device
/// name, a name Windows would shorten (a trailing dot or space), a name
/// longer than any Windows file system holds, or a device namespace
/// (`\\.\`) prefix.
pub fn holdable(path: &Path) -> Result<()> {
    let refuse = |component: &OsStr, why: &str| {
        Err(Error::Unholdable {
            path: path.to_path_buf(),
            component: format!("'{}'", component.to_string_lossy()),
            why: why.to_string(),
        })
    };
    for component in path.components() {
        let name = match component {
            Component::Prefix(prefix) => {
                if matches!(prefix.kind(), Prefix::DeviceNS(_)) {
                    return refuse(prefix.as_os_str(), "names a device, not a directory");
                }
                continue;
            }
            Component::Normal(name) => name,
            Component::RootDir | Component::CurDir | Component::ParentDir => continue,
        };
        let text = name.to_string_lossy();
        if let Some(c) = text
            .chars()
            .find(|c| NOT_IN_A_NAME.contains(c) || c.is_ascii_control())
        {
            let why = format!("holds {}, which no Windows file name can", c.escape_debug());
            return refuse(name, &why);
        }
        if text.ends_with(['.', ' ']) {
            return refuse(name, "ends in a dot or a space, which Windows drops");
        }
        if is_device_name(&text) {
            return refuse(name, "is the name of a Windows device");
        }
        let length = text.encode_utf16().count();
        if length > LONGEST_NAME {
            let why = format!(
                "is {length} characters long: a Windows file name holds at most {LONGEST_NAME} \
                 (name too long)"
            );
            return refuse(name, &why);
        }
    }
    Ok(())
}

/// `NUL`, `nul.txt`, `COM1`, `LPT9.log`, `COM\u{b9}`: a device in every
/// directory.
fn is_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    let upper = stem.to_ascii_uppercase();
    if DEVICE_NAMES.contains(&upper.as_str()) {
        return true;
    }
    let numbered = upper
        .strip_prefix("COM")
        .or_else(|| upper.strip_prefix("LPT"));
    numbered.is_some_and(|n| {
        let mut chars = n.chars();
        let digit = chars
            .next()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '\u{b9}' | '\u{b2}' | '\u{b3}'));
        digit && chars.next().is_none()
    })
}

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

    #[test]
    fn drives_unc_and_verbatim_paths_are_holdable() {
        for ok in [
            r"C:\Users\me\env",
            "D:\\srv\\my env\\caf\u{e9}",
            r"\\server\share\env",
            r"\\?\C:\long\env",
            r"C:\a\%PATH%\^&!\env",
        ] {
            assert!(holdable(Path::new(ok)).is_ok(), "{ok}");
        }
    }

    #[test]
    fn what_no_windows_name_holds_is_refused_naming_the_part() {
        let cases = [
            (r"C:\a\b:c", "'b:c' holds :"),
            (r"C:\a\x<y\env", "'x<y' holds <"),
            (r"C:\a\x|y", "'x|y' holds |"),
            (r"C:\a\wh?", "'wh?' holds ?"),
            (r"C:\a\st*r", "'st*r' holds *"),
            (r#"C:\a\q"t"#, r#"'q"t' holds \""#),
            ("C:\\a\\tab\there", "holds \\t"),
            (r"C:\a\env.", "'env.' ends in a dot or a space"),
            (r"C:\a\env ", "'env ' ends in a dot or a space"),
            (r"C:\NUL", "'NUL' is the name of a Windows device"),
            (r"C:\a\nul.txt\env", "'nul.txt' is the name"),
            (r"C:\a\com1", "'com1' is the name"),
            ("C:\\a\\LPT\u{b9}", "is the name"),
            (r"C:\a\con .x", "'con .x' is the name"),
            (r"\\.\pipe\env", "names a device"),
            (
                &format!(r"C:\a\{}\env", "x".repeat(256)),
                "is 256 characters long",
            ),
            (
                &format!(r"C:\a\{}", "\u{e9}".repeat(300)),
                "is 300 characters long",
            ),
        ];
        for (path, expected) in cases {
            let message = match holdable(Path::new(path)) {
                Err(e) => e.to_string(),
                Ok(()) => panic!("{path} was taken"),
            };
            assert!(message.contains(expected), "{path}: {message}");
        }
        let longest = format!(r"C:\a\{}", "x".repeat(255));
        for ok in [
            r"C:\a\console",
            r"C:\a\com10",
            r"C:\a\nully",
            r"C:\a\.env",
            &longest,
        ] {
            assert!(holdable(Path::new(ok)).is_ok(), "{ok}");
        }
    }
}
