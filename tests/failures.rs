//! Bad input, a full or read-only disk, and races: every failure is a clear
//! `Error: ...` naming the problem and the path, exit status 1, never a
//! panic, and nothing outside the target changes.
//! Runs on every host (`.ci/cross-check` runs it under Wine, with the
//! Windows python.exe `PYVENV_TEST_WINDOWS_PYTHON` names); the tests that
//! need a POSIX host are in `mod posix` below.

use std::process::Command;

#[macro_use]
mod support;

/// pyenv's CPython 3.12 on POSIX, the Windows python.exe on Windows, or a
/// visible skip.
macro_rules! require_python {
    () => {
        require_host!(12)
    };
}

#[path = "common/refusal.rs"]
mod refusal;
use refusal::{listing, names_in, pyvenv, refused};

#[test]
fn an_empty_env_dir_is_refused_and_the_working_directory_untouched() {
    let py = require_python!();
    let scratch = tempfile::tempdir().unwrap();
    let before = listing(scratch.path());
    let out = Command::new(env!("CARGO_BIN_EXE_pyvenv"))
        .arg("-p")
        .arg(&py)
        .arg("")
        .current_dir(scratch.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("an empty ENV_DIR names no directory"));
    assert_eq!(listing(scratch.path()), before);
}

#[test]
fn two_runs_racing_for_one_new_target_make_one_complete_env() {
    let py = require_python!();
    for round in 0..6 {
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join("env");
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_pyvenv"))
                .arg("-p")
                .arg(&py)
                .arg("--without-pip")
                .arg(&target)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        let winners = outs.iter().filter(|o| o.status.success()).count();
        assert!(winners >= 1, "round {round}: neither run succeeded");
        for out in outs.iter().filter(|o| !o.status.success()) {
            assert_eq!(out.status.code(), Some(1));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("created by another process"), "{stderr}");
        }
        if cfg!(windows) {
            // The embeddable CPython's venv places no python.exe under
            // Wine: the winner's environment is whole if its pyvenv.cfg
            // names its venv's command for this target.
            let cfg = std::fs::read_to_string(target.join("pyvenv.cfg")).unwrap();
            assert!(cfg.contains(&*target.to_string_lossy()), "{cfg}");
        } else {
            let prefix = Command::new(target.join("bin/python"))
                .args(["-c", "import sys; print(sys.prefix)"])
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&prefix.stdout).trim(),
                target.to_string_lossy()
            );
        }
        assert_eq!(
            names_in(scratch.path()),
            vec![std::ffi::OsString::from("env")],
            "round {round}"
        );
    }
}

#[test]
fn clear_refuses_the_home_directory_even_when_it_is_an_environment() {
    let py = require_python!();
    let scratch = tempfile::tempdir().unwrap();
    let home = scratch.path().join("home");
    let out = pyvenv(&py, &["--without-pip".as_ref(), home.as_os_str()]);
    assert!(out.status.success());
    std::fs::write(home.join(".bashrc"), "# years of tuning\n").unwrap();
    let before = listing(&home);
    // The home directory as each host names it (on Windows `HOME` is
    // seldom set, and is not read).
    let home_var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    let out = Command::new(env!("CARGO_BIN_EXE_pyvenv"))
        .env_remove("HOME")
        .env(home_var, &home)
        .env("PYVENV_CACHE_DIR", scratch.path().join("cache"))
        .arg("-p")
        .arg(&py)
        .args(["--without-pip", "--clear"])
        .arg(&home)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("it is your home directory"), "{stderr}");
    assert_eq!(listing(&home), before);
}

#[test]
fn a_parent_that_is_a_file_is_named_in_the_error() {
    let py = require_python!();
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("file");
    std::fs::write(&file, "data").unwrap();
    let target = file.join("sub").join("env");
    let message = format!(
        "Unable to create directory {}: {} is a file",
        support::py_repr(&target),
        support::py_repr(&file)
    );
    refused(&py, scratch.path(), &target, &[], &message);
}

#[test]
fn a_name_longer_than_the_filesystem_allows_is_a_clear_error() {
    let py = require_python!();
    let scratch = tempfile::tempdir().unwrap();
    let target = scratch.path().join("x".repeat(300));
    refused(
        &py,
        scratch.path(),
        &target,
        &["--without-pip"],
        "name too long",
    );
}

/// The tests that need a POSIX host (each named, with why, in
/// tests/support's PARTLY_POSIX).
#[cfg(unix)]
mod posix {
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};

    fn python() -> Option<PathBuf> {
        support::pyenv_python(12)
    }

    #[test]
    fn a_symlink_to_a_file_is_refused() {
        let py = require_python!();
        let scratch = tempfile::tempdir().unwrap();
        std::fs::write(scratch.path().join("file"), "data").unwrap();
        let target = scratch.path().join("env");
        std::os::unix::fs::symlink("file", &target).unwrap();
        let message = format!("Unable to create directory '{}'", target.display());
        refused(&py, scratch.path(), &target, &[], &message);
    }

    #[test]
    fn a_dangling_symlink_is_refused_and_nothing_made_where_it_points() {
        let py = require_python!();
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join("env");
        std::os::unix::fs::symlink("nowhere", &target).unwrap();
        let message = format!("Unable to create directory '{}'", target.display());
        refused(&py, scratch.path(), &target, &[], &message);
        assert!(!scratch.path().join("nowhere").exists());
    }

    #[test]
    fn a_symlink_loop_is_refused() {
        let py = require_python!();
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join("a");
        std::os::unix::fs::symlink("b", &target).unwrap();
        std::os::unix::fs::symlink("a", scratch.path().join("b")).unwrap();
        refused(
            &py,
            scratch.path(),
            &target,
            &["--clear"],
            "Unable to create directory",
        );
    }

    #[test]
    fn missing_parents_are_made_and_removed_again_on_failure() {
        let py = require_python!();
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join("a/b/env");
        let out = pyvenv(&py, &["--without-pip".as_ref(), target.as_os_str()]);
        assert!(out.status.success());
        assert!(target.join("pyvenv.cfg").exists());
        // The same, failing late (a fake python whose ensurepip fails).
        let fake = fake_python_with_failing_ensurepip(scratch.path());
        let target = scratch.path().join("c/d/env");
        let out = pyvenv(&fake, &["--seeder=ensurepip".as_ref(), target.as_os_str()]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !scratch.path().join("c").exists(),
            "parents made for a failed run remain"
        );
    }

    /// A stand-in for CPython 3.12 whose `-m ensurepip` always fails: a script
    /// that runs the real interpreter for everything else, and answers pyvenv's
    /// question about itself with its own path, so the environment links to it.
    fn fake_python_with_failing_ensurepip(dir: &Path) -> PathBuf {
        let real = python().unwrap();
        let bin = dir.join("fakebin");
        std::fs::create_dir_all(&bin).unwrap();
        let wrapper = bin.join("python3.12");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\n\
                 case \"$*\" in *\"m ensurepip \"*) echo 'ensurepip exploded' >&2; exit 3;; esac\n\
                 if [ \"$1\" = -E ]; then '{real}' \"$@\" | sed 's|{real}|{wrapper}|g'; exit; fi\n\
                 exec '{real}' \"$@\"\n",
                real = real.display(),
                wrapper = wrapper.display(),
            ),
        )
        .unwrap();
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        wrapper
    }

    #[test]
    fn a_path_that_is_not_utf8_is_refused_clearly() {
        let py = require_python!();
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join(OsStr::from_bytes(b"env-\xff\xfe"));
        refused(
            &py,
            scratch.path(),
            &target,
            &["--without-pip"],
            "not valid UTF-8",
        );
    }

    #[test]
    fn a_python_that_crashes_while_asked_is_a_clear_error() {
        let scratch = tempfile::tempdir().unwrap();
        let fake = scratch.path().join("python3");
        std::fs::write(&fake, "#!/bin/sh\nkill -SEGV $$\n").unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let target = scratch.path().join("env");
        refused(
            &fake,
            scratch.path(),
            &target,
            &[],
            "is not a usable Python interpreter",
        );
    }

    #[test]
    fn a_broken_pyenv_shim_is_a_clear_error_with_what_it_said() {
        let scratch = tempfile::tempdir().unwrap();
        let shim = scratch.path().join("python3.99");
        std::fs::write(
            &shim,
            "#!/bin/sh\necho \"pyenv: python3.99: command not found\" >&2\nexit 127\n",
        )
        .unwrap();
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        let target = scratch.path().join("env");
        refused(
            &shim,
            scratch.path(),
            &target,
            &[],
            "pyenv: python3.99: command not found",
        );
    }

    #[test]
    fn a_failed_pip_bootstrap_shows_the_command_and_what_it_printed() {
        let py = require_python!();
        let scratch = tempfile::tempdir().unwrap();
        let fake = fake_python_with_failing_ensurepip(scratch.path());
        let target = scratch.path().join("env");
        let before = listing(scratch.path());
        let out = pyvenv(&fake, &["--seeder=ensurepip".as_ref(), target.as_os_str()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let _ = py;
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("-m ensurepip --upgrade --default-pip"),
            "{stderr}"
        );
        assert!(stderr.contains("ensurepip exploded"), "{stderr}");
        assert_eq!(listing(scratch.path()), before);
    }

    /// A tmpfs mounted for one test and unmounted when dropped.
    struct Mount(PathBuf);

    impl Mount {
        fn tmpfs(at: &Path, options: &str) -> Option<Mount> {
            std::fs::create_dir_all(at).unwrap();
            let ok = Command::new("mount")
                .args(["-t", "tmpfs", "-o", options, "tmpfs"])
                .arg(at)
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                Some(Mount(at.to_path_buf()))
            } else {
                eprintln!("SKIPPED: cannot mount a tmpfs here (needs root)");
                None
            }
        }
    }

    impl Drop for Mount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }

    #[test]
    fn a_full_disk_leaves_no_target_and_no_leftovers() {
        let py = require_python!();
        let scratch = tempfile::tempdir().unwrap();
        let at = scratch.path().join("small");
        let Some(_mount) = Mount::tmpfs(&at, "size=48k") else {
            return;
        };
        let target = at.join("env");
        for args in [
            &["--copies", "--without-pip"][..],
            &["--seeder=native"],
            &["--seeder=ensurepip"],
        ] {
            let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
            all.push(target.as_os_str());
            let out = pyvenv(&py, &all);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(stderr.starts_with("Error: "), "{stderr}");
            assert!(
                stderr.contains(&*target.to_string_lossy()) && !stderr.contains(".pyvenv-stage-"),
                "{args:?}: the error must name the target, not the staging directory: {stderr}"
            );
            assert!(
                !target.exists(),
                "{args:?}: a half-made env was left on a full disk"
            );
            assert_eq!(
                listing(&at),
                Vec::new(),
                "{args:?}: leftovers on the full disk"
            );
        }
    }

    #[test]
    fn a_read_only_filesystem_is_a_clear_error() {
        let py = require_python!();
        let scratch = tempfile::tempdir().unwrap();
        let at = scratch.path().join("ro");
        let Some(_mount) = Mount::tmpfs(&at, "size=1m,ro") else {
            return;
        };
        let target = at.join("env");
        refused(&py, scratch.path(), &target, &[], "Read-only file system");
        refused(
            &py,
            scratch.path(),
            &at.join("deeper/env"),
            &[],
            "Read-only file system",
        );
    }

    #[test]
    fn many_runs_seeding_pip_at_once_all_succeed() {
        let py = require_python!();
        let scratch = tempfile::tempdir().unwrap();
        let cache = scratch.path().join("cache");
        let children: Vec<_> = (0..6)
            .map(|i| {
                Command::new(env!("CARGO_BIN_EXE_pyvenv"))
                    .env("PYVENV_CACHE_DIR", &cache)
                    .arg("-p")
                    .arg(&py)
                    .arg(scratch.path().join(format!("env{i}")))
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (i, child) in children.into_iter().enumerate() {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "env{i}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let pip = Command::new(scratch.path().join(format!("env{i}/bin/python")))
                .args(["-m", "pip", "--version"])
                .output()
                .unwrap();
            assert!(pip.status.success(), "env{i}: pip does not run");
        }
    }

    #[test]
    fn a_python_without_ensurepip_names_the_package_to_install() {
        let py = require_python!();
        let scratch = tempfile::tempdir().unwrap();
        let bin = scratch.path().join("fakebin");
        std::fs::create_dir_all(&bin).unwrap();
        // Debian's python3.X without python3.X-venv: the same interpreter,
        // reporting no ensurepip.
        let wrapper = bin.join("python3.12");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nif [ \"$1\" = -E ]; then '{real}' \"$@\" | sed 's|\"has_ensurepip\": true|\"has_ensurepip\": false|'; exit; fi\nexec '{real}' \"$@\"\n",
                real = py.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let target = scratch.path().join("env");
        for seeder in ["--seeder=native", "--seeder=ensurepip"] {
            let before = listing(scratch.path());
            let out = pyvenv(&wrapper, &[seeder.as_ref(), target.as_os_str()]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{stderr}");
            assert!(stderr.contains("ensurepip is not available"), "{stderr}");
            assert!(stderr.contains("apt install python3.12-venv"), "{stderr}");
            assert!(stderr.contains("--without-pip"), "{stderr}");
            assert_eq!(listing(scratch.path()), before);
        }
        let out = pyvenv(&wrapper, &["--without-pip".as_ref(), target.as_os_str()]);
        assert!(out.status.success());
    }
}
