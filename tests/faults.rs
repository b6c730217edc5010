//! The fault harness: pyvenv is killed (SIGKILL), interrupted (SIGINT) or
//! terminated (SIGTERM) at random moments while it creates an environment,
//! with and without pip, and after every trial the target must either not
//! exist or be a complete, working environment. A later run in the same
//! parent must sweep away what the killed runs left in their staging
//! directories.
//!
//! `PYVENV_FAULT_TRIALS` sets the number of trials per signal and mode
//! (default 8; `.ci/run` sets it so the full harness runs 200+ trials).
// Needs a POSIX host: named, with why, in tests/support (POSIX_ONLY).
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::terminal_job::as_a_terminal_job;

fn trials() -> usize {
    std::env::var("PYVENV_FAULT_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8)
}

fn python() -> Option<PathBuf> {
    support::pyenv_python(12).or_else(|| {
        let debian = PathBuf::from("/usr/bin/python3");
        debian.exists().then_some(debian)
    })
}

/// A small xorshift generator: reproducible from the seed it prints.
struct Rng(u64);

impl Rng {
    fn from_time() -> Rng {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1;
        let seed = std::env::var("PYVENV_FAULT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(seed);
        eprintln!("fault harness seed: {seed} (PYVENV_FAULT_SEED reproduces it)");
        Rng(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// pyvenv making `target`, started as a shell starts a job, so that the
/// harness's SIGINT reaches it even when the tests run in a script's
/// background (which ignores SIGINT for them).
fn spawn(python: &Path, target: &Path, with_pip: bool) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pyvenv"));
    cmd.arg("-p").arg(python);
    if !with_pip {
        cmd.arg("--without-pip");
    }
    cmd.arg(target).stdout(Stdio::null()).stderr(Stdio::piped());
    as_a_terminal_job(&mut cmd).spawn().unwrap()
}

/// How long one undisturbed run takes, to spread the faults over it.
fn normal_duration(python: &Path, scratch: &Path, with_pip: bool) -> Duration {
    let target = scratch.join("timing");
    let start = Instant::now();
    let status = spawn(python, &target, with_pip).wait().unwrap();
    assert!(status.success());
    let took = start.elapsed();
    std::fs::remove_dir_all(&target).unwrap();
    took
}

/// The rule: no target, or a complete and working one.
fn assert_all_or_nothing(target: &Path, with_pip: bool, what: &str) {
    if std::fs::symlink_metadata(target).is_err() {
        return;
    }
    let python = target.join("bin/python");
    for needed in [
        "pyvenv.cfg",
        "bin/activate",
        "bin/activate.fish",
        "bin/activate.csh",
    ] {
        assert!(
            target.join(needed).exists(),
            "{what}: half-made env lacks {needed}"
        );
    }
    let out = Command::new(&python)
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        target.to_string_lossy(),
        "{what}: the env's python does not work"
    );
    if with_pip {
        let pip = Command::new(&python)
            .args(["-c", "import pip"])
            .status()
            .unwrap();
        assert!(pip.success(), "{what}: env exists without a working pip");
        assert!(target.join("bin/pip").exists(), "{what}: env lacks bin/pip");
    }
}

fn leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".pyvenv-stage-"))
        .collect()
}

fn harness(signal: libc::c_int, with_pip: bool) {
    let Some(python) = python() else {
        eprintln!("SKIPPED: no CPython 3.12 or /usr/bin/python3 for the fault harness");
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let mut rng = Rng::from_time();
    // The first run may fill pyvenv's caches; the median of three is what
    // a trial will take.
    let mut runs: Vec<Duration> = (0..3)
        .map(|_| normal_duration(&python, scratch.path(), with_pip))
        .collect();
    runs.sort();
    let normal = runs[1];
    let window = (normal.as_micros() as u64 * 6 / 5).max(1);
    let mut outcomes = [0usize; 2];
    let mut stopped = 0;
    for trial in 0..trials() {
        let target = scratch.path().join(format!("env{trial}"));
        let mut child = spawn(&python, &target, with_pip);
        // The first trial signals at once, before pyvenv can have
        // finished, so at least one run surely meets the signal.
        if trial > 0 {
            std::thread::sleep(Duration::from_micros(rng.below(window)));
        }
        // SAFETY: kill on our own child's pid.
        unsafe {
            libc::kill(child.id() as i32, signal);
        }
        let sent = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(
                sent.elapsed() < Duration::from_secs(5),
                "trial {trial}: pyvenv did not stop within 5 s of signal {signal}"
            );
            std::thread::sleep(Duration::from_millis(2));
        };
        let what = format!("trial {trial} (signal {signal}, pip {with_pip}, {status})");
        if signal != libc::SIGKILL && status.code().is_some() {
            let code = status.code().unwrap_or(0);
            assert!(
                code == 0 || code == 128 + signal,
                "{what}: unexpected exit status"
            );
            if code != 0 {
                let mut stderr = String::new();
                use std::io::Read;
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut stderr)
                    .unwrap();
                assert!(
                    stderr.starts_with("Error: interrupted by"),
                    "{what}: {stderr}"
                );
            }
        }
        assert_all_or_nothing(&target, with_pip, &what);
        outcomes[usize::from(target.exists())] += 1;
        stopped += usize::from(!status.success());
    }
    eprintln!(
        "signal {signal}, pip {with_pip}: {} trials, {stopped} stopped by it, {} left no env, \
         {} a complete one",
        trials(),
        outcomes[0],
        outcomes[1]
    );
    // Every run finishing would mean the signal never reached pyvenv (an
    // ignored SIGINT, as a script's background job inherits it), and
    // nothing above would have been tested.
    assert!(
        stopped > 0,
        "signal {signal}: no run was stopped by it; is it ignored?"
    );
    // A later run in the same parent sweeps what killed runs left behind.
    let status = spawn(&python, &scratch.path().join("after"), false)
        .wait()
        .unwrap();
    assert!(status.success());
    assert_eq!(leftovers(scratch.path()), Vec::<String>::new());
}

#[test]
fn sigkill_without_pip_leaves_nothing_or_a_complete_env() {
    harness(libc::SIGKILL, false);
}

#[test]
fn sigkill_with_pip_leaves_nothing_or_a_complete_env() {
    harness(libc::SIGKILL, true);
}

#[test]
fn sigint_stops_promptly_and_leaves_nothing_or_a_complete_env() {
    harness(libc::SIGINT, false);
    harness(libc::SIGINT, true);
}

#[test]
fn sigterm_stops_promptly_and_leaves_nothing_or_a_complete_env() {
    harness(libc::SIGTERM, false);
    harness(libc::SIGTERM, true);
}
