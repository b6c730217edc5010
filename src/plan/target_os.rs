//! Which operating system the target's venv runs on, as the venv itself
//! tells (`os.name`, `sys.platform`), and the Windows path spelling the
//! plan needs to speak of a Windows target's files.
//!
//! The target's platform is a fact about the interpreter, not about the
//! machine pyvenv was built for, so it is decided here from the probe and
//! never with `cfg`: a Windows layout is then as testable on Linux as a
//! Linux one. The Windows path functions are `ntpath`'s, written on `str`
//! for the same reason: `std::path` splits paths the way the host does.

use crate::interpreter::probe::BaseInterpreter;

/// The operating system a venv's own code branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetOs {
    /// POSIX other than macOS (`lib64` where 64-bit, `bin`, `lib/pythonX.Y`).
    Linux,
    /// macOS: POSIX without `lib64`, and a framework build's launcher.
    Darwin,
    /// Windows: `Scripts`, `Include`, `Lib\site-packages`, launchers.
    Windows,
}

impl TargetOs {
    /// What `python`'s venv takes itself to run on; `None` for a platform
    /// whose venv branches pyvenv does not know (Cygwin, WASI, ...).
    pub fn of(python: &BaseInterpreter) -> Option<TargetOs> {
        match (python.os_name.as_str(), python.platform.as_str()) {
            ("nt", "win32") => Some(TargetOs::Windows),
            ("posix", "darwin") => Some(TargetOs::Darwin),
            ("posix", p) if p.starts_with("linux") => Some(TargetOs::Linux),
            _ => None,
        }
    }
}

/// Whether `c` separates a Windows path's parts.
fn is_sep(c: char) -> bool {
    matches!(c, '\\' | '/')
}

/// `ntpath.split(path)`: the part before the last separator (with any
/// trailing separators removed unless it is the drive's root) and the last
/// part.
pub fn nt_split(path: &str) -> (&str, &str) {
    let drive_len = nt_drive(path).len();
    let (drive, rest) = path.split_at(drive_len);
    let cut = rest.rfind(is_sep).map_or(0, |i| i + 1);
    let (head, tail) = rest.split_at(cut);
    let trimmed = head.trim_end_matches(is_sep);
    let head = if trimmed.is_empty() { head } else { trimmed };
    (&path[..drive.len() + head.len()], tail)
}

/// `ntpath.dirname`.
pub fn nt_dirname(path: &str) -> &str {
    nt_split(path).0
}

/// `ntpath.basename`.
pub fn nt_basename(path: &str) -> &str {
    nt_split(path).1
}

/// `ntpath.join(base, part)` for a relative `part`.
pub fn nt_join(base: &str, part: &str) -> String {
    if base.is_empty() || base.ends_with(is_sep) || (base.len() == 2 && base.ends_with(':')) {
        format!("{base}{part}")
    } else {
        format!("{base}\\{part}")
    }
}

/// The drive (`C:`) or UNC share (`\\server\share`) `path` starts with.
fn nt_drive(path: &str) -> &str {
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return &path[..2];
    }
    let unc = bytes.len() > 2 && is_sep(bytes[0] as char) && is_sep(bytes[1] as char);
    if unc && !is_sep(bytes[2] as char) {
        // \\server\share: up to the separator after the share's name.
        let rest = &path[2..];
        let Some(server) = rest.find(is_sep) else {
            return path;
        };
        return match rest[server + 1..].find(is_sep) {
            Some(share) => &path[..2 + server + 1 + share],
            None => path,
        };
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nt_paths_split_as_ntpath_does() {
        assert_eq!(
            nt_split(r"C:\Python313\python.exe"),
            (r"C:\Python313", "python.exe")
        );
        assert_eq!(nt_split(r"C:\python.exe"), (r"C:\", "python.exe"));
        assert_eq!(nt_split("C:python.exe"), ("C:", "python.exe"));
        assert_eq!(nt_split(r"C:/a//b"), ("C:/a", "b"));
        assert_eq!(
            nt_split(r"\\srv\share\py\python.exe"),
            (r"\\srv\share\py", "python.exe")
        );
        assert_eq!(
            nt_split(r"\\srv\share\python.exe"),
            (r"\\srv\share\", "python.exe")
        );
        assert_eq!(nt_split("python.exe"), ("", "python.exe"));
    }

    #[test]
    fn nt_join_adds_one_backslash_where_needed() {
        assert_eq!(nt_join(r"C:\env", "Scripts"), r"C:\env\Scripts");
        assert_eq!(nt_join(r"C:\", "env"), r"C:\env");
        assert_eq!(nt_join("C:", "env"), "C:env");
        assert_eq!(nt_join("C:/env/", "Lib"), "C:/env/Lib");
    }
}
