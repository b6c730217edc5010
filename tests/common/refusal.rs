//! What a refused run must leave: exit 1, `Error: ...` naming the problem,
//! and the scratch directory exactly as it was. Shared by the test files
//! about failures.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs pyvenv with `-p python` and `args`.
pub fn pyvenv(python: &Path, args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pyvenv"))
        .arg("-p")
        .arg(python)
        .args(args)
        .output()
        .unwrap()
}

/// Every name in `dir`, recursively, with what each is: a picture to compare
/// before and after a failed run.
pub fn listing(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let kind = if meta.file_type().is_symlink() {
            format!("link {:?}", std::fs::read_link(&path).unwrap())
        } else if meta.is_dir() {
            out.extend(listing(&path));
            "dir".into()
        } else {
            format!("file {:?}", std::fs::read(&path).unwrap())
        };
        out.push((path, kind));
    }
    out.sort();
    out
}

/// Runs pyvenv on `target` inside `scratch` and requires exit 1, an error
/// containing `message`, and `scratch` unchanged.
pub fn refused(python: &Path, scratch: &Path, target: &Path, extra: &[&str], message: &str) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pyvenv"));
    command.arg("-p").arg(python).args(extra).arg(target);
    refused_by(&mut command, scratch, message);
}

/// Runs `command` and requires exit 1, an error containing `message`, and
/// `scratch` unchanged; returns what it printed on stderr.
pub fn refused_by(command: &mut Command, scratch: &Path, message: &str) -> String {
    let before = listing(scratch);
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{command:?}: {stderr}");
    assert!(stderr.starts_with("Error: "), "{stderr}");
    assert!(
        stderr.contains(message),
        "expected {message:?} in {stderr:?}"
    );
    // Every error names the path the user gave, never the staging directory.
    assert!(!stderr.contains(".pyvenv-stage-"), "{stderr}");
    assert_eq!(listing(scratch), before, "a failed run changed {scratch:?}");
    stderr
}

/// The names directly in `dir`, sorted.
pub fn names_in(dir: &Path) -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    names.sort();
    names
}
