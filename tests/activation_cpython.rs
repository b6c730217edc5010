//! The activation battery against CPython 3.13's own `python3.13 -m venv`
//! scripts, to show what it catches there: opt in with
//!
//!     PYVENV_BATTERY_AGAINST_CPYTHON=1 cargo test --test activation_cpython -- --nocapture
//!
//! It is expected to fail, listing every environment and shell where
//! CPython's scripts ran code from a directory name or prompt, garbled a
//! value, or left state behind. Without the variable it says it skipped.
// Needs a POSIX host: named, with why, in tests/support (POSIX_ONLY).
#![cfg(unix)]

#[path = "common/activation_scripts.rs"]
mod activation_scripts;
#[path = "common/activation_harness.rs"]
mod harness;

use harness::{Kind, Maker, SHELLS, battery, find_python, world};

#[test]
fn battery_against_cpython_313_venv_scripts() {
    if std::env::var_os("PYVENV_BATTERY_AGAINST_CPYTHON").is_none() {
        eprintln!(
            "SKIPPED: the battery against CPython's venv scripts is opt-in; \
             set PYVENV_BATTERY_AGAINST_CPYTHON=1 to run it"
        );
        return;
    }
    if find_python(13).is_none() {
        eprintln!("SKIPPED: python3.13 not installed");
        return;
    }
    let world = world(Maker::CPython);
    let mut summary = Vec::new();
    let mut all = Vec::new();
    // CPython ships no activate.nu.
    for shell in SHELLS.iter().filter(|s| s.kind != Kind::Nu) {
        match battery(world, *shell) {
            None => eprintln!("SKIPPED: {} not installed", shell.name),
            Some(failures) => {
                let envs = world
                    .envs
                    .iter()
                    .filter(|e| {
                        failures
                            .iter()
                            .any(|f| f.contains(&format!("[{}]", e.label)))
                    })
                    .count();
                let canaries = failures.iter().filter(|f| f.contains("code ran")).count();
                summary.push(format!(
                    "{:<14} {envs:>2} of {} environments wrong, {canaries} commands run",
                    shell.name,
                    world.envs.len()
                ));
                all.extend(failures);
            }
        }
    }
    eprintln!(
        "CPython 3.13 venv scripts under the activation battery:\n  {}",
        summary.join("\n  ")
    );
    assert!(
        all.is_empty(),
        "{} failures:\n  {}",
        all.len(),
        all.join("\n  ")
    );
}
