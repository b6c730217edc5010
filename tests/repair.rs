//! Environments that outlive their interpreter: after any run over an
//! existing environment, `pyvenv.cfg` and every python name in `bin` name
//! the interpreter that run chose, so `pyvenv --upgrade -p NEW ENV` brings
//! back an environment whose base interpreter was upgraded, moved or
//! deleted, with what was installed in it; and where a run cannot repair
//! one, it says what is missing and which command does.
// Needs a POSIX host: named, with why, in tests/support (POSIX_ONLY).
#![cfg(unix)]

#[macro_use]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use support::portable::{
    TINY_MODULE, TINY_SAYS, TINY_SCRIPT, copy_interpreter, pip_install, run_ok, succeeds,
    tiny_wheel,
};

fn pyvenv(python: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pyvenv").unwrap();
    cmd.arg("-p").arg(python).env("PYVENV_NO_CACHE", "1");
    cmd
}

/// Runs `cmd`, which must succeed silently.
fn silent(cmd: &mut Command) {
    let out = succeeds(cmd);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The python names of a 3.12 environment.
const NAMES: &[&str] = &["python", "python3", "python3.12"];

/// Every python name in `env/bin` resolves to `base`'s file.
fn assert_names(env: &Path, base: &Path) {
    let want = std::fs::canonicalize(base).unwrap();
    for name in NAMES {
        let path = env.join("bin").join(name);
        let got = std::fs::canonicalize(&path)
            .unwrap_or_else(|e| panic!("{} does not resolve: {e}", path.display()));
        assert_eq!(got, want, "{name}");
    }
}

fn cfg_home(env: &Path) -> String {
    let cfg = std::fs::read_to_string(env.join("pyvenv.cfg")).unwrap();
    cfg.lines()
        .find_map(|l| l.strip_prefix("home = "))
        .unwrap()
        .to_string()
}

#[test]
fn upgrade_repairs_an_environment_whose_interpreter_was_deleted() {
    let original = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    let copy_dir = tmp.path().join("old/3.12.1");
    let Some(copy) = copy_interpreter(12, &copy_dir) else {
        return;
    };
    let env = tmp.path().join("env");
    silent(pyvenv(&copy).arg(&env));
    let wheel = tiny_wheel(&original, tmp.path());
    let out = pip_install(&env, &wheel);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let script = env.join("bin").join(TINY_SCRIPT);
    assert!(run_ok(&script, &[]).starts_with(TINY_SAYS));

    std::fs::remove_dir_all(tmp.path().join("old")).unwrap();
    let broken = Command::new(env.join("bin/python")).arg("-V").output();
    assert!(broken.is_err() || !broken.unwrap().status.success());

    silent(pyvenv(&original).arg("--upgrade").arg(&env));
    assert_names(&env, &original);
    assert_eq!(
        cfg_home(&env),
        original.parent().unwrap().display().to_string()
    );
    let python = env.join("bin/python");
    run_ok(&python, &["-c", &format!("import {TINY_MODULE}")]);
    let prefix = run_ok(&python, &["-c", "import sys; print(sys.prefix)"]);
    assert_eq!(prefix.trim(), env.display().to_string());
    assert_eq!(
        run_ok(&script, &[]).trim(),
        format!("{TINY_SAYS}{}", env.display())
    );
    for pip in ["pip", "pip3", "pip3.12"] {
        assert!(run_ok(&env.join("bin").join(pip), &["--version"]).starts_with("pip "));
    }
}

/// A plain re-run or `--upgrade`, with links or copies: a dangling link
/// and a link to another interpreter are replaced, and the dangling one is
/// never written through (its target's directory stays empty).
#[test]
fn every_rerun_points_every_python_name_at_the_chosen_interpreter() {
    let python = require!(12);
    let other = support::pyenv_python(11).unwrap_or_else(|| PathBuf::from("/usr/bin/python3"));
    for flags in [
        &[][..],
        &["--upgrade"],
        &["--copies"],
        &["--upgrade", "--copies"],
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let env = tmp.path().join("env");
        let trap = tmp.path().join("trap");
        std::fs::create_dir(&trap).unwrap();
        silent(pyvenv(&python).arg("--without-pip").arg(&env));
        let bin = env.join("bin");
        std::fs::remove_file(bin.join("python3.12")).unwrap();
        std::os::unix::fs::symlink(trap.join("python3.12"), bin.join("python3.12")).unwrap();
        std::fs::remove_file(bin.join("python3")).unwrap();
        std::os::unix::fs::symlink(&other, bin.join("python3")).unwrap();

        silent(pyvenv(&python).arg("--without-pip").args(flags).arg(&env));
        assert_eq!(std::fs::read_dir(&trap).unwrap().count(), 0, "{flags:?}");
        if flags.contains(&"--copies") {
            // Copies of the chosen interpreter (or links to such a copy).
            assert!(!bin.join("python3.12").is_symlink(), "{flags:?}");
            let want = std::fs::read(&python).unwrap();
            for name in NAMES {
                let path = bin.join(name);
                assert_eq!(std::fs::read(&path).unwrap(), want, "{flags:?}: {name}");
            }
        } else {
            assert_names(&env, &python);
            assert_eq!(
                std::fs::read_link(bin.join("python3")).unwrap(),
                Path::new("python3.12"),
                "{flags:?}: a replaced alias is relative, as venv makes it"
            );
        }
        let version = run_ok(
            &bin.join("python3"),
            &["-c", "import sys; print(sys.version_info[:2])"],
        );
        assert_eq!(version.trim(), "(3, 12)", "{flags:?}");
    }
}

/// A link that already names the chosen interpreter, by another path to
/// the same file, is kept as it is, as venv keeps it.
#[test]
fn a_link_to_the_chosen_interpreter_is_kept_as_it_is() {
    let python = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    let env = tmp.path().join("env");
    silent(pyvenv(&python).arg("--without-pip").arg(&env));
    let via = tmp.path().join("via");
    std::os::unix::fs::symlink(python.parent().unwrap(), &via).unwrap();
    let exe = env.join("bin/python3.12");
    std::fs::remove_file(&exe).unwrap();
    std::os::unix::fs::symlink(via.join("python3.12"), &exe).unwrap();
    succeeds(
        pyvenv(&python)
            .args(["--without-pip", "--upgrade"])
            .arg(&env),
    );
    assert_eq!(std::fs::read_link(&exe).unwrap(), via.join("python3.12"));
}

/// Another `X.Y` cannot repair an environment whose interpreter is gone:
/// one line says what is missing and the command that repairs it.
#[test]
fn an_environment_whose_interpreter_is_gone_is_diagnosed_in_one_line() {
    let python = require!(12);
    let other = require!(11);
    let tmp = tempfile::tempdir().unwrap();
    let env = tmp.path().join("my env");
    silent(pyvenv(&python).arg("--without-pip").arg(&env));
    let cfg_path = env.join("pyvenv.cfg");
    let cfg = std::fs::read_to_string(&cfg_path).unwrap();
    let real = python.parent().unwrap().display().to_string();
    std::fs::write(&cfg_path, cfg.replace(&real, "/gone/3.12.1/bin")).unwrap();
    for flags in [&[][..], &["--upgrade"]] {
        let out = pyvenv(&other)
            .arg("--without-pip")
            .args(flags)
            .arg(&env)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(said.lines().count(), 1, "{said}");
        assert!(said.starts_with("Error: "), "{said}");
        assert!(said.contains("/gone/3.12.1/bin/python3.12"), "{said}");
        let repair = format!("`pyvenv --upgrade -p 3.12 '{}'`", env.display());
        assert!(said.contains(&repair), "{said}");
    }
    // Nothing was changed by the refusal.
    assert!(
        std::fs::read_to_string(&cfg_path)
            .unwrap()
            .contains("/gone/")
    );
}

/// An environment made by another `X.Y` whose interpreter still exists
/// keeps today's message: nothing is missing there.
#[test]
fn another_version_with_its_interpreter_present_keeps_the_mixing_message() {
    let python = require!(12);
    let other = require!(11);
    let tmp = tempfile::tempdir().unwrap();
    let env = tmp.path().join("env");
    silent(pyvenv(&python).arg("--without-pip").arg(&env));
    let out = pyvenv(&other)
        .arg("--without-pip")
        .arg(&env)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("would mix the two"), "{said}");
    assert!(!said.contains("no longer exists"), "{said}");
}

/// Where the target's own venv builds (a target pyvenv has no rules for,
/// forced here by the test switch), the links are repaired before it runs,
/// so its ensurepip does not run through a dangling link and the result
/// names the chosen interpreter.
#[test]
fn the_delegated_route_repairs_the_links_before_the_targets_venv_runs() {
    let python = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    let env = tmp.path().join("env");
    silent(pyvenv(&python).arg("--without-pip").arg(&env));
    let bin = env.join("bin");
    std::fs::remove_file(bin.join("python3.12")).unwrap();
    std::os::unix::fs::symlink("/gone/bin/python3.12", bin.join("python3.12")).unwrap();
    silent(
        pyvenv(&python)
            .arg("--upgrade")
            .arg(&env)
            .env("PYVENV_TEST_DELEGATE", "1"),
    );
    assert_names(&env, &python);
    run_ok(&bin.join("pip"), &["--version"]);
}
