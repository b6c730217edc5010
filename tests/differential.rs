//! The differential suite: for every CPython on this machine, build the same
//! environment with `T -m venv` and with `pyvenv -p T`, at the same path and
//! from the same working directory, and require the same tree (every file,
//! directory and link, with modes and link targets), the same `pyvenv.cfg`
//! bytes, the same RECORD bytes, the same `.pyc` files (by name, magic
//! number and flags, each valid for the source beside it), the same exit
//! status and messages, and the same answers from the environment's own
//! python. Activation scripts' contents are the one
//! permitted difference (pyvenv writes its own, and a few more of them).

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::target::sid_targets;
use support::{Snapshot, Target, interpreters};

/// One way of calling venv: the flags, and what the directory holds first
/// (`env` as seen from this machine).
struct Case {
    name: &'static str,
    args: &'static [&'static str],
    setup: fn(&Path, &Target),
}

fn nothing(_: &Path, _: &Target) {}

fn unrelated_files(env: &Path, _: &Target) {
    std::fs::create_dir_all(env.join("notes")).unwrap();
    std::fs::write(env.join("notes/todo.txt"), "keep me\n").unwrap();
    std::fs::write(env.join("README"), "mine\n").unwrap();
}

/// An environment made by the target itself, plus a stray file, so both
/// tools start from the same existing environment.
fn existing_env(env: &Path, target: &Target) {
    let status = target
        .command(&target.python, Path::new("/"))
        .args(["-m", "venv", "--without-pip"])
        .arg(target.inside(env))
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

/// How pyvenv is run besides the case's flags.
#[derive(Clone, Copy, Default)]
struct Ours<'a> {
    /// Flags given to pyvenv alone.
    flags: &'a [&'a str],
    /// Variables set for pyvenv alone.
    vars: &'a [(&'a str, &'a str)],
    /// Variables set (or, `None`, removed) for both tools.
    both: &'a [(&'a str, Option<&'a str>)],
}

/// Runs `tool` (`program` then its arguments) in `root` (this machine's
/// path) with the case's and the extra flags and `env` as the directory.
fn build(
    target: &Target,
    tool: &[PathBuf],
    args: &[&str],
    vars: &[(&str, &str)],
    both: &[(&str, Option<&str>)],
    root: &Path,
) -> Outcome {
    let Some((program, rest)) = tool.split_first() else {
        panic!("empty tool command");
    };
    let mut command = target.command(program, &target.inside(root));
    command.args(rest).args(args).arg("env");
    for (name, value) in both {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let output: Output = command.envs(vars.iter().copied()).output().unwrap();
    let env = root.join("env");
    Outcome {
        status: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        tree: env.exists().then(|| Snapshot::take(&env)),
        inside: env
            .join("bin/python")
            .exists()
            .then(|| support::ask_inside(target, &target.inside(&env))),
    }
}

/// Runs `case` with the target and with pyvenv; returns a description of
/// every difference.
fn compare(target: &Target, case: &Case, extra: &[&str], ours: Ours) -> Vec<String> {
    let scratch = target.scratch();
    // A directory with a known name, so `--prompt .` has a name to use.
    let root = scratch.path().join("proj");
    let env = root.join("env");
    std::fs::create_dir_all(&root).unwrap();

    (case.setup)(&env, target);
    // pyvenv accepts --without-scm-ignore-files for every target; a target
    // older than 3.13 (PyPy 3.11 too) has no such flag and writes no
    // .gitignore anyway.
    let their_args: Vec<&str> = case
        .args
        .iter()
        .chain(extra)
        .copied()
        .filter(|a| *a != "--without-scm-ignore-files" || target.minor() >= 13)
        .collect();
    let venv = [target.python.clone(), "-m".into(), "venv".into()];
    let theirs = build(target, &venv, &their_args, &[], ours.both, &root);
    std::fs::remove_dir_all(&root).unwrap();
    std::fs::create_dir_all(&root).unwrap();
    (case.setup)(&env, target);
    let mut our_tool = vec![target.pyvenv(), "-p".into(), target.python.clone()];
    our_tool.extend(ours.flags.iter().map(PathBuf::from));
    let our_args: Vec<&str> = case.args.iter().chain(extra).copied().collect();
    // Compiling pip's modules runs under the probe's time limit; on a
    // machine shared with other builds, 20 seconds is not always enough.
    let mut our_vars = vec![("PYVENV_PROBE_TIMEOUT", support::SLOW_MACHINE_TIMEOUT)];
    our_vars.extend(ours.vars);
    let ours = build(target, &our_tool, &our_args, &our_vars, ours.both, &root);

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

/// Runs `case` against every target with each set of `extras`, and fails
/// with every difference found.
fn run_case(case: &Case, runs: &[(&[Target], &[&str])], ours: Ours) {
    let mut failures = Vec::new();
    for (targets, extra) in runs {
        for target in *targets {
            for problem in compare(target, case, extra, ours) {
                failures.push(format!(
                    "[{}{}] {}: {problem}",
                    target.label(),
                    if extra.is_empty() { ", with pip" } else { "" },
                    case.name
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "pyvenv differs from python -m venv:\n{}",
        failures.join("\n")
    );
}

fn host_targets() -> Vec<Target> {
    interpreters().into_iter().map(Target::host).collect()
}

fn case(name: &str) -> &'static Case {
    CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

/// Every interpreter without pip; the newest (the Debian unstable root's)
/// with pip too, since their pip is the one whose scripts changed.
fn every_target(name: &str) {
    let sid = sid_targets();
    run_case(
        case(name),
        &[
            (&host_targets(), &["--without-pip"]),
            (&sid, &["--without-pip"]),
            (&sid, &[]),
        ],
        Ours::default(),
    );
}

#[test]
fn defaults_match_venv() {
    every_target("defaults");
}

#[test]
fn copies_match_venv() {
    every_target("copies");
}

#[test]
fn symlinks_match_venv() {
    every_target("symlinks");
}

#[test]
fn system_site_packages_match_venv() {
    every_target("system-site-packages");
}

#[test]
fn a_prompt_with_a_space_matches_venv() {
    every_target("prompt two words");
}

#[test]
fn prompt_dot_matches_venv() {
    every_target("prompt dot");
}

#[test]
fn a_prompt_with_quotes_matches_venv() {
    every_target("prompt with quotes");
}

#[test]
fn without_scm_ignore_files_matches_venv() {
    every_target("without scm ignore files");
}

#[test]
fn rerun_over_unrelated_files_keeps_them_as_venv_does() {
    every_target("re-run over unrelated files");
}

#[test]
fn clear_over_an_existing_env_matches_venv() {
    every_target("clear over an existing env");
}

#[test]
fn upgrade_over_an_existing_env_matches_venv() {
    every_target("upgrade over an existing env");
}

#[test]
fn plain_rerun_over_an_existing_env_matches_venv() {
    every_target("plain re-run over an existing env");
}

#[test]
fn upgrade_with_clear_fails_as_venv_does() {
    every_target("upgrade with clear");
}

/// With pip, for every target of this machine: the same installed files
/// and console scripts, and the same `pip --version` from inside.
#[test]
fn pip_matches_venv() {
    run_case(&CASES[0], &[(&host_targets(), &[])], Ours::default());
}

/// pip compiles what it installs whatever `PYTHONDONTWRITEBYTECODE` says
/// (this machine sets it; a user's may not): the same `.pyc` files, valid
/// for their sources, and the same RECORD either way.
#[test]
fn pip_bytecode_matches_venv_with_and_without_pythondontwritebytecode() {
    let targets = a_spread_of_targets();
    for value in [Some("1"), None] {
        let ours = Ours {
            both: &[("PYTHONDONTWRITEBYTECODE", value)],
            ..Ours::default()
        };
        run_case(&CASES[0], &[(&targets, &[])], ours);
    }
}

/// `SOURCE_DATE_EPOCH` makes pip's bytecode checked-hash files (3.7 on);
/// `PYTHONOPTIMIZE` changes their names where ensurepip runs without `-I`
/// (3.10.13 on), and not where it runs with it.
#[test]
fn pip_bytecode_follows_source_date_epoch_and_pythonoptimize_as_venv_does() {
    let targets = a_spread_of_targets();
    for vars in [
        &[("SOURCE_DATE_EPOCH", Some("1700000000"))][..],
        &[("PYTHONOPTIMIZE", Some("1"))][..],
    ] {
        let ours = Ours {
            both: vars,
            ..Ours::default()
        };
        run_case(&CASES[0], &[(&targets, &[])], ours);
    }
}

/// The oldest and newest of this machine, Debian's, and every one of the
/// Debian unstable root.
fn a_spread_of_targets() -> Vec<Target> {
    let host = host_targets();
    let mut chosen: Vec<Target> = Vec::new();
    for target in [host.first(), host.iter().rev().nth(1), host.last()]
        .into_iter()
        .flatten()
        .chain(&sid_targets())
    {
        if !chosen.iter().any(|c| c.label() == target.label()) {
            chosen.push(target.clone());
        }
    }
    chosen
}

/// The ensurepip route builds in a staging directory too; pip writes the
/// staging path into its console scripts there, and pyvenv must point them
/// (and their RECORD lines) at the final place.
#[test]
fn the_ensurepip_seeder_matches_venv() {
    let targets = a_spread_of_targets();
    let ours = Ours {
        flags: &["--seeder=ensurepip"],
        ..Ours::default()
    };
    run_case(&CASES[0], &[(&targets, &[])], ours);
}

/// Where pyvenv has no rules for a target, the target's own venv builds the
/// environment in the staging directory; forced here for targets pyvenv
/// knows, the result must be the same environment, every path in it naming
/// the final place.
#[test]
fn the_delegated_route_matches_venv() {
    let targets = a_spread_of_targets();
    let ours = Ours {
        vars: &[("PYVENV_TEST_DELEGATE", "1")],
        ..Ours::default()
    };
    for name in [
        "defaults",
        "copies",
        "prompt dot",
        "plain re-run over an existing env",
    ] {
        run_case(case(name), &[(&targets, &["--without-pip"])], ours);
    }
    run_case(case("defaults"), &[(&targets, &[])], ours);
}

/// `-p 3.14`, `-p 3.15`, `-p pypy3` and a debug build's path find those
/// interpreters as for any other target (inside the Debian unstable root).
#[test]
fn the_newest_interpreters_are_found_by_version_name_and_path() {
    let Some(target) = sid_targets().into_iter().next() else {
        return;
    };
    let requests = [
        ("3.14", "version = 3.14."),
        ("3.15", "version = 3.15."),
        ("pypy3", "executable = /usr/bin/pypy3.11\n"),
        (
            "/usr/bin/python3.14d",
            "executable = /usr/bin/python3.14d\n",
        ),
    ];
    let mut failures = Vec::new();
    for (request, expected) in requests {
        let scratch = target.scratch();
        let env = scratch.path().join("env");
        let out = target
            .command(target.pyvenv(), Path::new("/"))
            .args(["--without-pip", "-p", request])
            .arg(target.inside(&env))
            .output()
            .unwrap();
        let cfg = std::fs::read_to_string(env.join("pyvenv.cfg")).unwrap_or_default();
        if !out.status.success() || !cfg.contains(expected) {
            failures.push(format!(
                "-p {request}: exit {:?}, stderr {:?}, pyvenv.cfg {cfg:?}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
