//! The command line as argparse reads it: every case runs through
//! CPython 3.13's own `python -m venv` and through pyvenv, which must exit
//! the same way and, where both succeed, write the same `pyvenv.cfg`.

use std::path::Path;
use std::process::{Command, Output};

use assert_cmd::cargo::cargo_bin;

mod support;

/// CPython 3.13 (whose venv is the reference), or a visible skip.
macro_rules! reference {
    () => {
        match support::pyenv_python(13) {
            Some(p) => p,
            None => {
                eprintln!("SKIPPED: CPython 3.13 is not installed under pyenv");
                return;
            }
        }
    };
}

/// `args` with `{d}` replaced by a directory inside `root`.
fn placed(args: &[&str], root: &Path) -> Vec<String> {
    args.iter()
        .map(|a| a.replace("{d}", &root.join("env").to_string_lossy()))
        .collect()
}

fn run_venv(python: &Path, args: &[&str], root: &Path) -> Output {
    Command::new(python)
        .args(["-m", "venv"])
        .args(placed(args, root))
        .current_dir(root)
        .output()
        .unwrap()
}

fn run_pyvenv(python: &Path, args: &[&str], root: &Path) -> Output {
    Command::new(cargo_bin("pyvenv"))
        .arg("-p")
        .arg(python)
        .args(placed(args, root))
        .current_dir(root)
        .env("PYVENV_NO_CACHE", "1")
        .output()
        .unwrap()
}

/// `pyvenv.cfg` under `root/env`, with `root` written as `ROOT`.
fn cfg(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("env/pyvenv.cfg")).ok()?;
    Some(text.replace(&*root.to_string_lossy(), "ROOT"))
}

/// Runs `args` through both and checks they agree; returns pyvenv's output.
fn agree(args: &[&str]) -> Option<Output> {
    let python = support::pyenv_python(13)?;
    let theirs = tempfile::tempdir().unwrap();
    let ours = tempfile::tempdir().unwrap();
    let venv = run_venv(&python, args, theirs.path());
    let pyvenv = run_pyvenv(&python, args, ours.path());
    assert_eq!(
        pyvenv.status.code(),
        venv.status.code(),
        "{args:?}: venv said {}\npyvenv said {}",
        String::from_utf8_lossy(&venv.stderr),
        String::from_utf8_lossy(&pyvenv.stderr)
    );
    assert_eq!(cfg(ours.path()), cfg(theirs.path()), "{args:?}");
    Some(pyvenv)
}

#[test]
fn a_repeated_flag_is_accepted() {
    let _ = reference!();
    agree(&["--without-pip", "--clear", "--clear", "{d}"]);
    agree(&["--without-pip", "--copies", "--copies", "{d}"]);
    agree(&["--without-pip", "--without-pip", "{d}"]);
}

#[test]
fn the_last_of_a_repeated_value_wins() {
    let _ = reference!();
    agree(&["--without-pip", "--prompt", "a", "--prompt", "b", "{d}"]);
    agree(&["--without-pip", "--prompt=a", "--prompt=b", "{d}"]);
}

#[test]
fn a_unique_prefix_means_its_option() {
    let _ = reference!();
    agree(&["--without-pip", "--sys", "{d}"]);
    agree(&["--without-p", "{d}"]);
    agree(&["--without-pip", "--pro", "x", "{d}"]);
    agree(&["--without-pip", "--pro=y", "{d}"]);
    agree(&["--without-pip", "--without-s", "--cop", "{d}"]);
}

#[test]
fn a_prefix_venv_reads_as_prompt_stays_prompt() {
    // pyvenv's --python also starts with --p; a script written for
    // `python -m venv` still means --prompt.
    let _ = reference!();
    agree(&["--without-pip", "--p", "z", "{d}"]);
}

#[test]
fn an_ambiguous_prefix_is_a_usage_error_naming_the_candidates() {
    let _ = reference!();
    let out = agree(&["--u", "{d}"]).unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("ambiguous option: --u could match --upgrade, --upgrade-deps"),
        "{said}"
    );
    let out = agree(&["--without-pip", "--s", "{d}"]).unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--symlinks"));
}

#[test]
fn symlinks_and_copies_together_are_a_usage_error() {
    let _ = reference!();
    agree(&["--without-pip", "--symlinks", "--copies", "{d}"]);
    agree(&["--without-pip", "--copies", "--symlinks", "{d}"]);
}

#[test]
fn a_double_dash_ends_the_options() {
    let _ = reference!();
    let python = reference!();
    let theirs = tempfile::tempdir().unwrap();
    let ours = tempfile::tempdir().unwrap();
    let args = ["--without-pip", "--", "--clear"];
    let venv = run_venv(&python, &args, theirs.path());
    let pyvenv = run_pyvenv(&python, &args, ours.path());
    assert_eq!(pyvenv.status.code(), venv.status.code());
    assert!(theirs.path().join("--clear/pyvenv.cfg").exists());
    assert!(ours.path().join("--clear/pyvenv.cfg").exists());
}

#[test]
fn no_env_dir_and_unknown_options_are_usage_errors() {
    let _ = reference!();
    agree(&[]);
    agree(&["--without-pip", "--no-such-flag", "{d}"]);
    agree(&["--prompt"]);
}

#[test]
fn a_prefix_of_help_prints_help() {
    let _ = reference!();
    let out = agree(&["--he"]).unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("ENV_DIR"));
}

/// The long options in `python3.13 -m venv -h`.
fn venv_flags(python: &Path) -> Vec<String> {
    let out = Command::new(python)
        .args(["-m", "venv", "-h"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut flags: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_string)
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

#[test]
fn help_lists_every_venv_flag_pyvenvs_own_and_the_variables() {
    let python = reference!();
    let out = Command::new(cargo_bin("pyvenv"))
        .arg("-h")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // Help is wrapped to the terminal; compare with the lines joined.
    let help = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let flags = venv_flags(&python);
    assert!(flags.len() >= 10, "{flags:?}");
    let ours = [
        "--python",
        "--verbose",
        "--quiet",
        "--no-cache",
        "--cache-dir",
        "--cache-clean",
        "--generate",
    ];
    for flag in flags.iter().map(String::as_str).chain(ours) {
        assert!(help.contains(flag), "{flag} missing from -h:\n{help}");
    }
    for var in ["PYVENV_PYTHON", "PYVENV_CACHE_DIR", "PYVENV_NO_CACHE"] {
        assert!(help.contains(var), "{var} missing from -h");
    }
    // The meanings are venv's own words.
    for words in [
        "Give the virtual environment access to the system site-packages dir",
        "Delete the contents of the environment directory if it already exists",
        "assuming Python has been upgraded in-place",
        "Provides an alternative prompt prefix for this environment",
    ] {
        assert!(help.contains(words), "{words:?} missing from -h");
    }
}

#[test]
fn generate_needs_no_env_dir_and_refuses_one() {
    let status = |args: &[&str]| {
        Command::new(cargo_bin("pyvenv"))
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(status(&["--generate", "man"]), Some(0));
    assert_eq!(status(&["--generate", "man", "somewhere"]), Some(2));
    assert_eq!(status(&["--generate", "nonsense"]), Some(2));
    assert_eq!(status(&["--cache-clean", "somewhere"]), Some(2));
}
