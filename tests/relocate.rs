//! `--relocatable`: an environment that keeps working after `mv` or
//! `cp -a` to another path. Its activation scripts find it from where they
//! are (the activation battery, run on environments made elsewhere and
//! moved to hostile paths), pip's scripts start its python by a path
//! relative to themselves, what pip installs afterwards works, and its
//! python reports the new place.
// Needs a POSIX host: named, with why, in tests/support (POSIX_ONLY).
#![cfg(unix)]

#[macro_use]
mod support;
#[path = "common/activation_scripts.rs"]
mod activation_scripts;
#[path = "common/activation_harness.rs"]
mod harness;
#[path = "common/powershell_grammar.rs"]
mod powershell_grammar;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use harness::{Maker, assert_battery, world};
use support::portable::{
    TINY_MODULE, TINY_SAYS, TINY_SCRIPT, pip_install, run_ok, succeeds, tiny_wheel,
};

fn moved_battery(name: &str) {
    assert_battery(Maker::PyvenvMoved, name);
}

// The shells that can tell a sourced script its own path. dash, mksh,
// yash, busybox sh, csh and tcsh cannot; there a relocatable environment's
// script keeps the path it was made at (the README says so), which
// `shells_that_cannot_tell_keep_the_path_made_at` checks.

#[test]
fn moved_battery_in_bash() {
    moved_battery("bash");
}

#[test]
fn moved_battery_in_zsh() {
    moved_battery("zsh");
}

#[test]
fn moved_battery_in_ksh93() {
    moved_battery("ksh93");
}

#[test]
fn moved_battery_in_fish() {
    moved_battery("fish");
}

#[test]
fn moved_battery_in_nushell() {
    moved_battery("nu");
}

/// `activate_this.py` of every moved environment names the new place.
#[test]
fn moved_activate_this_names_the_new_place() {
    let python = require!(12);
    let world = world(Maker::PyvenvMoved);
    let mut failures = Vec::new();
    for env in &world.envs {
        let script = env.path.join("bin/activate_this.py");
        let out = Command::new(&python)
            .args(["-c", activation_scripts::ACTIVATE_THIS])
            .arg(&script)
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap();
        let got: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!(
                    "[{}] {e}: {}",
                    env.label,
                    String::from_utf8_lossy(&out.stderr)
                ));
                continue;
            }
        };
        let want = env.path.to_string_lossy();
        if got["prefix"] != *want || got["VIRTUAL_ENV"] != *want {
            failures.push(format!("[{}] {got}", env.label));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Where the shell cannot learn the script's path, the path the
/// environment was made at stands (and works while it is there).
#[test]
fn shells_that_cannot_tell_keep_the_path_made_at() {
    let python = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    let env = tmp.path().join("env");
    made(&python, &env, &["--without-pip"]);
    for sh in ["dash", "mksh", "yash", "busybox"] {
        let Some(program) = harness::find_program(sh) else {
            eprintln!("SKIPPED: {sh} not installed");
            continue;
        };
        let mut cmd = Command::new(program);
        if sh == "busybox" {
            cmd.arg("sh");
        }
        let out = cmd
            .args([
                "-c",
                r#". "$1/bin/activate" && printf %s "$VIRTUAL_ENV""#,
                "-",
            ])
            .arg(&env)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            env.to_string_lossy(),
            "{sh}"
        );
    }
}

fn made(python: &Path, env: &Path, flags: &[&str]) {
    succeeds(
        Command::cargo_bin("pyvenv")
            .unwrap()
            .arg("-p")
            .arg(python)
            .arg("--relocatable")
            .args(flags)
            .arg(env)
            .env("PYVENV_NO_CACHE", "1"),
    );
}

/// Each `RECORD` line of a script in `bin` has the script's hash and size.
fn assert_records_match(env: &Path) {
    let site = env.join("lib/python3.12/site-packages");
    let mut checked = 0;
    for dist in std::fs::read_dir(&site).unwrap().flatten() {
        let record = dist.path().join("RECORD");
        let Ok(text) = std::fs::read_to_string(&record) else {
            continue;
        };
        for line in text.lines() {
            let mut fields = line.rsplitn(3, ',');
            let (Some(size), Some(hash), Some(name)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            if !name.starts_with("../../../bin/") || hash.is_empty() {
                continue;
            }
            let bytes = std::fs::read(site.join(name)).unwrap();
            let out = Command::new(env.join("bin/python"))
                .args([
                    "-c",
                    "import base64,hashlib,sys; d=open(sys.argv[1],'rb').read(); \
                     print('sha256='+base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode())",
                ])
                .arg(site.join(name))
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), hash, "{name}");
            assert_eq!(size, bytes.len().to_string(), "{name}");
            checked += 1;
        }
    }
    assert!(checked >= 3, "no script lines in RECORD checked");
}

/// What the environment at `env` must do wherever it is now.
fn works_where_it_is(env: &Path, wheel: &Path, original: &Path) {
    let bin = env.join("bin");
    let here = env.to_string_lossy().into_owned();
    let prefix = run_ok(
        &bin.join("python"),
        &["-c", "import sys; print(sys.prefix)"],
    );
    assert_eq!(prefix.trim_end_matches('\n'), here);
    for pip in ["pip", "pip3", "pip3.12"] {
        let said = run_ok(&bin.join(pip), &["--version"]);
        assert!(
            said.contains(&format!("from {here}/lib/python3.12/")),
            "{pip}: {said}"
        );
    }
    // The script's own path, through a symlink from elsewhere.
    let elsewhere = env.parent().unwrap().join("pip-link");
    let _ = std::fs::remove_file(&elsewhere);
    std::os::unix::fs::symlink(bin.join("pip"), &elsewhere).unwrap();
    assert!(run_ok(&elsewhere, &["--version"]).contains(&here));
    std::fs::remove_file(&elsewhere).unwrap();
    let out = pip_install(env, wheel);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    run_ok(
        &bin.join("python"),
        &["-c", &format!("import {TINY_MODULE}")],
    );
    assert_eq!(
        run_ok(&bin.join(TINY_SCRIPT), &[]).trim_end_matches('\n'),
        format!("{TINY_SAYS}{here}")
    );
    // Activated in bash, the environment's pip and python are found.
    let out = Command::new("bash")
        .args([
            "--norc",
            "-c",
            r#". "$1/bin/activate" && printf '%s\n' "$VIRTUAL_ENV" && pip --version && python -c 'import sys; print(sys.prefix)'"#,
            "-",
        ])
        .arg(env)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines.first(), Some(&here.as_str()), "{said}");
    assert!(lines.get(1).is_some_and(|l| l.contains(&here)), "{said}");
    assert_eq!(lines.get(2), Some(&here.as_str()), "{said}");
    assert!(!original.exists() || original != env);
}

#[test]
fn a_relocatable_environment_works_after_mv_and_after_cp_a() {
    let python = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    let wheel = tiny_wheel(&python, tmp.path());
    let made_at = tmp.path().join("made/env");
    std::fs::create_dir_all(made_at.parent().unwrap()).unwrap();
    made(&python, &made_at, &[]);
    assert!(
        std::fs::read_to_string(made_at.join("pyvenv.cfg"))
            .unwrap()
            .ends_with("relocatable = true\n")
    );
    assert_records_match(&made_at);

    // Hostile enough for the scripts pyvenv writes; `$(...)` would be run
    // by the scripts pip itself writes later (pip's trampoline quotes a
    // path in double quotes), which is pip's to fix, not relocation's.
    let moved_dir = tmp.path().join("moved dir, it's -x");
    std::fs::create_dir(&moved_dir).unwrap();
    let moved = moved_dir.join("env");
    let status = Command::new("mv")
        .arg(&made_at)
        .arg(&moved)
        .status()
        .unwrap();
    assert!(status.success());
    works_where_it_is(&moved, &wheel, &made_at);

    let copied = tmp.path().join("copied; a&&b").join("env");
    std::fs::create_dir_all(copied.parent().unwrap()).unwrap();
    let status = Command::new("cp")
        .arg("-a")
        .arg(&moved)
        .arg(&copied)
        .status()
        .unwrap();
    assert!(status.success());
    // The original goes, so nothing can lean on it.
    std::fs::remove_dir_all(&moved).unwrap();
    succeeds(Command::new(copied.join("bin/pip")).args(["uninstall", "-y", "pyvenv_tiny"]));
    works_where_it_is(&copied, &wheel, &moved);
    assert!(harness::canaries_under(tmp.path()).is_empty());
}

/// pip's scripts and the cfg mark are there with the ensurepip route too.
#[test]
fn the_ensurepip_route_writes_relative_scripts_too() {
    let python = require!(12);
    let tmp = tempfile::tempdir().unwrap();
    let env = tmp.path().join("env");
    made(&python, &env, &["--seeder", "ensurepip"]);
    let pip = std::fs::read_to_string(env.join("bin/pip")).unwrap();
    assert!(pip.starts_with("#!/bin/sh\n'''exec' \"$(dirname"), "{pip}");
    assert!(!pip.contains(&*env.to_string_lossy()), "{pip}");
    assert_records_match(&env);
}

/// `pip install` from PyPI in a moved environment, where PyPI answers.
#[test]
fn a_moved_environment_installs_from_pypi() {
    let python = require!(12);
    let reachable = std::net::ToSocketAddrs::to_socket_addrs(&("pypi.org", 443))
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|addr| {
            std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(3)).is_ok()
        });
    if !reachable {
        eprintln!("SKIPPED: pypi.org:443 cannot be reached from this machine");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let made_at = tmp.path().join("a/env");
    std::fs::create_dir_all(made_at.parent().unwrap()).unwrap();
    made(&python, &made_at, &[]);
    let moved: PathBuf = tmp.path().join("b c/env");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&made_at, &moved).unwrap();
    succeeds(
        Command::new(moved.join("bin/pip"))
            .args([
                "install",
                "--no-cache-dir",
                "--timeout",
                "20",
                "--index-url",
                "https://pypi.org/simple",
                "six",
            ])
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env_remove("PIP_FIND_LINKS")
            .env_remove("PIP_NO_INDEX"),
    );
    let file = run_ok(
        &moved.join("bin/python"),
        &["-c", "import six; print(six.__file__)"],
    );
    assert!(file.starts_with(&*moved.to_string_lossy()), "{file}");
}

/// PowerShell is not installable here: each moved environment's
/// `Activate.ps1` is parsed by tree-sitter's grammar instead, and must have
/// no syntax error and take `$VenvDir` from `$PSScriptRoot`.
#[test]
fn moved_activate_ps1_parses_and_uses_its_own_location() {
    let Some(python) = powershell_grammar::grammar_python() else {
        return;
    };
    let checker = r#"
import sys, tree_sitter, tree_sitter_powershell
parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
bad = []
for path in sys.argv[1:]:
    tree = parser.parse(open(path, "rb").read())
    stack = [tree.root_node]
    while stack:
        n = stack.pop()
        if n.type == "ERROR" or n.is_missing:
            bad.append(path)
            break
        stack.extend(n.children)
print(len(bad))
"#;
    let world = world(Maker::PyvenvMoved);
    let scripts: Vec<PathBuf> = world
        .envs
        .iter()
        .map(|e| e.path.join("bin/Activate.ps1"))
        .collect();
    for script in &scripts {
        let text = std::fs::read_to_string(script).unwrap();
        assert!(
            text.contains("$VenvDir = Split-Path -Path $PSScriptRoot -Parent"),
            "{}",
            script.display()
        );
    }
    let out = Command::new(python)
        .args(["-c", checker])
        .args(&scripts)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
