//! The activation battery: environments with hostile directory names and
//! hostile prompts, each activated and deactivated in every installed
//! shell, with every value compared byte for byte and the prompt drawn as
//! the shell draws it. A shell that is not installed is skipped with a line
//! on stderr saying so (`bash .ci/install-shells` installs them all).
//!
//! What each run checks is described in `tests/common/activation_scripts.rs`.
// Needs a POSIX host: named, with why, in tests/support (POSIX_ONLY).
#![cfg(unix)]

#[path = "common/activation_scripts.rs"]
mod activation_scripts;
#[path = "common/activation_harness.rs"]
mod harness;

use std::path::Path;
use std::process::Command;

use harness::{Maker, assert_battery, find_python, world};

fn run(name: &str) {
    assert_battery(Maker::Pyvenv, name);
}

#[test]
fn battery_in_bash() {
    run("bash");
}

#[test]
fn battery_in_zsh() {
    run("zsh");
}

#[test]
fn battery_in_dash() {
    run("dash");
}

#[test]
fn battery_in_mksh() {
    run("mksh");
}

#[test]
fn battery_in_ksh93() {
    run("ksh93");
}

#[test]
fn battery_in_yash() {
    run("yash");
}

#[test]
fn battery_in_yash_posix_mode() {
    run("yash --posix");
}

#[test]
fn battery_in_busybox_sh() {
    run("busybox sh");
}

#[test]
fn battery_in_fish() {
    run("fish");
}

#[test]
fn battery_in_csh() {
    run("csh");
}

#[test]
fn battery_in_tcsh() {
    run("tcsh");
}

#[test]
fn battery_in_nushell() {
    run("nu");
}

/// The environment's python is the one `python` finds once activated, and
/// it reports the environment as its prefix.
#[test]
fn activated_python_runs_from_the_environment() {
    let world = world(Maker::Pyvenv);
    let mut failures = Vec::new();
    for env in &world.envs {
        let out = Command::new("bash")
            .args([
                "--norc",
                "-c",
                r#". "$1/bin/activate" && python -c 'import sys; sys.stdout.write(sys.prefix)'"#,
                "-",
            ])
            .arg(&env.path)
            .output()
            .expect("run bash");
        let got = String::from_utf8_lossy(&out.stdout);
        if got != env.path.to_string_lossy() {
            failures.push(format!("[{}] sys.prefix {got:?}", env.label));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `activate_this.py` in every CPython from 3.6 to 3.13 that is installed,
/// under the C locale (which an old Python reads as ASCII).
#[test]
fn activate_this_works_in_every_python() {
    let world = world(Maker::Pyvenv);
    let mut failures = Vec::new();
    let mut ran = 0;
    for minor in 6..=13 {
        let name = format!("python3.{minor}");
        let Some(python) = find_python(minor) else {
            eprintln!("SKIPPED: activate_this.py under {name}: not installed");
            continue;
        };
        // Every environment under the environments' own Python; three of
        // the most hostile under every other one.
        let envs: Vec<_> = world
            .envs
            .iter()
            .filter(|e| {
                minor == 12
                    || ["everything", "non-ASCII", "newline", "backslash"].contains(&e.label)
            })
            .collect();
        for env in envs {
            ran += 1;
            if let Err(e) = check_activate_this(&python, &env.path, &env.prompt) {
                failures.push(format!("{name} [{}]: {e}", env.label));
            }
        }
    }
    assert!(ran > 0, "no python3.X found to run activate_this.py");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn check_activate_this(python: &Path, env: &Path, prompt: &str) -> Result<(), String> {
    let script = env.join("bin/activate_this.py");
    let out = Command::new(python)
        .args(["-c", activation_scripts::ACTIVATE_THIS])
        .arg(&script)
        .env("LC_ALL", "C")
        .env("PATH", "/usr/bin:/bin")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let got: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("{e}: {:?}", out.stdout))?;
    let env = env.to_string_lossy();
    let want = serde_json::json!({
        "path0": format!("{env}/lib/python3.12/site-packages"),
        "prefix": env,
        "exec_prefix": env,
        "VIRTUAL_ENV": env,
        "VIRTUAL_ENV_PROMPT": prompt,
        "PATH": format!("{env}/bin:/usr/bin:/bin"),
    });
    if got == want {
        Ok(())
    } else {
        Err(format!("want {want}, got {got}"))
    }
}
