//! pyvenv as a Python package: maturin builds a wheel from pyproject.toml,
//! pip installs it into a fresh environment, and the `pyvenv` it puts on
//! that environment's PATH makes an environment; `python -m pyvenv` runs
//! that binary (arguments and exit status passed through), also from a
//! `pip install --target` directory, and `pyvenv.find_pyvenv_bin()` names it.
//!
//! maturin comes from PyPI; `.ci/run` puts it in `/opt/pyvenv-tools` (or
//! name one with `PYVENV_MATURIN`). The wheel is built with cargo's dev
//! profile in this test run's own target directory, so the binary the
//! other tests built is reused rather than compiled again.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::cargo_bin;

mod support;

fn maturin() -> Option<PathBuf> {
    let candidate = std::env::var_os("PYVENV_MATURIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/pyvenv-tools/bin/maturin"));
    let works = Command::new(&candidate)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    works.then_some(candidate)
}

fn ok(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Builds the wheel into `out_dir` and returns its path.
fn build_wheel(maturin: &Path, out_dir: &Path) -> PathBuf {
    // target/debug/pyvenv -> target
    let binary = cargo_bin("pyvenv");
    let target_dir = binary.parent().and_then(Path::parent).unwrap();
    ok(
        Command::new(maturin)
            .args(["build", "--quiet", "--out"])
            .arg(out_dir)
            .arg("--manifest-path")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", target_dir)
            .output()
            .unwrap(),
        "maturin build",
    );
    let wheels: Vec<PathBuf> = std::fs::read_dir(out_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "{wheels:?}");
    wheels[0].clone()
}

#[test]
fn the_wheel_puts_a_working_pyvenv_on_the_environments_path() {
    let Some(maturin) = maturin() else {
        eprintln!("SKIPPED: maturin is not installed (see .ci/run)");
        return;
    };
    let Some(python) = support::pyenv_python(12) else {
        eprintln!("SKIPPED: CPython 3.12 is not installed under pyenv");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let wheel = build_wheel(&maturin, &tmp.path().join("dist"));
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("pyvenv-"), "{name}");

    // A fresh environment, made by CPython's own venv, and the wheel in it.
    let host = tmp.path().join("host");
    ok(
        Command::new(&python)
            .args(["-m", "venv"])
            .arg(&host)
            .output()
            .unwrap(),
        "python -m venv",
    );
    ok(
        Command::new(host.join("bin/python"))
            .args(["-m", "pip", "install", "--no-index", "--no-deps", "--quiet"])
            .arg(&wheel)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .output()
            .unwrap(),
        "pip install",
    );
    let installed = host.join("bin/pyvenv");
    assert!(installed.is_file(), "no bin/pyvenv after pip install");

    // Found on PATH by name, as a user's shell would find it.
    let path = format!("{}:/usr/bin:/bin", host.join("bin").display());
    let version = ok(
        Command::new("pyvenv")
            .arg("--version")
            .env("PATH", &path)
            .output()
            .unwrap(),
        "pyvenv --version",
    );
    assert_eq!(
        version.trim(),
        format!("pyvenv {}", env!("CARGO_PKG_VERSION"))
    );
    let made = tmp.path().join("made");
    ok(
        Command::new("pyvenv")
            .arg("-p")
            .arg(&python)
            .arg(&made)
            .env("PATH", &path)
            .env("PYVENV_NO_CACHE", "1")
            .output()
            .unwrap(),
        "the installed pyvenv",
    );
    let pip = ok(
        Command::new(made.join("bin/python"))
            .args(["-m", "pip", "--version"])
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .output()
            .unwrap(),
        "pip in the environment the wheel's pyvenv made",
    );
    assert!(pip.contains(&made.display().to_string()), "{pip}");

    python_dash_m_runs_the_binary(&host.join("bin/python"), &installed, tmp.path());
    python_dash_m_runs_from_a_target_directory(&host.join("bin/python"), &wheel, tmp.path());

    // pip knows it as a distribution it can uninstall.
    ok(
        Command::new(host.join("bin/python"))
            .args(["-m", "pip", "uninstall", "--yes", "--quiet", "pyvenv"])
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .output()
            .unwrap(),
        "pip uninstall",
    );
    assert!(!installed.exists());
}

/// `python -m pyvenv ARGS` runs the installed binary with ARGS and exits
/// with its status, with the scripts directory not on PATH (as after
/// `pip install --user`); `pyvenv.find_pyvenv_bin()` names that binary.
fn python_dash_m_runs_the_binary(python: &Path, installed: &Path, tmp: &Path) {
    let run = |args: &[&std::ffi::OsStr]| {
        Command::new(python)
            .args(["-m", "pyvenv"])
            .args(args)
            .env("PATH", "/usr/bin:/bin")
            .env("PYVENV_NO_CACHE", "1")
            .output()
            .unwrap()
    };
    let version = ok(run(&["--version".as_ref()]), "python -m pyvenv --version");
    assert_eq!(
        version.trim(),
        format!("pyvenv {}", env!("CARGO_PKG_VERSION"))
    );

    // A usage error: clap's status 2 and its text, through Python.
    let usage = run(&["--no-such-flag".as_ref()]);
    assert_eq!(usage.status.code(), Some(2), "{usage:?}");
    let stderr = String::from_utf8_lossy(&usage.stderr);
    assert!(stderr.contains("--no-such-flag"), "{stderr}");
    assert!(stderr.contains("Usage: pyvenv"), "{stderr}");

    // A failure: status 1 and pyvenv's own one line.
    let file = tmp.join("a-file");
    std::fs::write(&file, "mine\n").unwrap();
    let refused = run(&["--without-pip".as_ref(), file.as_os_str()]);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.starts_with("Error: "), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine\n");

    // Every argument arrives, in order: two environments, one -p.
    let (one, two) = (tmp.join("by-m-1"), tmp.join("by-m-2"));
    ok(
        run(&[
            "-p".as_ref(),
            python.as_os_str(),
            "--without-pip".as_ref(),
            "--prompt".as_ref(),
            "two words".as_ref(),
            one.as_os_str(),
            two.as_os_str(),
        ]),
        "python -m pyvenv with arguments",
    );
    for env in [&one, &two] {
        let cfg = std::fs::read_to_string(env.join("pyvenv.cfg")).unwrap();
        assert!(cfg.contains("prompt = 'two words'"), "{cfg}");
        assert!(!env.join("bin/pip").exists());
    }

    let found = ok(
        Command::new(python)
            .args(["-c", "import pyvenv; print(pyvenv.find_pyvenv_bin())"])
            .output()
            .unwrap(),
        "pyvenv.find_pyvenv_bin()",
    );
    assert_eq!(Path::new(found.trim()), installed);
}

/// `pip install --target DIR` puts the package in DIR and the binary in
/// DIR/bin; with DIR on PYTHONPATH, `python -m pyvenv` still finds it.
fn python_dash_m_runs_from_a_target_directory(python: &Path, wheel: &Path, tmp: &Path) {
    let dir = tmp.join("target-dir");
    ok(
        Command::new(python)
            .args(["-m", "pip", "install", "--no-index", "--no-deps", "--quiet"])
            .arg("--target")
            .arg(&dir)
            .arg(wheel)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .output()
            .unwrap(),
        "pip install --target",
    );
    let found = ok(
        Command::new(python)
            .args(["-c", "import pyvenv; print(pyvenv.find_pyvenv_bin())"])
            .env("PYTHONPATH", &dir)
            .output()
            .unwrap(),
        "pyvenv.find_pyvenv_bin() from a --target directory",
    );
    assert_eq!(Path::new(found.trim()), dir.join("bin/pyvenv"));
    let version = ok(
        Command::new(python)
            .args(["-m", "pyvenv", "--version"])
            .env("PYTHONPATH", &dir)
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap(),
        "python -m pyvenv from a --target directory",
    );
    assert!(version.starts_with("pyvenv "), "{version}");
}
