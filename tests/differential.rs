//! The differential suite: for every CPython on this machine, build the same
//! environment with `T -m venv` and with `pyvenv -p T`, at the same path and
//! from the same working directory, and require the same tree (every file,
//! directory and link, with modes and link targets), the same `pyvenv.cfg`
//! bytes, the same exit status and messages, and the same answers from the
//! environment's own python. Activation scripts' contents are the one
//! permitted difference (pyvenv writes its own, and a few more of them).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{Snapshot, interpreters};

/// One way of calling venv: the flags, and what the directory holds first.
struct Case {
    name: &'static str,
    args: &'static [&'static str],
    setup: fn(&Path, &Path),
}

fn nothing(_: &Path, _: &Path) {}

fn unrelated_files(env: &Path, _: &Path) {
    std::fs::create_dir_all(env.join("notes")).unwrap();
    std::fs::write(env.join("notes/todo.txt"), "keep me\n").unwrap();
    std::fs::write(env.join("README"), "mine\n").unwrap();
}

/// An environment made by the target itself, plus a stray file, so both
/// tools start from the same existing environment.
fn existing_env(env: &Path, python: &Path) {
    let status = Command::new(python)
        .args(["-m", "venv", "--without-pip"])
        .arg(env)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(env.join("stray.txt"), "left by the user\n").unwrap();
    std::fs::write(env.join("bin/activate"), "# edited by the user\n").unwrap();
}

const CASES: &[Case] = &[
    Case {
        name: "defaults",
        args: &[],
        setup: nothing,
    },
    Case {
        name: "copies",
        args: &["--copies"],
        setup: nothing,
    },
    Case {
        name: "symlinks",
        args: &["--symlinks"],
        setup: nothing,
    },
    Case {
        name: "system-site-packages",
        args: &["--system-site-packages"],
        setup: nothing,
    },
    Case {
        name: "prompt two words",
        args: &["--prompt", "two words"],
        setup: nothing,
    },
    Case {
        name: "prompt dot",
        args: &["--prompt", "."],
        setup: nothing,
    },
    Case {
        name: "prompt with quotes",
        args: &["--prompt", "it's \"x\""],
        setup: nothing,
    },
    Case {
        name: "without scm ignore files",
        args: &["--without-scm-ignore-files"],
        setup: nothing,
    },
    Case {
        name: "re-run over unrelated files",
        args: &[],
        setup: unrelated_files,
    },
    Case {
        name: "clear over an existing env",
        args: &["--clear"],
        setup: existing_env,
    },
    Case {
        name: "upgrade over an existing env",
        args: &["--upgrade"],
        setup: existing_env,
    },
    Case {
        name: "plain re-run over an existing env",
        args: &[],
        setup: existing_env,
    },
    Case {
        name: "upgrade with clear",
        args: &["--upgrade", "--clear"],
        setup: nothing,
    },
];

/// What one tool left behind and said.
#[derive(Debug, PartialEq)]
struct Outcome {
    status: Option<i32>,
    stderr: String,
    tree: Option<Snapshot>,
    inside: Option<String>,
}

fn build(tool: &[&std::ffi::OsStr], case_args: &[&str], extra: &[&str], root: &Path) -> Outcome {
    let Some((program, rest)) = tool.split_first() else {
        panic!("empty tool command");
    };
    let output: Output = Command::new(program)
        .args(rest)
        .args(case_args)
        .args(extra)
        .arg("env")
        .current_dir(root)
        .output()
        .unwrap();
    let env = root.join("env");
    Outcome {
        status: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        tree: env.exists().then(|| Snapshot::take(&env)),
        inside: env
            .join("bin/python")
            .exists()
            .then(|| support::ask_inside(&env)),
    }
}

fn pyvenv() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_pyvenv"))
}

/// Runs `case` with the target and with pyvenv; returns a description of
/// every difference.
fn compare(python: &Path, case: &Case, extra: &[&str], ours_only: &[&str]) -> Vec<String> {
    let scratch = tempfile::tempdir().unwrap();
    // A directory with a known name, so `--prompt .` has a name to use.
    let root = scratch.path().join("proj");
    let env = root.join("env");
    std::fs::create_dir_all(&root).unwrap();

    (case.setup)(&env, python);
    // pyvenv accepts --without-scm-ignore-files for every target; a target
    // older than 3.13 has no such flag and writes no .gitignore anyway.
    let their_args: Vec<&str> = if support::minor_version(python) < 13 {
        case.args
            .iter()
            .copied()
            .filter(|a| *a != "--without-scm-ignore-files")
            .collect()
    } else {
        case.args.to_vec()
    };
    let theirs = build(
        &[python.as_os_str(), "-m".as_ref(), "venv".as_ref()],
        &their_args,
        extra,
        &root,
    );
    std::fs::remove_dir_all(&root).unwrap();
    std::fs::create_dir_all(&root).unwrap();
    (case.setup)(&env, python);
    let mut our_tool = vec![pyvenv().into_os_string(), "-p".into(), python.into()];
    our_tool.extend(ours_only.iter().map(Into::into));
    let our_tool: Vec<&std::ffi::OsStr> = our_tool.iter().map(|a| a.as_os_str()).collect();
    let ours = build(&our_tool, case.args, extra, &root);

    let mut problems = Vec::new();
    if theirs.status != ours.status {
        problems.push(format!(
            "exit status: venv {:?}, pyvenv {:?} (pyvenv said {:?})",
            theirs.status, ours.status, ours.stderr
        ));
    }
    if theirs.status != Some(0) && theirs.stderr != ours.stderr {
        problems.push(format!(
            "stderr: venv {:?}, pyvenv {:?}",
            theirs.stderr, ours.stderr
        ));
    }
    match (&theirs.tree, &ours.tree) {
        (Some(a), Some(b)) => problems.extend(a.differences(b)),
        (None, None) => {}
        (a, b) => problems.push(format!(
            "env exists: venv {}, pyvenv {}",
            a.is_some(),
            b.is_some()
        )),
    }
    if theirs.inside != ours.inside {
        problems.push(format!(
            "from inside: venv {:?}\n              pyvenv {:?}",
            theirs.inside, ours.inside
        ));
    }
    problems
}

fn run_case(case: &Case, extra: &[&str], pythons: &[PathBuf]) {
    run_case_with(case, extra, &[], pythons);
}

/// `ours_only`: flags given to pyvenv alone.
fn run_case_with(case: &Case, extra: &[&str], ours_only: &[&str], pythons: &[PathBuf]) {
    let mut failures = Vec::new();
    for python in pythons {
        for problem in compare(python, case, extra, ours_only) {
            failures.push(format!("[{}] {}: {problem}", python.display(), case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "pyvenv differs from python -m venv:\n{}",
        failures.join("\n")
    );
}

fn without_pip(name: &str) {
    let pythons = interpreters();
    let case = CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}"));
    run_case(case, &["--without-pip"], &pythons);
}

#[test]
fn defaults_match_venv() {
    without_pip("defaults");
}

#[test]
fn copies_match_venv() {
    without_pip("copies");
}

#[test]
fn symlinks_match_venv() {
    without_pip("symlinks");
}

#[test]
fn system_site_packages_match_venv() {
    without_pip("system-site-packages");
}

#[test]
fn a_prompt_with_a_space_matches_venv() {
    without_pip("prompt two words");
}

#[test]
fn prompt_dot_matches_venv() {
    without_pip("prompt dot");
}

#[test]
fn a_prompt_with_quotes_matches_venv() {
    without_pip("prompt with quotes");
}

#[test]
fn without_scm_ignore_files_matches_venv() {
    without_pip("without scm ignore files");
}

#[test]
fn rerun_over_unrelated_files_keeps_them_as_venv_does() {
    without_pip("re-run over unrelated files");
}

#[test]
fn clear_over_an_existing_env_matches_venv() {
    without_pip("clear over an existing env");
}

#[test]
fn upgrade_over_an_existing_env_matches_venv() {
    without_pip("upgrade over an existing env");
}

#[test]
fn plain_rerun_over_an_existing_env_matches_venv() {
    without_pip("plain re-run over an existing env");
}

#[test]
fn upgrade_with_clear_fails_as_venv_does() {
    without_pip("upgrade with clear");
}

/// With pip, for every target: the same installed files and console
/// scripts, and the same `pip --version` from inside.
#[test]
fn pip_matches_venv() {
    run_case(&CASES[0], &[], &interpreters());
}

/// The ensurepip route builds in a staging directory too; pip writes the
/// staging path into its console scripts there, and pyvenv must point them
/// (and their RECORD lines) at the final place. Oldest, newest and Debian.
#[test]
fn the_ensurepip_seeder_matches_venv() {
    let pythons = interpreters();
    let mut chosen: Vec<PathBuf> = Vec::new();
    for python in [pythons.first(), pythons.iter().rev().nth(1), pythons.last()]
        .into_iter()
        .flatten()
    {
        if !chosen.contains(python) {
            chosen.push(python.clone());
        }
    }
    run_case_with(&CASES[0], &[], &["--seeder=ensurepip"], &chosen);
}
