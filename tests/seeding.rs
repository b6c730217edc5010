//! Native seeding against the real thing: for every CPython on this
//! machine, pip installed by pyvenv from the bundled wheels must be what
//! `python -m venv` (ensurepip) installs, and must work.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{Snapshot, interpreters, minor_version};

fn pyvenv() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pyvenv"))
}

/// Runs `command`, failing the test with what it printed if it fails.
fn ok(command: &mut Command) -> Output {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Makes an environment at `env` with pyvenv, its own cache in `cache`.
fn make(python: &Path, env: &Path, cache: &Path, extra: &[&str]) {
    ok(pyvenv()
        .arg("-p")
        .arg(python)
        .args(extra)
        .arg(env)
        .env("PYVENV_CACHE_DIR", cache));
}

/// Every `RECORD` below `env`, its lines in order, bytecode lines aside.
fn records(env: &Path) -> Vec<(PathBuf, Vec<String>)> {
    let mut found = Vec::new();
    for lib in std::fs::read_dir(env.join("lib")).unwrap().flatten() {
        let site = lib.path().join("site-packages");
        let Ok(items) = std::fs::read_dir(&site) else {
            continue;
        };
        let mut names: Vec<PathBuf> = items.flatten().map(|i| i.path()).collect();
        names.sort();
        for dir in names {
            let record = dir.join("RECORD");
            if let Ok(text) = std::fs::read_to_string(&record) {
                let lines = text
                    .split("\r\n")
                    .filter(|l| !l.contains(".pyc,"))
                    .map(String::from)
                    .collect();
                found.push((record.strip_prefix(env).unwrap().to_path_buf(), lines));
            }
        }
    }
    found
}

/// Builds `T -m venv` and pyvenv (cold cache, then warm) at the same path
/// and returns every difference.
fn differences_from_venv(python: &Path, dir_name: &str) -> Vec<String> {
    let scratch = tempfile::tempdir().unwrap();
    let env = scratch.path().join(dir_name);
    let cache = scratch.path().join("cache");
    ok(Command::new(python)
        .args(["-m", "venv"])
        .arg(&env)
        .current_dir(scratch.path()));
    let (venv_tree, venv_records) = (Snapshot::take(&env), records(&env));
    let mut out = Vec::new();
    for round in ["cold cache", "warm cache"] {
        std::fs::remove_dir_all(&env).unwrap();
        make(python, &env, &cache, &[]);
        for d in venv_tree.differences(&Snapshot::take(&env)) {
            out.push(format!("{round}: {d}"));
        }
        if records(&env) != venv_records {
            out.push(format!("{round}: RECORD lines or their order differ"));
        }
    }
    out
}

#[test]
fn native_seeding_leaves_what_ensurepip_leaves_for_every_cpython() {
    let mut failures = Vec::new();
    for python in interpreters() {
        for d in differences_from_venv(&python, "env") {
            failures.push(format!("{}: {d}", python.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// distlib writes a `/bin/sh` trampoline when the path has a space or the
/// shebang would pass 127 bytes; old distlib (pip 18.1) lays it out
/// differently. Both must come out as pip writes them.
#[test]
fn spaces_and_long_paths_get_the_shebang_pip_writes() {
    let long = format!("long-{}", "x".repeat(120));
    let mut failures = Vec::new();
    for python in interpreters() {
        let minor = minor_version(&python);
        if minor != 6 && minor != 12 {
            continue;
        }
        for name in ["with a space", long.as_str()] {
            for d in differences_from_venv(&python, name) {
                failures.push(format!("{} {name:?}: {d}", python.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A tiny wheel for `pip install`, written with the environment's python.
fn demo_wheel(python: &Path, dir: &Path) -> PathBuf {
    let script = r#"
import base64, hashlib, sys, zipfile
files = {
    "demo.py": b"VALUE = 42\n",
    "demo-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
    "demo-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = ""
for name, data in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record += "%s,sha256=%s,%d\n" % (name, digest, len(data))
record += "demo-1.0.dist-info/RECORD,,\n"
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, data in files.items():
        z.writestr(name, data)
    z.writestr("demo-1.0.dist-info/RECORD", record)
"#;
    let wheel = dir.join("demo-1.0-py3-none-any.whl");
    ok(Command::new(python).args(["-c", script]).arg(&wheel));
    wheel
}

fn env_python(env: &Path) -> Command {
    let mut command = Command::new(env.join("bin/python"));
    command
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1")
        .env_remove("PYTHONPATH")
        .current_dir("/");
    command
}

/// pip's files still in the environment. (pip 18.1, on 3.6, removes
/// `lib` itself once it is empty, as it does in a `python -m venv` one.)
fn pip_files_left(env: &Path) -> Vec<String> {
    let mut left = Vec::new();
    for lib in std::fs::read_dir(env.join("lib"))
        .into_iter()
        .flatten()
        .flatten()
    {
        for item in std::fs::read_dir(lib.path().join("site-packages"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = item.file_name().to_string_lossy().into_owned();
            if name == "pip" || name.starts_with("pip-") {
                left.push(name);
            }
        }
    }
    for item in std::fs::read_dir(env.join("bin"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with("pip") {
            left.push(format!("bin/{name}"));
        }
    }
    left
}

#[test]
fn pip_works_and_uninstalls_cleanly_in_a_natively_seeded_environment() {
    for python in interpreters() {
        let scratch = tempfile::tempdir().unwrap();
        let env = scratch.path().join("env");
        let cache = scratch.path().join("cache");
        make(&python, &env, &cache, &[]);

        let version = ok(env_python(&env).args(["-m", "pip", "--version"]));
        let version = String::from_utf8_lossy(&version.stdout).into_owned();
        assert!(
            version.contains(&env.display().to_string()),
            "{}: {version}",
            python.display()
        );
        // The console script runs too (its shebang names the env's python).
        ok(Command::new(env.join("bin/pip"))
            .arg("--version")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1"));

        let wheel = demo_wheel(&python, scratch.path());
        ok(env_python(&env)
            .args(["-m", "pip", "install", "--no-index"])
            .arg(&wheel));
        let value = ok(env_python(&env).args(["-c", "import demo; print(demo.VALUE)"]));
        assert_eq!(String::from_utf8_lossy(&value.stdout).trim(), "42");
        ok(env_python(&env).args(["-m", "pip", "check"]));

        ok(env_python(&env).args(["-m", "pip", "uninstall", "-y", "pip"]));
        assert_uninstalled(&env, &python, "pip");
    }
}

/// No file of pip is left, and `module` no longer imports.
fn assert_uninstalled(env: &Path, python: &Path, module: &str) {
    let left = pip_files_left(env);
    assert_eq!(left, Vec::<String>::new(), "{}", python.display());
    let gone = env_python(env)
        .args(["-c", &format!("import {module}")])
        .output()
        .unwrap();
    let shown = python.display();
    assert!(!gone.status.success(), "{shown}: {module} still importable");
}

/// CPython's own test_venv uninstalls with `ensurepip._uninstall`.
#[test]
fn ensurepip_uninstall_removes_a_natively_seeded_pip() {
    for python in interpreters() {
        let scratch = tempfile::tempdir().unwrap();
        let env = scratch.path().join("env");
        make(&python, &env, &scratch.path().join("cache"), &[]);
        ok(env_python(&env).args([
            "-W",
            "ignore::DeprecationWarning",
            "-m",
            "ensurepip._uninstall",
        ]));
        assert_uninstalled(&env, &python, "pip");
        assert_uninstalled(&env, &python, "setuptools");
    }
}

/// ensurepip ignores pip's configuration; so must the native route.
#[test]
fn pip_configuration_does_not_change_the_result() {
    for python in interpreters() {
        let minor = minor_version(&python);
        if minor != 6 && minor != 13 {
            continue;
        }
        let scratch = tempfile::tempdir().unwrap();
        let env = scratch.path().join("env");
        let cache = scratch.path().join("cache");
        make(&python, &env, &cache, &[]);
        let clean = Snapshot::take(&env);
        std::fs::remove_dir_all(&env).unwrap();

        let config = scratch.path().join("pip.conf");
        let elsewhere = scratch.path().join("elsewhere");
        std::fs::write(
            &config,
            format!("[install]\ntarget = {}\n", elsewhere.display()),
        )
        .unwrap();
        std::fs::create_dir_all(scratch.path().join("xdg/pip")).unwrap();
        std::fs::copy(&config, scratch.path().join("xdg/pip/pip.conf")).unwrap();
        ok(pyvenv()
            .arg("-p")
            .arg(&python)
            .arg(&env)
            .env("PYVENV_CACHE_DIR", &cache)
            .env("PIP_CONFIG_FILE", &config)
            .env("XDG_CONFIG_HOME", scratch.path().join("xdg"))
            .env("PIP_TARGET", &elsewhere)
            .env("PIP_PREFIX", &elsewhere)
            .env("PIP_USER", "1")
            .env("PIP_NO_COMPILE", "0")
            .env("PIP_INDEX_URL", "http://127.0.0.1:9/nowhere"));
        assert_eq!(
            clean.differences(&Snapshot::take(&env)),
            Vec::<String>::new()
        );
        assert!(!elsewhere.exists());
    }
}

/// `--seeder ensurepip` runs the target's ensurepip (which byte-compiles);
/// the result is otherwise the native one.
#[test]
fn the_ensurepip_seeder_is_still_there_and_agrees() {
    let Some(python) = interpreters()
        .into_iter()
        .rev()
        .find(|p| p.ends_with("python3.12"))
    else {
        eprintln!("SKIPPED: no CPython 3.12 for the seeder comparison");
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let env = scratch.path().join("env");
    let cache = scratch.path().join("cache");
    make(&python, &env, &cache, &[]);
    let native = Snapshot::take(&env);
    let pip_cache = env.join("lib/python3.12/site-packages/pip/__pycache__");
    assert!(!pip_cache.exists(), "native seeding compiles nothing");
    std::fs::remove_dir_all(&env).unwrap();
    make(&python, &env, &cache, &["--seeder", "ensurepip"]);
    assert!(pip_cache.exists(), "ensurepip's pip byte-compiles");
    assert_eq!(
        native.differences(&Snapshot::take(&env)),
        Vec::<String>::new()
    );
}
