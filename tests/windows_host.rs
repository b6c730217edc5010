//! Environments made on a Windows host (issue 19), against a real Windows
//! CPython: `.ci/cross-check` runs this file under Wine with python.org's
//! embeddable 3.13 (unpacked by `.ci/python-embed`, with CPython 3.13's
//! pure-Python `venv` package beside it) named by
//! `PYVENV_TEST_WINDOWS_PYTHON`. pyvenv hands a Windows target to the
//! target's own venv (the delegated route) inside its stage, writes its
//! activation scripts, and moves the environment into place; what the
//! target's venv made must be what the same venv makes when run directly.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;

mod support;
use support::{PARTLY_POSIX, POSIX_ONLY, Snapshot, WINDOWS_ACTIVATION_SCRIPTS, ok};

/// The Windows python.exe to test with, or a visible skip.
fn windows_python() -> Option<PathBuf> {
    if !cfg!(windows) {
        eprintln!("SKIPPED: needs a Windows host (.ci/cross-check runs this file under Wine)");
        return None;
    }
    let python = std::env::var_os("PYVENV_TEST_WINDOWS_PYTHON");
    if python.is_none() {
        eprintln!(
            "SKIPPED: PYVENV_TEST_WINDOWS_PYTHON names no Windows python.exe \
             (.ci/python-embed unpacks one)"
        );
    }
    python.map(PathBuf::from)
}

/// pyvenv's run: silent, and successful.
fn pyvenv(python: &Path, args: &[&str], env: &Path) {
    let out = Command::new(cargo_bin("pyvenv"))
        .arg("-p")
        .arg(python)
        .args(args)
        .arg(env)
        .env("PYVENV_PROBE_TIMEOUT", support::SLOW_MACHINE_TIMEOUT)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pyvenv failed ({}):\n{stderr}",
        out.status
    );
    assert!(
        out.stdout.is_empty() && stderr.is_empty(),
        "not silent:\n{stderr}"
    );
}

/// `pyvenv.cfg` with the environment's own path written as `env`.
fn cfg_text(env: &Path) -> String {
    let text = std::fs::read_to_string(env.join("pyvenv.cfg")).unwrap();
    text.replace(&*env.to_string_lossy(), "ENV")
}

/// How the tree at `made` differs from the one at `reference`, their
/// `pyvenv.cfg` left out (it names each environment's own path: compare
/// [`cfg_text`] for it).
fn tree_differences(reference: &Path, made: &Path) -> Vec<String> {
    let mut a = Snapshot::take(reference);
    let mut b = Snapshot::take(made);
    a.0.remove(Path::new("pyvenv.cfg"));
    b.0.remove(Path::new("pyvenv.cfg"));
    a.differences(&b)
}

fn names_in(dir: &Path) -> Vec<OsString> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    names
}

#[test]
fn a_windows_target_builds_with_its_own_venv_and_gets_pyvenvs_scripts() {
    let Some(python) = windows_python() else {
        return;
    };
    for flags in [&["--without-pip", "--symlinks"][..], &["--without-pip"]] {
        let tmp = tempfile::tempdir().unwrap();
        let theirs = tmp.path().join("by-venv");
        ok(Command::new(&python)
            .args(["-m", "venv"])
            .args(flags)
            .arg(&theirs));
        let ours = tmp.path().join("by-pyvenv");
        pyvenv(&python, flags, &ours);

        assert_eq!(
            tree_differences(&theirs, &ours),
            Vec::<String>::new(),
            "{flags:?}"
        );
        assert_eq!(cfg_text(&ours), cfg_text(&theirs), "{flags:?}");
        for script in WINDOWS_ACTIVATION_SCRIPTS {
            let path = ours.join("Scripts").join(script);
            assert!(path.is_file(), "{flags:?}: no {}", path.display());
        }
        // Made in a stage beside it and moved into place: nothing else left.
        assert_eq!(names_in(tmp.path()), ["by-pyvenv", "by-venv"], "{flags:?}");
    }
}

#[test]
fn a_windows_path_with_a_path_separator_or_a_device_name_is_refused() {
    let Some(python) = windows_python() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for (name, says) in [
        ("a;b", "because it contains the PATH separator ;."),
        ("NUL", "'NUL' is the name of a Windows device"),
        ("x<y", "'x<y' holds <"),
    ] {
        let env = tmp.path().join(name);
        let out = Command::new(cargo_bin("pyvenv"))
            .arg("-p")
            .arg(&python)
            .arg("--without-pip")
            .arg(&env)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.starts_with("Error: "), "{name}: {stderr}");
        assert!(stderr.contains(says), "{name}: {stderr}");
        assert!(stderr.contains(&*env.to_string_lossy()), "{name}: {stderr}");
    }
    assert!(names_in(tmp.path()).is_empty());
}

/// The marks of a POSIX API in a test file.
const POSIX_MARKS: &[&str] = &["std::os::unix", "libc::", "activation_harness"];

/// Where a partly-POSIX file's POSIX part begins.
const POSIX_PART: &str = "\n#[cfg(unix)]\nmod posix {\n";

/// The names of the `#[test]` functions in `text`.
fn tests_in(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split("#[test]")
        .skip(1)
        .filter_map(|after| {
            let name = after.split_once("fn ")?.1.split_once('(')?.0;
            Some(name.trim().to_string())
        })
        .collect();
    names.sort();
    names
}

#[test]
fn the_test_files_that_need_posix_are_gated_and_named() {
    // The checkout as `cargo test` names it now, which may not be where
    // this binary was built (a cross build's mount point).
    let checkout = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    let tests = checkout.join("tests");
    for entry in std::fs::read_dir(&tests).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_stem().and_then(|n| n.to_str()) else {
            continue;
        };
        // This file names the marks below, and runs everywhere.
        if path.extension().is_none_or(|e| e != "rs") || name == "windows_host" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let gated = text.contains("\n#![cfg(unix)]");
        let listed = POSIX_ONLY.iter().any(|(file, _)| *file == name);
        assert_eq!(
            gated, listed,
            "{name}.rs: gated {gated}, in POSIX_ONLY {listed}"
        );
        let partly = PARTLY_POSIX.iter().find(|(file, _)| *file == name);
        let (portable, posix) = match text.split_once(POSIX_PART) {
            Some((portable, posix)) => (portable, Some(posix)),
            None => (&*text, None),
        };
        assert_eq!(
            posix.is_some(),
            partly.is_some(),
            "{name}.rs: a `mod posix` only in a file PARTLY_POSIX lists, and there one"
        );
        if let (Some(posix), Some((_, listed))) = (posix, partly) {
            assert!(!posix.contains(POSIX_PART), "{name}.rs: two `mod posix`");
            let mut names: Vec<String> = listed.iter().map(|(t, _)| t.to_string()).collect();
            names.sort();
            assert_eq!(
                tests_in(posix),
                names,
                "{name}.rs: mod posix vs PARTLY_POSIX"
            );
        }
        let needs_posix = POSIX_MARKS.iter().any(|mark| portable.contains(mark));
        assert!(
            gated || !needs_posix,
            "{name}.rs needs POSIX outside a `mod posix` but is not gated"
        );
    }
    if !cfg!(unix) {
        for (file, why) in POSIX_ONLY {
            eprintln!("SKIPPED: tests/{file}.rs needs a POSIX host: {why}");
        }
        for (file, skipped) in PARTLY_POSIX {
            for (test, why) in *skipped {
                eprintln!("SKIPPED: tests/{file}.rs {test} needs {why}");
            }
        }
    }
}

/// Runs pyvenv, which must refuse (exit 1) with an error holding `says`.
fn pyvenv_refuses(python: &Path, args: &[&str], env: &Path, says: &str) {
    let out = Command::new(cargo_bin("pyvenv"))
        .arg("-p")
        .arg(python)
        .args(args)
        .arg(env)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("Error: ") && stderr.contains(says),
        "{stderr}"
    );
}

/// A second run on an existing environment updates it where it is, as
/// the target's venv does (a user's file stays); `--clear` empties it
/// first (the user's file goes) and remakes it as a fresh one; and
/// `--upgrade` leaves it as the target's venv does, pyvenv's scripts
/// kept.
#[test]
fn a_rerun_clear_and_upgrade_on_windows_do_what_venv_does() {
    let Some(python) = windows_python() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("fresh");
    pyvenv(&python, &["--without-pip"], &fresh);
    let theirs = tmp.path().join("by-venv");
    let ours = tmp.path().join("by-pyvenv");
    let venv = |args: &[&str]| {
        ok(Command::new(&python)
            .args(["-m", "venv", "--without-pip"])
            .args(args)
            .arg(&theirs));
    };
    let same_as = |made: &Path, reference: &Path, what: &str| {
        assert_eq!(
            tree_differences(reference, made),
            Vec::<String>::new(),
            "{what}"
        );
        assert_eq!(cfg_text(made), cfg_text(reference), "{what}");
    };
    venv(&[]);
    pyvenv(&python, &["--without-pip"], &ours);
    for env in [&theirs, &ours] {
        std::fs::write(env.join("notes.txt"), "mine").unwrap();
    }
    // Again, on the existing environments.
    venv(&[]);
    pyvenv(&python, &["--without-pip"], &ours);
    same_as(&ours, &theirs, "a second run");
    assert_eq!(
        std::fs::read_to_string(ours.join("notes.txt")).unwrap(),
        "mine"
    );
    // --upgrade: pyvenv's activation scripts are kept, byte for byte.
    let script = ours.join("Scripts").join("activate.bat");
    let before = std::fs::read(&script).unwrap();
    venv(&["--upgrade"]);
    pyvenv(&python, &["--without-pip", "--upgrade"], &ours);
    same_as(&ours, &theirs, "--upgrade");
    assert_eq!(std::fs::read(&script).unwrap(), before);
    // --clear: the user's file goes, and the environment is a fresh one.
    venv(&["--clear"]);
    pyvenv(&python, &["--without-pip", "--clear"], &ours);
    same_as(&ours, &theirs, "--clear");
    assert!(!ours.join("notes.txt").exists());
    assert_eq!(
        tree_differences(&fresh, &ours),
        Vec::<String>::new(),
        "--clear vs fresh"
    );
    assert_eq!(
        cfg_text(&ours).replace("--clear ", ""),
        cfg_text(&fresh),
        "--clear vs fresh"
    );
}

/// `--clear` refuses a directory that is not an environment and a file,
/// as on POSIX, and nothing of either is lost.
#[test]
fn clear_on_windows_refuses_what_is_not_an_environment() {
    let Some(python) = windows_python() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::fs::write(work.join("thesis.tex"), "years").unwrap();
    pyvenv_refuses(
        &python,
        &["--without-pip", "--clear"],
        &work,
        "it is not a virtual environment",
    );
    assert_eq!(names_in(&work), ["thesis.tex"]);
    assert_eq!(
        std::fs::read_to_string(work.join("thesis.tex")).unwrap(),
        "years"
    );
    let file = tmp.path().join("file");
    std::fs::write(&file, "mine").unwrap();
    pyvenv_refuses(&python, &["--without-pip", "--clear"], &file, "is a file");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    assert_eq!(names_in(tmp.path()), ["file", "work"]);
}
