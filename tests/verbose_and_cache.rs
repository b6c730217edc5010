//! `-v`, `-q` and the cache flags: what pyvenv says when asked, that it says
//! nothing otherwise, that `--no-cache` leaves no cache behind and builds
//! the same environment, and that `--cache-clean` empties only pyvenv's
//! own entries, never while another pyvenv uses them.
// Needs a POSIX host: named, with why, in tests/support (POSIX_ONLY).
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;

#[macro_use]
mod support;

use support::tree;

/// pyvenv with HOME inside `root` and no cache variables set.
fn pyvenv(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pyvenv").unwrap();
    for var in [
        "PYVENV_PYTHON",
        "PYVENV_CACHE_DIR",
        "PYVENV_NO_CACHE",
        "XDG_CACHE_HOME",
        "PYENV_ROOT",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", root.join("home"));
    cmd
}

fn stderr_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

/// Whether `cache` holds a store named `<kind>-v<N>` (the version is bumped
/// whenever its format changes).
fn has_store(cache: &Path, kind: &str) -> bool {
    std::fs::read_dir(cache).is_ok_and(|items| {
        items.flatten().any(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_prefix(kind))
                .and_then(|n| n.strip_prefix("-v"))
                .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        })
    })
}

#[test]
fn verbose_says_interpreter_how_version_route_cache_and_times() {
    let py = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let said = stderr_of(
        pyvenv(tmp.path())
            .arg("-v")
            .arg("-p")
            .arg(&py)
            .arg("--cache-dir")
            .arg(&cache)
            .arg(tmp.path().join("env")),
    );
    assert!(
        said.contains(&format!("interpreter: {}", py.display())),
        "{said}"
    );
    assert!(said.contains("cpython 3.12."), "{said}");
    assert!(said.contains("chosen by -p/--python"), "{said}");
    assert!(said.contains("route: native"), "{said}");
    assert!(
        said.contains(&format!("cache: {} (from --cache-dir)", cache.display())),
        "{said}"
    );
    assert!(said.contains("find the interpreter: "), "{said}");
    for step in [
        "directories",
        "pyvenv.cfg",
        "python executables",
        "pip",
        "activation scripts",
    ] {
        assert!(
            said.lines()
                .any(|l| l.starts_with(&format!("pyvenv:   {step}: ")) && l.ends_with(" ms")),
            "{step}: {said}"
        );
    }
    assert!(
        said.lines()
            .any(|l| l.starts_with("pyvenv: make ") && l.ends_with(" ms"))
    );
}

#[test]
fn verbose_says_how_the_interpreter_was_chosen() {
    let py = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    let said = stderr_of(
        pyvenv(tmp.path())
            .env("PYVENV_PYTHON", &py)
            .args(["-v", "--without-pip", "--seeder", "ensurepip"])
            .arg(tmp.path().join("a")),
    );
    assert!(said.contains("chosen by PYVENV_PYTHON"), "{said}");
    assert!(said.contains("route: no pip"), "{said}");

    // A copy of pyvenv named pyvenv-3.12 asks for 3.12 by its name.
    let renamed = tmp.path().join("pyvenv-3.12");
    std::fs::copy(assert_cmd::cargo::cargo_bin("pyvenv"), &renamed).unwrap();
    let bin = py.parent().unwrap();
    let out = std::process::Command::new(&renamed)
        .args(["-v", "--without-pip"])
        .arg(tmp.path().join("b"))
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", tmp.path().join("home"))
        .env_remove("PYVENV_PYTHON")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("chosen by the program's name 3.12"), "{said}");

    let said = stderr_of(
        pyvenv(tmp.path())
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .args(["-v", "--without-pip", "--no-cache"])
            .arg(tmp.path().join("c")),
    );
    assert!(said.contains("chosen by the default"), "{said}");
    assert!(said.contains("cache: none (--no-cache"), "{said}");
}

#[test]
fn quiet_and_default_runs_print_nothing() {
    let py = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    for (flag, dir) in [("-q", "a"), ("--quiet", "b"), ("--without-pip", "c")] {
        let said = stderr_of(
            pyvenv(tmp.path())
                .arg("-p")
                .arg(&py)
                .arg(flag)
                .arg(tmp.path().join(dir)),
        );
        assert_eq!(said, "", "{flag}");
    }
    // -q after -v wins, as the last of two flags does.
    let said = stderr_of(
        pyvenv(tmp.path())
            .arg("-p")
            .arg(&py)
            .args(["--without-pip", "-v", "-q"])
            .arg(tmp.path().join("d")),
    );
    assert_eq!(said, "");
}

#[test]
fn no_cache_leaves_no_cache_and_the_same_environment() {
    let py = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    stderr_of(
        pyvenv(tmp.path())
            .arg("-p")
            .arg(&py)
            .arg("--no-cache")
            .arg(tmp.path().join("flag")),
    );
    stderr_of(
        pyvenv(tmp.path())
            .env("PYVENV_NO_CACHE", "1")
            .arg("-p")
            .arg(&py)
            .arg(tmp.path().join("var")),
    );
    assert_eq!(tree(&home), Vec::<PathBuf>::new(), "something was cached");
    stderr_of(
        pyvenv(tmp.path())
            .env("PYVENV_NO_CACHE", "0")
            .arg("-p")
            .arg(&py)
            .arg(tmp.path().join("cached")),
    );
    assert!(has_store(&home.join(".cache/pyvenv"), "wheels"));
    let cached = tree(&tmp.path().join("cached"));
    assert_eq!(tree(&tmp.path().join("flag")), cached);
    assert_eq!(tree(&tmp.path().join("var")), cached);
    let pip = std::process::Command::new(tmp.path().join("flag/bin/pip"))
        .arg("--version")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .output()
        .unwrap();
    assert!(pip.status.success());
}

#[test]
fn cache_dir_overrides_the_variable() {
    let py = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    let flag = tmp.path().join("flag-cache");
    let var = tmp.path().join("var-cache");
    stderr_of(
        pyvenv(tmp.path())
            .env("PYVENV_CACHE_DIR", &var)
            .arg("-p")
            .arg(&py)
            .arg("--cache-dir")
            .arg(&flag)
            .arg(tmp.path().join("env")),
    );
    assert!(has_store(&flag, "wheels"));
    assert!(!var.exists());
}

/// A cache directory filled by one real run, plus a file of the user's.
fn filled_cache(py: &Path, tmp: &Path) -> PathBuf {
    let cache = tmp.join("cache");
    stderr_of(
        pyvenv(tmp)
            .arg("-p")
            .arg(py)
            .arg("--cache-dir")
            .arg(&cache)
            .arg(tmp.join("env")),
    );
    assert!(has_store(&cache, "wheels"));
    assert!(has_store(&cache, "interpreters"));
    std::fs::write(cache.join("notes.txt"), "mine").unwrap();
    cache
}

#[test]
fn cache_clean_empties_pyvenvs_entries_only() {
    let py = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    let cache = filled_cache(&py, tmp.path());
    let said = stderr_of(
        pyvenv(tmp.path())
            .env("PYVENV_CACHE_DIR", &cache)
            .arg("--cache-clean"),
    );
    assert!(!has_store(&cache, "wheels"));
    assert!(!has_store(&cache, "interpreters"));
    assert_eq!(
        std::fs::read_to_string(cache.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(
        said.contains("left") && said.contains("notes.txt"),
        "{said}"
    );
    // The environment made from the cache still works: its files were
    // linked or copied, never borrowed.
    let pip = std::process::Command::new(tmp.path().join("env/bin/pip"))
        .arg("--version")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .output()
        .unwrap();
    assert!(pip.status.success());
    // -q silences the warning.
    let said = stderr_of(
        pyvenv(tmp.path())
            .arg("--cache-dir")
            .arg(&cache)
            .args(["--cache-clean", "-q"]),
    );
    assert_eq!(said, "");
}

#[test]
fn cache_clean_never_follows_a_symlink_out_of_the_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::create_dir_all(outside.join("sub")).unwrap();
    std::fs::write(outside.join("sub/precious"), "keep").unwrap();
    std::os::unix::fs::symlink(&outside, cache.join("wheels-v1")).unwrap();
    std::fs::create_dir_all(cache.join("interpreters-v1")).unwrap();
    std::os::unix::fs::symlink(outside.join("sub"), cache.join("interpreters-v1/link")).unwrap();
    stderr_of(
        pyvenv(tmp.path())
            .arg("--cache-dir")
            .arg(&cache)
            .arg("--cache-clean"),
    );
    assert!(!has_store(&cache, "wheels"));
    assert!(!has_store(&cache, "interpreters"));
    assert_eq!(
        std::fs::read_to_string(outside.join("sub/precious")).unwrap(),
        "keep"
    );
}

#[test]
fn cache_clean_waits_while_another_pyvenv_uses_the_cache() {
    let py = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    let cache = filled_cache(&py, tmp.path());
    // A run using the cache holds a shared lock on its .lock file; flock(1)
    // stands in for one that is slow to finish.
    let mut holder = match std::process::Command::new("flock")
        .arg("-s")
        .arg(cache.join(".lock"))
        .args(["sleep", "2"])
        .spawn()
    {
        Ok(child) => child,
        Err(_) => {
            eprintln!("SKIPPED: flock(1) is not installed");
            return;
        }
    };
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let said = stderr_of(
        pyvenv(tmp.path())
            .arg("--cache-dir")
            .arg(&cache)
            .arg("--cache-clean"),
    );
    let waited = start.elapsed();
    holder.wait().unwrap();
    assert!(said.contains("another pyvenv is using the cache"), "{said}");
    assert!(waited >= Duration::from_millis(1200), "{waited:?}");
    assert!(!has_store(&cache, "wheels"));
}

#[test]
fn cache_clean_of_a_missing_cache_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    let said = stderr_of(
        pyvenv(tmp.path())
            .arg("--cache-dir")
            .arg(tmp.path().join("never-made"))
            .arg("--cache-clean"),
    );
    assert_eq!(said, "");
    assert!(!tmp.path().join("never-made").exists());
}

#[test]
fn verbose_names_the_delegated_route() {
    let py = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    // PYVENV_TEST_DELEGATE hands a target pyvenv has rules for to its own
    // venv, as happens for one it has none for.
    let said = stderr_of(
        pyvenv(tmp.path())
            .env("PYVENV_TEST_DELEGATE", "1")
            .args(["-v", "--without-pip", "-p"])
            .arg(&py)
            .arg(tmp.path().join("env")),
    );
    assert!(said.contains("route: delegated"), "{said}");
}
