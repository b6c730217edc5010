//! What a hostile path, a stuck interpreter or a careless script can do to
//! pyvenv (issue 9): each case is refused clearly, with nothing outside the
//! target changed, or works; nothing in a path ever runs; no process pyvenv
//! started outlives what pyvenv needs of it. Signals and process groups are
//! real: fake interpreters are shell scripts that leave a `sleep 1000`
//! behind and write its pid, and the test looks for it afterwards.
// Needs a POSIX host: named, with why, in tests/support (POSIX_ONLY).
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[macro_use]
mod support;

#[path = "common/refusal.rs"]
mod refusal;
use refusal::{listing, names_in, refused_by};
use support::terminal_job::as_a_terminal_job;

fn python() -> Option<PathBuf> {
    support::pyenv_python(12)
}

fn pyvenv() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pyvenv"))
}

fn script(path: &Path, body: &str) -> PathBuf {
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

/// Whether `pid` is still a running process (a zombie no one reaped yet
/// has ended: it holds nothing and runs nothing).
fn running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z') && !state.starts_with('X')
        }
        Err(_) => false,
    }
}

/// The pids written, one per line, into `file` (waiting up to 10 s for it).
fn pids_in(file: &Path) -> Vec<i32> {
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(file) {
            let pids: Vec<i32> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
            if !pids.is_empty() && text.ends_with('\n') {
                return pids;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{file:?} never written"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Requires every pid in `file` to be gone within a second.
fn assert_gone(file: &Path) {
    for pid in pids_in(file) {
        let start = Instant::now();
        while running(pid) && start.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let alive = running(pid);
        if alive {
            // SAFETY: a test cleaning up the process it checked.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        assert!(!alive, "process {pid} was left behind");
    }
}

/// pyvenv started as a parent that ignores `signal` starts it: an ignored
/// signal survives exec, so python ignores it and then becomes pyvenv.
fn pyvenv_with_ignored(python: &Path, signal: &str) -> Command {
    let mut command = Command::new(python);
    command
        .arg("-c")
        .arg(format!(
            "import os, signal, sys\n\
             signal.signal(signal.{signal}, signal.SIG_IGN)\n\
             os.execv(sys.argv[1], sys.argv[1:])"
        ))
        .arg(env!("CARGO_BIN_EXE_pyvenv"));
    command
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// --- nothing in a path runs -------------------------------------------------

#[test]
fn pip_in_a_path_with_shell_syntax_runs_nothing_and_works() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    let names = [
        "sp ace $(touch CANARY)",
        "q'uo`touch CANARY`te x",
        "b\\ack $HOME \"dq\"",
        "three''' quotes ${IFS}",
    ];
    // The ensurepip route is slow: two names cover its rewriting.
    let routes = [("native", &names[..]), ("ensurepip", &names[..2])];
    for (seeder, names) in routes {
        for name in names {
            let target = scratch.path().join(name).join(seeder);
            let out = pyvenv()
                .arg("-p")
                .arg(&py)
                .arg(format!("--seeder={seeder}"))
                .arg(&target)
                .current_dir(scratch.path())
                .output()
                .unwrap();
            assert!(out.status.success(), "{name} {seeder}: {}", stderr(&out));
            let pip = Command::new(target.join("bin/pip"))
                .arg("--version")
                .current_dir(scratch.path())
                .output()
                .unwrap();
            assert!(
                pip.status.success() && pip.stdout.starts_with(b"pip "),
                "{name} {seeder}: {}",
                stderr(&pip)
            );
            assert!(
                !scratch.path().join("CANARY").exists(),
                "{name} {seeder}: something in the path ran"
            );
        }
    }
}

// --- nothing added to pyvenv.cfg --------------------------------------------

const LINE_BREAKS: &[(char, &str)] = &[
    ('\n', "U+000A"),
    ('\r', "U+000D"),
    ('\u{0c}', "U+000C"),
    ('\u{0b}', "U+000B"),
    ('\u{85}', "U+0085"),
    ('\u{2028}', "U+2028"),
    ('\u{2029}', "U+2029"),
];

#[test]
fn a_line_break_in_env_dir_is_refused_before_anything_is_made() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    for (c, code) in LINE_BREAKS {
        let name = format!("a{c}include-system-site-packages = true{c}b");
        let stderr = refused_by(
            pyvenv()
                .arg("-p")
                .arg(&py)
                .arg("--without-pip")
                .arg(scratch.path().join(&name))
                .current_dir(scratch.path()),
            scratch.path(),
            "line break",
        );
        assert!(stderr.contains(code), "{stderr}");
        assert!(stderr.contains("include-system-site-packages"), "{stderr}");
    }
}

#[test]
fn a_prompt_with_a_line_break_is_refused() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    for (c, code) in LINE_BREAKS {
        let stderr = refused_by(
            pyvenv()
                .arg("-p")
                .arg(&py)
                .arg("--without-pip")
                .arg(format!(
                    "--prompt=x{c}include-system-site-packages = true{c}y"
                ))
                .arg(scratch.path().join("env")),
            scratch.path(),
            "the prompt",
        );
        assert!(stderr.contains(code), "{stderr}");
    }
}

#[test]
fn an_interpreter_path_with_a_line_break_is_refused() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("bin\nhome = elsewhere");
    std::fs::create_dir(&dir).unwrap();
    let link = dir.join("python3.12");
    std::os::unix::fs::symlink(&py, &link).unwrap();
    refused_by(
        pyvenv()
            .arg("-p")
            .arg(&link)
            .arg("--without-pip")
            .arg(scratch.path().join("env"))
            .env("PYVENV_CACHE_DIR", cache.path()),
        scratch.path(),
        "the interpreter's path",
    );
}

#[test]
fn several_targets_are_all_checked_before_any_is_made() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    for bad in ["bad:name", "bad\nname"] {
        refused_by(
            pyvenv()
                .arg("-p")
                .arg(&py)
                .arg("--without-pip")
                .arg("ok")
                .arg(bad)
                .current_dir(scratch.path()),
            scratch.path(),
            "",
        );
    }
}

// --- the interpreter's children ---------------------------------------------

#[test]
fn a_probe_whose_child_lingers_answers_within_the_limit_and_leaves_no_process() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    let pids = scratch.path().join("pids");
    let fake = script(
        &scratch.path().join("py"),
        &format!(
            "sleep 1000 &\necho $! >> '{}'\nexec '{}' \"$@\"\n",
            pids.display(),
            py.display()
        ),
    );
    let start = Instant::now();
    let out = pyvenv()
        .args(["-p", "./py", "--without-pip", "env"])
        .env("PYVENV_PROBE_TIMEOUT", "5")
        .current_dir(scratch.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the answer was not used when it came: {:?}",
        start.elapsed()
    );
    assert!(scratch.path().join("env/pyvenv.cfg").is_file());
    assert!(fake.exists());
    assert_gone(&pids);
}

#[test]
fn a_hung_interpreter_and_everything_it_started_are_stopped_at_the_limit() {
    let scratch = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let pids = outside.path().join("pids");
    script(
        &scratch.path().join("py"),
        &format!(
            "sleep 1000 &\necho $! >> '{p}'\necho $$ >> '{p}'\nexec sleep 1000\n",
            p = pids.display()
        ),
    );
    let start = Instant::now();
    let stderr = refused_by(
        pyvenv()
            .args(["-p", "./py", "env"])
            .env("PYVENV_PROBE_TIMEOUT", "1.5")
            .current_dir(scratch.path()),
        scratch.path(),
        "did not answer within 1.5 seconds",
    );
    assert!(start.elapsed() < Duration::from_secs(6), "{stderr}");
    assert_gone(&pids);
}

#[test]
fn ctrl_c_while_the_interpreter_is_asked_exits_130_and_leaves_no_process() {
    // By path, and by version (where the search would go on to the next
    // candidate): both report the interruption.
    for request in ["./python3.99", "3.99"] {
        let scratch = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let pids = outside.path().join("pids");
        script(
            &scratch.path().join("python3.99"),
            &format!(
                "sleep 1000 &\necho $! >> '{p}'\necho $$ >> '{p}'\nexec sleep 1000\n",
                p = pids.display()
            ),
        );
        let path = std::env::join_paths(
            std::iter::once(scratch.path().to_path_buf())
                .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
        )
        .unwrap();
        // pyvenv leads a process group, as a job in an interactive shell
        // does; Ctrl-C sends SIGINT to that whole group.
        let mut command = pyvenv();
        command
            .args(["-p", request, "env"])
            .env("PATH", path)
            .env("PYENV_ROOT", outside.path())
            .current_dir(scratch.path())
            .stderr(Stdio::piped())
            .process_group(0);
        let child = as_a_terminal_job(&mut command).spawn().unwrap();
        pids_in(&pids);
        let group = child.id() as i32;
        // SAFETY: signals the group the test made.
        unsafe { libc::kill(-group, libc::SIGINT) };
        let out = child.wait_with_output().unwrap();
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(130), "{request}: {said}");
        assert!(said.contains("interrupted by SIGINT"), "{request}: {said}");
        assert_gone(&pids);
        assert!(!scratch.path().join("env").exists());
    }
}

#[test]
fn an_interpreter_flooding_its_output_cannot_exhaust_memory() {
    let scratch = tempfile::tempdir().unwrap();
    script(&scratch.path().join("py"), "exec yes\n");
    let mut command = pyvenv();
    command
        .args(["-p", "./py", "env"])
        .env("PYVENV_PROBE_TIMEOUT", "3")
        .current_dir(scratch.path());
    // SAFETY: setrlimit is async-signal-safe; it caps pyvenv's address
    // space at 1 GiB, far above what a run needs.
    unsafe {
        command.pre_exec(|| {
            let cap = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &cap);
            Ok(())
        });
    }
    refused_by(
        &mut command,
        scratch.path(),
        "did not answer within 3 seconds",
    );
}

#[test]
fn a_sigint_the_parent_ignored_stays_ignored() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let pids = outside.path().join("pids");
    script(
        &scratch.path().join("py"),
        &format!("echo $$ >> '{}'\nexec sleep 1000\n", pids.display()),
    );
    // As a shell starts `pyvenv ... &`: SIGINT ignored, then exec.
    let child = pyvenv_with_ignored(&py, "SIGINT")
        .args(["-p", "./py", "env"])
        .env("PYVENV_PROBE_TIMEOUT", "2")
        .current_dir(scratch.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    pids_in(&pids);
    // SAFETY: signals the process the test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("did not answer within 2 seconds"), "{said}");
    assert_gone(&pids);
}

/// A stand-in for CPython 3.12 whose `-m ensurepip` writes its pid and
/// then takes forever; pyvenv's question is answered with the wrapper's
/// own path, so the environment's python is the wrapper.
fn python_with_slow_ensurepip(dir: &Path, pids: &Path) -> PathBuf {
    let real = python().unwrap();
    let wrapper = dir.join("python3.12");
    script(
        &wrapper,
        &format!(
            "case \"$*\" in *\"m ensurepip \"*) echo $$ >> '{pids}'; exec sleep 1000;; esac\n\
             if [ \"$1\" = -E ]; then '{real}' \"$@\" | sed 's|{real}|{wrapper}|g'; exit; fi\n\
             exec '{real}' \"$@\"\n",
            real = real.display(),
            wrapper = wrapper.display(),
            pids = pids.display(),
        ),
    )
}

#[test]
fn a_sigkill_during_ensurepip_takes_the_child_with_it() {
    let _ = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    let pids = scratch.path().join("pids");
    let fake = python_with_slow_ensurepip(scratch.path(), &pids);
    let mut child = pyvenv()
        .arg("-p")
        .arg(&fake)
        .args(["--seeder=ensurepip", "env"])
        .env_remove("PYVENV_CACHE_DIR")
        .env("HOME", scratch.path().join("nohome"))
        .current_dir(scratch.path())
        .spawn()
        .unwrap();
    pids_in(&pids);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_gone(&pids);
}

/// Running processes whose working directory lies under `dir`.
fn processes_in(dir: &Path) -> Vec<i32> {
    let dir = std::fs::canonicalize(dir).unwrap();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd.starts_with(&dir))
                && running(*pid)
        })
        .collect()
}

#[test]
fn a_sigkill_during_a_real_ensurepip_leaves_nothing_writing_into_the_stage() {
    let py = require!(12);
    // SIGKILL to pyvenv alone, to its whole process group, and a hang-up
    // to the group (a closed terminal).
    for (signal, to_group) in [
        (libc::SIGKILL, false),
        (libc::SIGKILL, true),
        (libc::SIGHUP, true),
    ] {
        killed_during_ensurepip(&py, signal, to_group);
    }
}

fn killed_during_ensurepip(py: &Path, signal: i32, to_group: bool) {
    let scratch = tempfile::tempdir().unwrap();
    let mut child = pyvenv()
        .arg("-p")
        .arg(py)
        .arg("--seeder=ensurepip")
        .arg(scratch.path().join("env"))
        .current_dir("/")
        .process_group(0)
        .spawn()
        .unwrap();
    // 3.12's ensurepip runs pip in a subprocess of its own: wait until
    // both run in the staging directory.
    let start = Instant::now();
    while processes_in(scratch.path()).len() < 2 {
        if child.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(30) {
            eprintln!("SKIPPED: ensurepip finished before its pip subprocess was seen");
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let pid = child.id() as i32;
    // SAFETY: signals the process (group) the test started.
    unsafe { libc::kill(if to_group { -pid } else { pid }, signal) };
    child.wait().unwrap();
    let start = Instant::now();
    while !processes_in(scratch.path()).is_empty() && start.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left = processes_in(scratch.path());
    for pid in &left {
        // SAFETY: a test cleaning up what it found.
        unsafe { libc::kill(*pid, libc::SIGKILL) };
    }
    assert!(
        left.is_empty(),
        "signal {signal} (to the group: {to_group}): left behind: {left:?}"
    );
}

// --- environment values and standard streams --------------------------------

#[test]
fn no_probe_timeout_value_panics() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    for huge in ["1e20", "inf", "1e308"] {
        let target = scratch.path().join(format!("env-{huge}"));
        let out = pyvenv()
            .arg("-p")
            .arg(&py)
            .args(["--without-pip"])
            .arg(&target)
            .env("PYVENV_PROBE_TIMEOUT", huge)
            .output()
            .unwrap();
        assert!(out.status.success(), "{huge}: {}", stderr(&out));
    }
    for bad in ["abc", "0", "-3", "nan", "5s"] {
        refused_by(
            pyvenv()
                .arg("-p")
                .arg(&py)
                .arg(scratch.path().join("bad"))
                .env("PYVENV_PROBE_TIMEOUT", bad),
            scratch.path(),
            &format!("PYVENV_PROBE_TIMEOUT={bad} is not a positive number of seconds"),
        );
    }
}

#[test]
fn a_full_or_closed_stderr_is_not_a_panic() {
    let scratch = tempfile::tempdir().unwrap();
    for redirect in ["2>/dev/full", "2>&-", ">/dev/full 2>&-", ">&- 2>&-"] {
        for args in ["-p /bin/false x", "--version", "--help", "--bogus"] {
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("\"$0\" {args} {redirect}"))
                .arg(env!("CARGO_BIN_EXE_pyvenv"))
                .current_dir(scratch.path())
                .output()
                .unwrap();
            assert_ne!(out.status.code(), Some(101), "{args} {redirect}: panicked");
            assert!(out.status.code().is_some(), "{args} {redirect}: killed");
        }
    }
    assert!(listing(scratch.path()).is_empty());
}

#[test]
fn a_parent_that_ignored_sigchld_does_not_break_waiting_for_children() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let target = scratch.path().join("env");
    // An ignored SIGCHLD survives exec: python sets it, then becomes pyvenv.
    let out = pyvenv_with_ignored(&py, "SIGCHLD")
        .arg("-p")
        .arg(&py)
        .arg("--seeder=ensurepip")
        .arg(&target)
        .env("PYVENV_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(target.join("bin/pip").is_file());
}

#[test]
fn an_empty_or_relative_home_makes_no_cache_in_the_working_directory() {
    let py = require!(12);
    for home in ["", "relative/home"] {
        let scratch = tempfile::tempdir().unwrap();
        let out = pyvenv()
            .arg("-p")
            .arg(&py)
            .arg("env")
            .env("HOME", home)
            .env_remove("PYVENV_CACHE_DIR")
            .env_remove("XDG_CACHE_HOME")
            .current_dir(scratch.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "HOME={home:?}: {}", stderr(&out));
        assert_eq!(
            names_in(scratch.path()),
            vec![std::ffi::OsString::from("env")],
            "HOME={home:?}"
        );
    }
}

#[test]
fn an_empty_pyenv_root_is_not_searched_in_the_working_directory() {
    let _ = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    let marker = scratch.path().join("ran");
    let bin = scratch.path().join("versions/3.12.99/bin");
    std::fs::create_dir_all(&bin).unwrap();
    script(
        &bin.join("python3.12"),
        &format!("touch '{}'\nexit 1\n", marker.display()),
    );
    let out = pyvenv()
        .args(["-p", "3.12", "--without-pip", "env"])
        .env("PYENV_ROOT", "")
        .current_dir(scratch.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!marker.exists(), "./versions was searched");
}

#[test]
fn a_relative_cache_dir_is_an_error_not_ignored() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    refused_by(
        pyvenv()
            .arg("-p")
            .arg(&py)
            .arg("env")
            .env("PYVENV_CACHE_DIR", "cache")
            .current_dir(scratch.path()),
        scratch.path(),
        "PYVENV_CACHE_DIR=cache is not an absolute path",
    );
}

#[test]
fn a_deleted_working_directory_does_not_stop_an_absolute_target() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    let gone = scratch.path().join("gone");
    std::fs::create_dir(&gone).unwrap();
    let target = scratch.path().join("env");
    let out = Command::new("sh")
        .arg("-c")
        .arg("cd \"$1\" && rmdir \"$1\" && exec \"$0\" -p \"$2\" --without-pip \"$3\"")
        .arg(env!("CARGO_BIN_EXE_pyvenv"))
        .arg(&gone)
        .arg(&py)
        .arg(&target)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(target.join("pyvenv.cfg").is_file());
    // A relative one still needs it, and says so.
    let out = Command::new("sh")
        .arg("-c")
        .arg("mkdir \"$1\" && cd \"$1\" && rmdir \"$1\" && exec \"$0\" -p \"$2\" rel")
        .arg(env!("CARGO_BIN_EXE_pyvenv"))
        .arg(&gone)
        .arg(&py)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read the working directory"));
}

// --- existing environments and --clear --------------------------------------

#[test]
fn an_environment_for_another_version_is_refused_and_left_as_it_was() {
    let p12 = require!(12);
    let p11 = require!(11);
    let scratch = tempfile::tempdir().unwrap();
    let env = scratch.path().join("e");
    let made = pyvenv()
        .arg("-p")
        .arg(&p12)
        .arg("--without-pip")
        .arg(&env)
        .output()
        .unwrap();
    assert!(made.status.success());
    for extra in [&[][..], &["--upgrade"]] {
        refused_by(
            pyvenv()
                .arg("-p")
                .arg(&p11)
                .arg("--without-pip")
                .args(extra)
                .arg(&env),
            scratch.path(),
            &format!("{} is an environment for Python 3.12.", env.display()),
        );
    }
    let stderr = refused_by(
        pyvenv().arg("-p").arg(&p11).arg("--without-pip").arg(&env),
        scratch.path(),
        "--clear",
    );
    assert!(stderr.contains("3.11"), "{stderr}");
    // The same X.Y is still upgraded in place.
    let upgraded = pyvenv()
        .arg("-p")
        .arg(&p12)
        .args(["--without-pip", "--upgrade"])
        .arg(&env)
        .output()
        .unwrap();
    assert!(
        upgraded.status.success(),
        "{}",
        String::from_utf8_lossy(&upgraded.stderr)
    );
}

#[test]
fn a_fifo_planted_as_pyvenv_cfg_does_not_hang_the_version_check() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    let env = scratch.path().join("e");
    std::fs::create_dir(&env).unwrap();
    let made = Command::new("mkfifo")
        .arg(env.join("pyvenv.cfg"))
        .status()
        .unwrap();
    assert!(made.success());
    let mut child = pyvenv()
        .arg("-p")
        .arg(&py)
        .arg("--without-pip")
        .arg(&env)
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("pyvenv hung reading a FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn two_runs_racing_with_different_interpreters_make_one_environment_of_one_version() {
    let p12 = require!(12);
    let p11 = require!(11);
    for round in 0..6 {
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join("env");
        let spawn = |py: &Path| {
            pyvenv()
                .arg("-p")
                .arg(py)
                .arg("--without-pip")
                .arg(&target)
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(&p12), spawn(&p11));
        let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        let winners = outs.iter().filter(|o| o.status.success()).count();
        assert!(winners >= 1, "round {round}: neither run succeeded");
        for out in outs.iter().filter(|o| !o.status.success()) {
            assert_eq!(out.status.code(), Some(1));
            let said = stderr(out);
            assert!(
                said.contains("created by another process")
                    || said.contains("is an environment for"),
                "round {round}: {said}"
            );
        }
        let libs: Vec<_> = std::fs::read_dir(target.join("lib"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(libs.len(), 1, "round {round}: {libs:?}");
        let cfg = std::fs::read_to_string(target.join("pyvenv.cfg")).unwrap();
        let version = libs[0].trim_start_matches("python");
        assert!(
            cfg.contains(&format!("version = {version}.")),
            "round {round}: {cfg}"
        );
        let pythons: Vec<_> = std::fs::read_dir(target.join("bin"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("python3."))
            .collect();
        assert_eq!(pythons, vec![libs[0].clone()], "round {round}");
    }
}

/// Makes an environment at `dir` (which may already hold files).
fn make_env(py: &Path, dir: &Path) {
    let out = pyvenv()
        .arg("-p")
        .arg(py)
        .arg("--without-pip")
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn clear_refuses_a_project_under_version_control() {
    let py = require!(12);
    for vcs in [".git", ".hg", ".svn"] {
        let scratch = tempfile::tempdir().unwrap();
        let project = scratch.path().join("project");
        std::fs::create_dir_all(project.join(vcs)).unwrap();
        std::fs::write(project.join("main.py"), "print('mine')\n").unwrap();
        make_env(&py, &project);
        refused_by(
            pyvenv()
                .arg("-p")
                .arg(&py)
                .args(["--without-pip", "--clear"])
                .arg(&project),
            scratch.path(),
            &format!("it holds {vcs}"),
        );
    }
}

#[test]
fn clear_refuses_the_working_directory_and_its_parents() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    let env = scratch.path().join("env");
    make_env(&py, &env);
    for cwd in [env.clone(), env.join("lib")] {
        for target in [".".into(), env.clone()] {
            refused_by(
                pyvenv()
                    .arg("-p")
                    .arg(&py)
                    .args(["--without-pip", "--clear"])
                    .arg(&target)
                    .current_dir(&cwd),
                scratch.path(),
                "current directory",
            );
        }
    }
    // From outside, the same environment is cleared as before.
    let out = pyvenv()
        .arg("-p")
        .arg(&py)
        .args(["--without-pip", "--clear"])
        .arg(&env)
        .current_dir(scratch.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

// --- pip's output, and the names of things ------------------------------------

#[test]
fn upgrade_deps_is_silent_on_success_and_shows_pip_on_failure() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    // No index and an empty wheel directory: pip has nothing newer to
    // find, says `Requirement already satisfied` and succeeds, offline and
    // whatever PIP_FIND_LINKS this machine sets.
    let links = tempfile::tempdir().unwrap();
    let out = pyvenv()
        .arg("-p")
        .arg(&py)
        .arg("--upgrade-deps")
        .arg(scratch.path().join("ok"))
        .env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", links.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");

    // A constraints file that does not exist makes pip fail at once.
    let target = scratch.path().join("failing");
    let stderr = refused_by(
        pyvenv()
            .arg("-p")
            .arg(&py)
            .arg("--upgrade-deps")
            .arg(&target)
            .env("PIP_CONSTRAINT", "/nonexistent/constraints.txt"),
        scratch.path(),
        "-m pip install --upgrade pip",
    );
    assert!(stderr.contains("/nonexistent/constraints.txt"), "{stderr}");
    assert!(stderr.contains(&*target.to_string_lossy()), "{stderr}");
}

#[test]
fn only_pyvenvs_own_staging_names_are_swept() {
    let py = require!(12);
    let scratch = tempfile::tempdir().unwrap();
    // Names pyvenv does not give, the older pid-based ones included (a
    // pid says nothing across pid namespaces), and a stage with no lock
    // file beside it (not proved abandoned).
    let foreign = [
        ".pyvenv-stage-999996",
        ".pyvenv-stage-999999999-0",
        ".pyvenv-stage-0123456789ABCDEF",
        ".pyvenv-stage-0123456789abcdef",
    ];
    for name in foreign {
        std::fs::create_dir(scratch.path().join(name)).unwrap();
    }
    std::fs::write(
        scratch.path().join(".pyvenv-stage-0123456789ABCDEF.lock"),
        "",
    )
    .unwrap();
    // A dead run's own leftover (its lock file held by no one) is swept.
    let leftover = scratch.path().join(".pyvenv-stage-00000000000000aa");
    std::fs::create_dir_all(leftover.join("bin")).unwrap();
    let lock = scratch.path().join(".pyvenv-stage-00000000000000aa.lock");
    std::fs::write(&lock, "").unwrap();
    make_env(&py, &scratch.path().join("env"));
    for name in foreign {
        assert!(scratch.path().join(name).is_dir(), "{name} was swept");
    }
    assert!(!leftover.exists() && !lock.exists());
}
