//! Native seeding against the real thing: for every CPython on this
//! machine, pip installed by pyvenv from the bundled wheels must be what
//! `python -m venv` (ensurepip) installs, and must work.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{Snapshot, interpreters, minor_version};

fn pyvenv() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pyvenv"));
    // Compiling pip's modules runs under the probe's time limit; on a
    // machine shared with other builds, 20 seconds is not always enough.
    command.env("PYVENV_PROBE_TIMEOUT", support::SLOW_MACHINE_TIMEOUT);
    command
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

/// Every `RECORD` below `env`, its lines in order.
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
                let lines = text.split("\r\n").map(String::from).collect();
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

/// A small wheel for `pip install`, written with `python`: a module, a
/// console entry point, and `.data` files for every scheme, including a
/// `#!python` script and a script that merely wraps the entry point (which
/// pip drops).
fn demo_wheel(python: &Path, dir: &Path) -> PathBuf {
    let script = r##"
import base64, hashlib, sys, zipfile
files = [
    ("demo.py", b"VALUE = 42\ndef main():\n    print(VALUE)\n", 0o644),
    ("demo-1.0.data/purelib/demo_extra.py", b"X = 1\n", 0o644),
    ("demo-1.0.data/scripts/demo-tool", b"#!python\nimport demo\nprint(demo.VALUE)\n", 0o755),
    ("demo-1.0.data/scripts/demo-cli", b"#!/bin/sh\necho a wrapper pip drops\n", 0o755),
    ("demo-1.0.data/data/share/demo/demo.txt", b"data\n", 0o644),
    ("demo-1.0.data/headers/demo.h", b"#define DEMO 1\n", 0o644),
    ("demo-1.0.dist-info/METADATA", b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", 0o644),
    ("demo-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n", 0o644),
    ("demo-1.0.dist-info/entry_points.txt", b"[console_scripts]\ndemo-cli = demo:main\n", 0o644),
]
record = ""
for name, data, _ in files:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record += "%s,sha256=%s,%d\n" % (name, digest, len(data))
record += "demo-1.0.dist-info/RECORD,,\n"
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, data, mode in files + [("demo-1.0.dist-info/RECORD", record.encode(), 0o644)]:
        info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
        info.external_attr = (0o100000 | mode) << 16
        z.writestr(info, data)
"##;
    let wheel = dir.join("demo-1.0-py3-none-any.whl");
    ok(Command::new(python).args(["-c", script]).arg(&wheel));
    wheel
}

/// Adds `wheel` to the wheels the (only) remembered interpreter in `cache`
/// says its ensurepip installs, keeping the entry valid.
fn add_to_remembered_wheels(cache: &Path, wheel: &Path) {
    use sha2::{Digest, Sha256};
    let dir = cache.join("interpreters-v3");
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let data = std::fs::read_to_string(&entry).unwrap();
    let mut record: serde_json::Value =
        serde_json::from_str(data.split_once('\n').unwrap().1).unwrap();
    let wheels = record["facts"]["wheels"].as_array_mut().unwrap();
    wheels.push(serde_json::json!(wheel));
    let body = serde_json::to_string(&record).unwrap();
    let sum: String = Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(&entry, format!("{sum}\n{body}")).unwrap();
}

/// pip's own install of a wheel with `.data` directories and scripts, and
/// pyvenv's native one, leave the same files: pyvenv reads the same rules.
/// (Only where ensurepip brings pip 23 or later, 3.8 on: older pips' RECORD
/// keeps the hash a
/// `#!python` script had before pip rewrote it, a pip bug pyvenv does not
/// copy; no wheel ensurepip installs has such a script.)
#[test]
fn data_directories_and_scripts_land_where_pip_puts_them() {
    for python in interpreters() {
        let minor = minor_version(&python);
        if minor < 8 {
            continue;
        }
        let scratch = tempfile::tempdir().unwrap();
        let env = scratch.path().join("env");
        let wheel = demo_wheel(&python, scratch.path());

        // pyvenv, told (through its remembered facts) that ensurepip
        // installs the demo wheel too.
        let cache = scratch.path().join("cache");
        make(&python, &env, &cache, &[]);
        std::fs::remove_dir_all(&env).unwrap();
        add_to_remembered_wheels(&cache, &wheel);
        make(&python, &env, &cache, &[]);
        let native = Snapshot::take(&env);
        std::fs::remove_dir_all(&env).unwrap();

        // pip itself, from the same place, run as ensurepip runs it (by
        // `bin/<the base interpreter's name>`, which its shebangs carry).
        make(&python, &env, &scratch.path().join("other cache"), &[]);
        ok(
            Command::new(env.join("bin").join(python.file_name().unwrap()))
                .args(["-m", "pip", "install", "--no-index"])
                .arg(&wheel)
                .env("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
        );
        forget_direct_url(&env);
        let by_pip = Snapshot::take(&env);
        let differences = by_pip.differences(&native);
        assert!(
            differences.is_empty(),
            "{}:\n{}",
            python.display(),
            differences.join("\n")
        );
        assert!(env.join("bin/demo-tool").exists() && env.join("share/demo/demo.txt").exists());
    }
}

/// pip records where a wheel given by path came from (`direct_url.json`);
/// ensurepip's wheels are found by name, so they have none: leave it out.
fn forget_direct_url(env: &Path) {
    for lib in std::fs::read_dir(env.join("lib")).unwrap().flatten() {
        let dist = lib.path().join("site-packages/demo-1.0.dist-info");
        let _ = std::fs::remove_file(dist.join("direct_url.json"));
        let record = dist.join("RECORD");
        if let Ok(text) = std::fs::read_to_string(&record) {
            let kept: String = text
                .split_inclusive("\r\n")
                .filter(|l| !l.contains("direct_url.json"))
                .collect();
            std::fs::write(&record, kept).unwrap();
        }
    }
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

/// `--seeder ensurepip` runs the target's ensurepip; the result is the
/// native one, bytecode included.
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
    assert!(pip_cache.exists(), "native seeding leaves pip's bytecode");
    std::fs::remove_dir_all(&env).unwrap();
    make(&python, &env, &cache, &["--seeder", "ensurepip"]);
    assert!(pip_cache.exists(), "ensurepip's pip byte-compiles");
    assert_eq!(
        native.differences(&Snapshot::take(&env)),
        Vec::<String>::new()
    );
}

/// Every file below `dir` with its size and mtime.
fn files_with_times(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for item in std::fs::read_dir(&d).unwrap().flatten() {
            let meta = item.metadata().unwrap();
            if meta.is_dir() {
                todo.push(item.path());
            } else {
                out.push((item.path(), meta.len(), meta.modified().unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The first pip command in a new environment finds pip's bytecode valid
/// and compiles nothing: no file under site-packages appears or changes,
/// with bytecode writing allowed (`PYTHONDONTWRITEBYTECODE` unset): for
/// every CPython from a cold cache, and for the newest also from a warm
/// one, with copies from the cache, and with no cache.
#[test]
fn the_first_pip_command_writes_no_bytecode() {
    let mut failures = Vec::new();
    let pythons = interpreters();
    for python in &pythons {
        let scratch = tempfile::tempdir().unwrap();
        let cache = scratch.path().join("cache");
        let mut rounds = vec![("cold", &[][..])];
        if Some(python) == pythons.last() {
            rounds.extend([
                ("warm", &[][..]),
                ("copies", &["--link-mode", "copy"][..]),
                ("no cache", &["--no-cache"][..]),
            ]);
        }
        for (round, extra) in rounds {
            let env = scratch
                .path()
                .join(format!("env-{}", round.replace(' ', "-")));
            make(python, &env, &cache, extra);
            let site = std::fs::read_dir(env.join("lib"))
                .unwrap()
                .flatten()
                .map(|lib| lib.path().join("site-packages"))
                .find(|p| p.is_dir())
                .unwrap();
            let before = files_with_times(&site);
            let out = Command::new(env.join("bin/python"))
                .args(["-m", "pip", "--version"])
                .env_remove("PYTHONDONTWRITEBYTECODE")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let after = files_with_times(&site);
            if before != after {
                let new: Vec<_> = after.iter().filter(|f| !before.contains(f)).collect();
                failures.push(format!(
                    "{} ({round}): pip --version wrote {} file(s), e.g. {:?}",
                    python.display(),
                    new.len(),
                    new.first()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
