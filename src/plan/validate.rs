//! What can never work, found before anything is made.
//!
//! `pyvenv.cfg` is read line by line (by `site.py`, by `getpath`, by
//! tools), and pyvenv writes paths and the prompt into it raw, as CPython
//! does (the `command` line, `home`, `executable`). A value holding a line
//! break would add a line of its own choosing, such as
//! `include-system-site-packages = true`, so such a value is refused rather
//! than written. A path the host's file names cannot hold (on Windows a
//! `<`, a second `:`, `NUL`) is refused with the part at fault named,
//! rather than left to fail halfway or to make a stream or a device. The
//! same checks run over every ENV_DIR of a run before the first one is
//! made, so a run never stops halfway with some made.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::interpreter::probe::BaseInterpreter;
use crate::os::paths;

/// Every character Python's `str.splitlines` breaks a line at: what any
/// reader of `pyvenv.cfg` (or a person) may take for the end of a line.
const LINE_BREAKS: &[char] = &[
    '\n', '\r', '\u{0b}', '\u{0c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}', '\u{2029}',
];

/// The first line break in `text`, if any.
pub fn line_break(text: &str) -> Option<char> {
    text.chars().find(|c| LINE_BREAKS.contains(c))
}

/// Refuses an ENV_DIR (as the user wrote it, made absolute against `cwd`)
/// that no environment could ever be made at.
pub fn env_dir(dir: &Path, cwd: &Path) -> Result<PathBuf> {
    if dir.as_os_str().is_empty() {
        return Err(Error::EmptyEnvDir);
    }
    let absolute = paths::absolute(cwd, dir);
    let Some(text) = absolute.to_str() else {
        return Err(Error::NotUtf8(absolute));
    };
    if let Some(c) = line_break(text) {
        return Err(Error::LineBreak {
            what: "the path",
            value: text.to_string(),
            character: c,
        });
    }
    // CPython refuses this only from 3.11; older ones build an environment
    // whose activation breaks PATH, so pyvenv always refuses. On Windows
    // the separator is `;`, and the `:` of a drive is no separator.
    if text.contains(paths::PATH_LIST_SEPARATOR) {
        return Err(Error::PathSeparator {
            path: absolute,
            separator: paths::PATH_LIST_SEPARATOR,
        });
    }
    // Checked as given: Windows' abspath turns `C:\w\NUL` into `\\.\NUL`
    // and drops a trailing dot, hiding what was asked for.
    paths::holdable(&cwd.join(dir))?;
    Ok(absolute)
}

/// Refuses a `--prompt` that would add a line to `pyvenv.cfg`.
pub fn prompt(prompt: Option<&str>) -> Result<()> {
    match prompt.and_then(|p| line_break(p).map(|c| (p, c))) {
        Some((p, c)) => Err(Error::LineBreak {
            what: "the prompt",
            value: p.to_string(),
            character: c,
        }),
        None => Ok(()),
    }
}

/// Refuses an interpreter whose paths (written as `home`, `executable`
/// and in `command`) would add a line to `pyvenv.cfg`.
pub fn interpreter(python: &BaseInterpreter) -> Result<()> {
    let paths = [
        Some(&python.executable),
        Some(&python.real_executable),
        python.base_executable.as_ref(),
    ];
    for path in paths.into_iter().flatten() {
        let text = path.to_string_lossy();
        if let Some(c) = line_break(&text) {
            return Err(Error::LineBreak {
                what: "the interpreter's path",
                value: text.into_owned(),
                character: c,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_line_break_is_found() {
        for c in LINE_BREAKS {
            assert_eq!(line_break(&format!("a{c}b")), Some(*c));
        }
        assert_eq!(line_break("a b\tc"), None);
    }
}
