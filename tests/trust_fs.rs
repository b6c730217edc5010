//! Root beside another account (issue 15, the filesystem half): nothing
//! another user can write, rename or mount steers what root deletes or
//! writes, a live build is never swept, and every signal that stops a run
//! leaves nothing behind.
//!
//! The second account is `nobody` (`setpriv --reuid=65534 ...`), a second
//! pid namespace is `unshare --pid`, mounts are made inside `unshare
//! --mount` so none leaks. These need root; without it each test says
//! SKIPPED. `PYVENV_TEST_BINARY` runs them against another build of
//! pyvenv (to measure how an older one fails).
// Needs a POSIX host: named, with why, in tests/support (POSIX_ONLY).
#![cfg(unix)]

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

#[macro_use]
mod support;

const NOBODY: u32 = 65534;

fn pyvenv_binary() -> PathBuf {
    std::env::var_os("PYVENV_TEST_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_pyvenv")))
}

fn pyvenv() -> Command {
    Command::new(pyvenv_binary())
}

/// Root, with `setpriv` and `unshare` that work, or a visible skip.
macro_rules! require_root {
    () => {
        if !root_with_namespaces() {
            eprintln!("SKIPPED: needs root, setpriv and unshare --pid --mount");
            return;
        }
    };
}

fn root_with_namespaces() -> bool {
    let ok = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    rustix_euid() == 0
        && ok(
            "setpriv",
            &["--reuid=65534", "--regid=65534", "--clear-groups", "true"],
        )
        && ok("unshare", &["--pid", "--fork", "--mount-proc", "true"])
}

fn rustix_euid() -> u32 {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() }
}

/// A scratch directory the second account can reach.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    dir
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Gives `path` and everything below it to `nobody`.
fn give_to_nobody(path: &Path) {
    std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY)).unwrap();
    if std::fs::symlink_metadata(path).unwrap().is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            give_to_nobody(&entry.unwrap().path());
        }
    }
}

/// `program args...` run as `nobody`.
fn as_nobody(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new("setpriv");
    command
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(program);
    command
}

/// `program args...` in a new pid namespace, as that namespace's process
/// `pid` (the kernel hands out the pid after `ns_last_pid`), killed with
/// the namespace when `unshare` is.
fn in_pid_namespace(pid: u32, program: &Path, args: &[&OsStr]) -> Command {
    let mut command = Command::new("unshare");
    command
        .args([
            "--pid",
            "--fork",
            "--mount-proc",
            "--kill-child",
            "sh",
            "-c",
        ])
        .arg("echo \"$0\" > /proc/sys/kernel/ns_last_pid; \"$@\"; exit $?")
        .arg((pid - 1).to_string())
        .arg(program)
        .args(args);
    command
}

/// pyvenv `-p python args... --no-cache env`, run to its end.
fn pyvenv_run(python: &Path, args: &[&str], env: &Path) -> Output {
    pyvenv()
        .arg("-p")
        .arg(python)
        .args(args)
        .arg("--no-cache")
        .arg(env)
        .output()
        .unwrap()
}

/// [`pyvenv_run`], which must succeed.
fn make(python: &Path, args: &[&str], env: &Path) {
    let out = pyvenv_run(python, args, env);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The same arguments for a run started by another program.
fn arguments<'a>(python: &'a Path, args: &[&'a str], env: &'a Path) -> Vec<&'a OsStr> {
    let mut all = vec!["-p".as_ref(), python.as_os_str()];
    all.extend(args.iter().map(|a| OsStr::new(*a)));
    all.extend(["--no-cache".as_ref(), env.as_os_str()]);
    all
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn script(path: &Path, body: &str) -> PathBuf {
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    chmod(path, 0o755);
    path.to_path_buf()
}

/// A python whose `-m ensurepip` touches `started` and then blocks, so a
/// build stays live (its staging directory half-made) until it is stopped.
fn python_blocking_in_ensurepip(dir: &Path, started: &Path) -> PathBuf {
    let real = require_python();
    let wrapper = dir.join("python3.12");
    script(
        &wrapper,
        &format!(
            "case \"$*\" in *\"m ensurepip \"*) touch '{started}'; exec sleep 1000;; esac\n\
             if [ \"$1\" = -E ]; then '{real}' \"$@\" | sed 's|{real}|{wrapper}|g'; exit; fi\n\
             exec '{real}' \"$@\"\n",
            real = real.display(),
            wrapper = wrapper.display(),
            started = started.display(),
        ),
    )
}

fn require_python() -> PathBuf {
    support::pyenv_python(12).expect("checked by the caller")
}

/// Waits (up to 60 s, the machine may be busy) for `path` to exist.
fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{path:?} never appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits up to `limit` for `child` to end; kills it and fails if it does not.
fn ends_within(child: &mut Child, limit: Duration, what: &str) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: pyvenv did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn stages_in(dir: &Path) -> Vec<PathBuf> {
    names_in(dir)
        .into_iter()
        .filter(|n| n.starts_with(".pyvenv-stage-") && !n.ends_with(".lock"))
        .map(|n| dir.join(n))
        .collect()
}

// --- items 3 and 4: staging ------------------------------------------------

#[test]
fn a_live_build_in_another_pid_namespace_is_not_swept() {
    require_root!();
    let _ = require!(12);
    let scratch = scratch();
    let parent = scratch.path().join("shared");
    std::fs::create_dir(&parent).unwrap();
    let started = scratch.path().join("started");
    let fake = python_blocking_in_ensurepip(scratch.path(), &started);
    // A build in a second pid namespace (a container sharing the volume),
    // held live in its pip step.
    let env_a = parent.join("a");
    let mut live = in_pid_namespace(
        400_000,
        &pyvenv_binary(),
        &arguments(&fake, &["--seeder=ensurepip"], &env_a),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    wait_for(&started);
    let stage = stages_in(&parent);
    assert_eq!(stage.len(), 1, "one live stage: {:?}", names_in(&parent));
    let before = names_in(&stage[0]);
    // A second build beside it, from this namespace, sweeps leftovers.
    let out = pyvenv()
        .args(["-p"])
        .arg(require_python())
        .args(["--without-pip", "--no-cache"])
        .arg(parent.join("b"))
        .output()
        .unwrap();
    let after = names_in(&stage[0]);
    let _ = live.kill();
    let _ = live.wait();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !before.is_empty() && after == before,
        "the live build's stage was swept: {before:?} became {after:?}"
    );
}

#[test]
fn stages_of_another_user_are_not_swept() {
    require_root!();
    let py = require!(12);
    let scratch = scratch();
    let parent = scratch.path().join("shared");
    std::fs::create_dir(&parent).unwrap();
    chmod(&parent, 0o1777);
    // Leftovers of nobody's: in the old naming (a pid that cannot be
    // running) and in the new one (a lock file no one holds).
    let planted = [".pyvenv-stage-999999-0", ".pyvenv-stage-00000000000000aa"];
    for name in planted {
        std::fs::create_dir_all(parent.join(name).join("bin")).unwrap();
        std::fs::write(parent.join(name).join("bin/theirs"), "x").unwrap();
        give_to_nobody(&parent.join(name));
    }
    let lock = parent.join(".pyvenv-stage-00000000000000aa.lock");
    std::fs::write(&lock, "").unwrap();
    give_to_nobody(&lock);
    make(&py, &["--without-pip"], &parent.join("env"));
    for name in planted {
        assert!(
            parent.join(name).join("bin/theirs").exists(),
            "{name}, nobody's, was swept"
        );
    }
    assert!(lock.exists(), "nobody's lock file was removed");
}

#[test]
fn a_staging_name_cannot_be_taken_first() {
    require_root!();
    let py = require!(12);
    let scratch = scratch();
    let parent = scratch.path().join("shared");
    std::fs::create_dir(&parent).unwrap();
    chmod(&parent, 0o1777);
    // pyvenv will be process 400000 of its namespace; nobody takes every
    // name a pid and a counter make for it.
    for counter in 0..4 {
        let name = parent.join(format!(".pyvenv-stage-400000-{counter}"));
        let made = as_nobody("mkdir").arg(&name).status().unwrap();
        assert!(made.success());
    }
    let env = parent.join("env");
    let out = in_pid_namespace(
        400_000,
        &pyvenv_binary(),
        &arguments(&py, &["--without-pip"], &env),
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(env.join("pyvenv.cfg").exists());
}

// --- item 5: --clear against a swap ------------------------------------------

/// Swaps `env` and `swap` in `dir` with renameat2(RENAME_EXCHANGE), as
/// fast as it can, until `stop` exists, keeping a pyvenv.cfg in its own
/// directory so that `--clear` accepts it: run by the second account.
fn swapper(dir: &Path, stop: &Path) -> Child {
    let code = format!(
        "import ctypes, os\n\
         libc = ctypes.CDLL(None, use_errno=True)\n\
         os.chdir({dir:?})\n\
         while not os.path.exists({stop:?}):\n\
         \x20   for _ in range(1000):\n\
         \x20       libc.renameat2(-100, b'env', -100, b'swap', 2)\n\
         \x20   for name in ('env', 'swap'):\n\
         \x20       try:\n\
         \x20           if not os.path.islink(name):\n\
         \x20               open(os.path.join(name, 'pyvenv.cfg'), 'a').close()\n\
         \x20       except OSError:\n\
         \x20           pass\n",
        dir = dir.to_str().unwrap(),
        stop = stop.to_str().unwrap(),
    );
    as_nobody("/usr/bin/python3")
        .arg("-c")
        .arg(code)
        .spawn()
        .unwrap()
}

#[test]
fn clear_never_empties_a_directory_swapped_in_by_another_user() {
    require_root!();
    let py = require!(12);
    let scratch = scratch();
    // A directory of root's, which nobody wants emptied.
    let precious = scratch.path().join("precious");
    std::fs::create_dir(&precious).unwrap();
    std::fs::write(precious.join("data"), "root's").unwrap();
    // The interpreter's facts cached, so that each run is short and the
    // loop long.
    let cache = scratch.path().join("cache");
    // Nobody's directory, holding the environment root is asked to clear
    // and a link to root's beside it.
    let shared = scratch.path().join("shared");
    std::fs::create_dir_all(shared.join("env")).unwrap();
    std::fs::write(shared.join("env/pyvenv.cfg"), "home = /usr\n").unwrap();
    std::os::unix::fs::symlink(&precious, shared.join("swap")).unwrap();
    give_to_nobody(&shared);
    let stop = scratch.path().join("stop");
    let mut swapping = swapper(&shared, &stop);
    let runs = 1000;
    let (mut emptied, mut built_in) = (0, 0);
    for _ in 0..runs {
        let _ = pyvenv()
            .arg("-p")
            .arg(&py)
            .args(["--clear", "--without-pip", "--cache-dir"])
            .arg(&cache)
            .arg(shared.join("env"))
            .output()
            .unwrap();
        if !precious.join("data").exists() {
            emptied += 1;
            std::fs::write(precious.join("data"), "root's").unwrap();
        }
        if precious.join("bin").exists() {
            built_in += 1;
            std::fs::remove_dir_all(precious.join("bin")).unwrap();
        }
    }
    std::fs::write(&stop, "").unwrap();
    swapping.wait().unwrap();
    eprintln!(
        "root's directory emptied in {emptied} of {runs} runs, \
         an environment written into it in {built_in}"
    );
    assert_eq!(
        (emptied, built_in),
        (0, 0),
        "root's directory was emptied, or written into, in so many of {runs} runs"
    );
}

// --- item 7: --clear and mount points ----------------------------------------

#[test]
fn clear_refuses_a_filesystem_mounted_inside_and_deletes_nothing() {
    require_root!();
    let py = require!(12);
    for kind in ["tmpfs", "bind"] {
        let scratch = scratch();
        let env = scratch.path().join("env");
        let made = pyvenv()
            .arg("-p")
            .arg(&py)
            .args(["--without-pip", "--no-cache"])
            .arg(&env)
            .output()
            .unwrap();
        assert!(made.status.success(), "{}", stderr(&made));
        let mount_point = env.join("lib/volume");
        std::fs::create_dir(&mount_point).unwrap();
        let elsewhere = scratch.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let mount = match kind {
            "tmpfs" => "mount -t tmpfs tmpfs \"$2\"".to_string(),
            _ => "mount --bind \"$3\" \"$2\"".to_string(),
        };
        let out = Command::new("unshare")
            .args(["--mount", "sh", "-c"])
            .arg(format!(
                "{mount} || exit 99; echo kept > \"$2/kept\"; \
                 \"$0\" -p \"$4\" --clear --without-pip --no-cache \"$1\"; rc=$?; \
                 cat \"$2/kept\" >&2; exit $rc"
            ))
            .arg(pyvenv_binary())
            .arg(&env)
            .arg(&mount_point)
            .arg(&elsewhere)
            .arg(&py)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_ne!(
            out.status.code(),
            Some(99),
            "{kind}: could not mount: {err}"
        );
        assert_eq!(out.status.code(), Some(1), "{kind}: {err}");
        assert!(
            err.contains(&mount_point.display().to_string()),
            "{kind}: {err}"
        );
        assert!(
            err.contains("kept"),
            "{kind}: the mounted file was deleted: {err}"
        );
        for name in ["pyvenv.cfg", "bin/python", "lib"] {
            assert!(
                std::fs::symlink_metadata(env.join(name)).is_ok(),
                "{kind}: {name} was deleted before the refusal"
            );
        }
    }
}

// --- item 6: re-running over another user's environment --------------------

#[test]
fn a_rerun_never_writes_through_a_planted_temporary_name() {
    require_root!();
    let py = require!(12);
    let scratch = scratch();
    let env = scratch.path().join("env");
    make(&py, &["--copies", "--without-pip"], &env);
    give_to_nobody(&env);
    let victim = scratch.path().join("victim");
    std::fs::write(&victim, "root's secret").unwrap();
    chmod(&victim, 0o600);
    // The names today's pyvenv would use, as process 400000 of its
    // namespace, planted as links to a file of root's.
    // (Only in bin: a name planted for pyvenv.cfg stops the run before.)
    for dir in ["bin"] {
        for name in ["python", "python3", "python3.12"] {
            for counter in 0..16 {
                let link = env.join(dir).join(format!(".tmp-{name}-400000-{counter}"));
                let _ = std::os::unix::fs::symlink(&victim, &link);
                let _ = std::os::unix::fs::lchown(&link, Some(NOBODY), Some(NOBODY));
            }
        }
    }
    let out = in_pid_namespace(
        400_000,
        &pyvenv_binary(),
        &arguments(&py, &["--copies", "--without-pip"], &env),
    )
    .output()
    .unwrap();
    let mode = std::fs::metadata(&victim).unwrap().permissions().mode() & 0o7777;
    assert!(
        std::fs::read(&victim).unwrap() == b"root's secret",
        "root's file was overwritten ({})",
        stderr(&out)
    );
    assert_eq!(mode, 0o600, "root's file was made {mode:o}");
}

#[test]
fn a_rerun_refuses_a_directory_replaced_by_a_link() {
    require_root!();
    let py = require!(12);
    let scratch = scratch();
    let env = scratch.path().join("env");
    make(&py, &["--without-pip"], &env);
    let elsewhere = scratch.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::remove_dir_all(env.join("lib")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, env.join("lib")).unwrap();
    give_to_nobody(&env);
    give_to_nobody(&elsewhere);
    let out = pyvenv()
        .arg("-p")
        .arg(&py)
        .arg("--no-cache")
        .arg(&env)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(
        names_in(&elsewhere),
        Vec::<String>::new(),
        "written through the link: {err}"
    );
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&env.join("lib").display().to_string()),
        "{err}"
    );
}

// --- item 8: signals -----------------------------------------------------------

#[test]
fn a_stopping_signal_ends_a_blocked_lock_wait_at_once() {
    require_root!();
    let py = require!(12);
    for (signal, code) in [
        (libc::SIGINT, 130),
        (libc::SIGTERM, 143),
        (libc::SIGHUP, 129),
    ] {
        let scratch = scratch();
        let cache = scratch.path().join("cache");
        std::fs::create_dir(&cache).unwrap();
        chmod(&cache, 0o700);
        // `--cache-clean` holding the cache: a run waits for it.
        let lock = std::fs::File::create(cache.join(".lock")).unwrap();
        // SAFETY: a valid descriptor of an open file.
        assert_eq!(
            unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) },
            0
        );
        let mut child = pyvenv()
            .arg("-p")
            .arg(&py)
            .arg("--without-pip")
            .arg("--cache-dir")
            .arg(&cache)
            .arg(scratch.path().join("new/parents/env"))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(500));
        // SAFETY: signalling the child this test started.
        unsafe { libc::kill(child.id() as i32, signal) };
        let status = ends_within(
            &mut child,
            Duration::from_secs(5),
            &format!("signal {signal}"),
        );
        assert_eq!(status.code(), Some(code), "signal {signal}: {status:?}");
        assert!(
            !scratch.path().join("new").exists(),
            "signal {signal}: parents left"
        );
    }
}

#[test]
fn sighup_during_a_child_leaves_no_stage_and_no_parent() {
    require_root!();
    let _ = require!(12);
    let scratch = scratch();
    let started = scratch.path().join("started");
    let fake = python_blocking_in_ensurepip(scratch.path(), &started);
    let mut child = pyvenv()
        .arg("-p")
        .arg(&fake)
        .args(["--seeder=ensurepip", "--no-cache"])
        .arg(scratch.path().join("new/parents/env"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&started);
    assert_eq!(stages_in(&scratch.path().join("new/parents")).len(), 1);
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
    let status = ends_within(&mut child, Duration::from_secs(10), "SIGHUP");
    assert_eq!(status.code(), Some(129), "{status:?}");
    assert!(
        !scratch.path().join("new").exists(),
        "{:?}",
        names_in(scratch.path())
    );
}

#[test]
fn a_file_size_limit_is_an_error_and_leaves_nothing() {
    require_root!();
    let py = require!(12);
    let scratch = scratch();
    let env = scratch.path().join("new/parents/env");
    // 16 KiB: pyvenv.cfg fits, pip's larger files do not.
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 32; exec \"$@\"")
        .arg("sh")
        .arg(pyvenv_binary())
        .arg("-p")
        .arg(&py)
        .arg("--no-cache")
        .arg(&env)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{:?}: {err}", out.status);
    assert!(
        err.starts_with("Error: ") && err.contains("File too large"),
        "{err}"
    );
    assert!(
        !scratch.path().join("new").exists(),
        "{:?}",
        names_in(scratch.path())
    );
}
