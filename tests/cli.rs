//! The command line as a provisioning script sees it: how the interpreter is
//! chosen, what is refused and with which words, and the exit statuses.
//! Runs on every host (`.ci/cross-check` runs it under Wine, with the
//! Windows python.exe `PYVENV_TEST_WINDOWS_PYTHON` names); the tests that
//! need a POSIX host are in `mod posix` below.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

#[macro_use]
mod support;
use support::py_repr;

/// pyvenv with a clean, known environment: PATH holds only `path_dirs`.
fn pyvenv(path_dirs: &[&Path]) -> Command {
    // By its path: assert_cmd's `cargo_bin` would prefix the runner
    // cargo ran this test with (Wine), which a Windows process cannot start.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pyvenv"));
    cmd.env_remove("PYVENV_PYTHON");
    cmd.env_remove("PYENV_ROOT");
    let mut path: Vec<PathBuf> = path_dirs.iter().map(|p| p.to_path_buf()).collect();
    path.push("/usr/bin".into());
    path.push("/bin".into());
    cmd.env("PATH", std::env::join_paths(path).unwrap());
    cmd.env("HOME", "/nonexistent-home");
    cmd
}

/// pyvenv asked for the interpreter `python`.
fn with_python(python: &Path) -> Command {
    let mut cmd = pyvenv(&[]);
    cmd.arg("-p").arg(python);
    cmd
}

/// Runs `cmd` to make `env` without pip, which must succeed.
fn made(mut cmd: Command, env: &Path) {
    cmd.arg("--without-pip").arg(env).assert().success();
}

fn cfg(env: &Path) -> String {
    std::fs::read_to_string(env.join("pyvenv.cfg")).unwrap()
}

/// The `version = 3.X.` line `pyvenv.cfg` has for `python`.
fn version_line(python: &Path) -> String {
    format!("version = 3.{}.", support::minor_version(python))
}

#[test]
fn success_prints_nothing() {
    let py = require_host!(12);
    let tmp = tempfile::tempdir().unwrap();
    with_python(&py)
        .arg("--without-pip")
        .arg(tmp.path().join("env"))
        .assert()
        .success()
        .stdout("")
        .stderr("");
}

#[test]
fn p_accepts_a_path() {
    let py = require_host!(9);
    let tmp = tempfile::tempdir().unwrap();
    let env = tmp.path().join("env");
    made(with_python(&py), &env);
    assert!(cfg(&env).contains(&version_line(&py)));
}

#[test]
fn a_version_nobody_has_is_an_error_naming_what_was_tried() {
    let py = require_host!(12);
    let tmp = tempfile::tempdir().unwrap();
    let env = tmp.path().join("env");
    let mut cmd = pyvenv(&[]);
    if cfg!(unix) {
        cmd.env("PYENV_ROOT", py.ancestors().nth(4).unwrap());
    }
    cmd.args(["-p", "3.99", "--without-pip"])
        .arg(&env)
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "Error: no Python interpreter found for \"3.99\" (asked for by -p/--python); \
             tried: python3.99 on PATH and in",
        ));
    assert!(!env.exists());
}

/// `pyvenv-3.X` (on Windows `pyvenv-3.X.exe`) means `-p 3.X`: found under
/// pyenv on POSIX, as `python.exe` on PATH on Windows.
#[test]
fn the_program_name_carries_a_version() {
    let py = require_host!(11);
    let minor = support::minor_version(&py);
    let tmp = tempfile::tempdir().unwrap();
    let exe = std::env::consts::EXE_SUFFIX;
    let named = tmp.path().join(format!("pyvenv-3.{minor}{exe}"));
    std::fs::copy(env!("CARGO_BIN_EXE_pyvenv"), &named).unwrap();
    let env = tmp.path().join("env");
    let mut cmd = Command::new(&named);
    cmd.env_remove("PYVENV_PYTHON");
    if cfg!(unix) {
        cmd.env("PATH", "/usr/bin:/bin")
            .env("PYENV_ROOT", py.ancestors().nth(4).unwrap());
    } else {
        cmd.env("PATH", py.parent().unwrap());
    }
    cmd.arg("--without-pip").arg(&env).assert().success();
    assert!(cfg(&env).contains(&version_line(&py)));
    // A version nobody has, asked for by the name alone.
    let other = tmp.path().join(format!("pyvenv-3.77{exe}"));
    std::fs::copy(env!("CARGO_BIN_EXE_pyvenv"), &other).unwrap();
    let mut cmd = Command::new(&other);
    cmd.env_remove("PYVENV_PYTHON")
        .env("PATH", py.parent().unwrap())
        .arg("--without-pip")
        .arg(tmp.path().join("env2"))
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "Error: no Python interpreter found for \"3.77\" (asked for by the program's name",
        ));
}

#[test]
fn a_file_that_cannot_run_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let junk = tmp
        .path()
        .join(format!("python3{}", std::env::consts::EXE_SUFFIX));
    std::fs::write(&junk, "not a program\n").unwrap();
    with_python(&junk)
        .arg(tmp.path().join("env"))
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(format!(
            "Error: {} is not a usable Python interpreter",
            junk.display()
        )));
    assert!(!tmp.path().join("env").exists());
}

#[test]
fn a_missing_interpreter_path_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = if cfg!(windows) {
        r"C:\no\such\python.exe"
    } else {
        "/no/such/python3"
    };
    pyvenv(&[])
        .args(["-p", missing])
        .arg(tmp.path().join("env"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{missing} (no such file)"
        )));
    assert!(!tmp.path().join("env").exists());
}

#[test]
fn upgrade_with_clear_is_refused_before_anything_is_made() {
    let tmp = tempfile::tempdir().unwrap();
    pyvenv(&[])
        .args(["--upgrade", "--clear"])
        .arg(tmp.path().join("env"))
        .assert()
        .code(1)
        .stdout("")
        .stderr("Error: you cannot supply --upgrade and --clear together.\n");
    assert!(!tmp.path().join("env").exists());
}

/// `:` on POSIX, `;` on Windows: what splits PATH, which the activation
/// scripts extend.
#[test]
fn the_path_separator_is_refused_for_every_version() {
    let py = require_host!(6);
    let separator = if cfg!(windows) { ';' } else { ':' };
    let tmp = tempfile::tempdir().unwrap();
    let env = tmp.path().join(format!("a{separator}b"));
    with_python(&py).arg(&env).assert().code(1).stderr(format!(
        "Error: Refusing to create a venv in {} because it contains the PATH separator {separator}.\n",
        env.display()
    ));
    assert!(!env.exists());
}

#[test]
fn a_file_in_the_way_is_refused_with_cpythons_words() {
    let py = require_host!(12);
    let tmp = tempfile::tempdir().unwrap();
    let env = tmp.path().join("env");
    std::fs::write(&env, "precious").unwrap();
    with_python(&py).arg(&env).assert().code(1).stderr(format!(
        "Error: Unable to create directory {0}: {0} is a file\n",
        py_repr(&env)
    ));
    assert_eq!(std::fs::read_to_string(&env).unwrap(), "precious");
    // And with --clear, which never empties a file.
    with_python(&py)
        .arg("--clear")
        .arg(&env)
        .assert()
        .code(1)
        .stderr(predicate::str::ends_with(format!(
            "{} is a file\n",
            py_repr(&env)
        )));
    assert_eq!(std::fs::read_to_string(&env).unwrap(), "precious");
}

#[test]
fn several_targets_are_made_in_order_and_the_first_failure_stops() {
    let py = require_host!(12);
    let tmp = tempfile::tempdir().unwrap();
    // `b` can only fail when it is made: its parent is a file.
    std::fs::write(tmp.path().join("file"), "").unwrap();
    let (a, bad, c) = (
        tmp.path().join("a"),
        tmp.path().join("file").join("b"),
        tmp.path().join("c"),
    );
    with_python(&py)
        .arg("--without-pip")
        .args([&a, &bad, &c])
        .assert()
        .code(1);
    assert!(a.join("pyvenv.cfg").exists());
    assert!(!c.exists());
}

#[test]
fn a_target_that_can_never_work_stops_the_run_before_any_is_made() {
    let py = require_host!(12);
    let tmp = tempfile::tempdir().unwrap();
    for bad in ["b:x", "b\nx", ""] {
        let a = tmp.path().join("a");
        // Spelt out: on Windows `join("b:x")` would give the
        // drive-relative `b:x` (on drive B:), not a name in `tmp`.
        let bad = if bad.is_empty() {
            std::path::PathBuf::new()
        } else {
            let sep = std::path::MAIN_SEPARATOR;
            PathBuf::from(format!("{}{sep}{bad}", tmp.path().display()))
        };
        with_python(&py)
            .arg("--without-pip")
            .args([&a, &bad])
            .assert()
            .code(1)
            .stderr(predicates::str::starts_with("Error: "));
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "{bad:?}: {left:?}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    pyvenv(&[])
        .args(["--symlinks", "--copies"])
        .arg(tmp.path().join("env"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Usage:"));
    pyvenv(&[]).assert().code(2);
    pyvenv(&[]).args(["--no-such-flag", "x"]).assert().code(2);
}

#[test]
fn help_lists_every_flag() {
    let out = pyvenv(&[]).arg("-h").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for flag in [
        "--system-site-packages",
        "--symlinks",
        "--copies",
        "--clear",
        "--upgrade",
        "--without-pip",
        "--prompt",
        "--upgrade-deps",
        "--without-scm-ignore-files",
        "--relocatable",
        "--python",
        "ENV_DIR",
    ] {
        assert!(text.contains(flag), "{flag} missing from -h");
    }
}

#[test]
fn clear_refuses_a_directory_that_is_not_an_environment() {
    let py = require_host!(12);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("work");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("thesis.tex"), "years of work").unwrap();
    with_python(&py)
        .arg("--clear")
        .arg(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("it is not a virtual environment"));
    assert!(dir.join("thesis.tex").exists());
}

/// Copies the directory `from` (files and directories only) to `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn clear_refuses_the_directory_holding_the_interpreter() {
    let py = require_host!(12);
    let tmp = tempfile::tempdir().unwrap();
    let env = tmp.path().join("env");
    made(with_python(&py), &env);
    // An interpreter inside the environment, used as the target: on POSIX
    // the environment's own; on Windows, where the embeddable CPython's
    // venv places no python.exe under Wine, a copy of its directory.
    let inner = if cfg!(windows) {
        let home = env.join("python");
        copy_dir(py.parent().unwrap(), &home);
        home.join(py.file_name().unwrap())
    } else {
        env.join("bin/python3.12")
    };
    with_python(&inner)
        .args(["--without-pip", "--clear", "--copies"])
        .arg(&env)
        .assert()
        .code(1);
    assert!(inner.exists());
    assert!(env.join("pyvenv.cfg").exists());
}

/// `--re` and `--rel` are unique prefixes of `--relocatable` (venv has no
/// option starting so), and without the flag pyvenv.cfg has no such key.
#[test]
fn a_prefix_of_relocatable_means_it_and_only_it_writes_the_key() {
    let py = require_host!(12);
    let tmp = tempfile::tempdir().unwrap();
    for (flag, marked) in [
        ("--re", true),
        ("--relocatable", true),
        ("--without-pip", false),
    ] {
        let env = tmp.path().join(flag.trim_start_matches('-'));
        with_python(&py)
            .args(["--without-pip", flag])
            .arg(&env)
            .assert()
            .success();
        let cfg = std::fs::read_to_string(env.join("pyvenv.cfg")).unwrap();
        assert_eq!(
            cfg.contains("relocatable = true\n"),
            marked,
            "{flag}: {cfg}"
        );
        assert!(
            !cfg.contains("--relocatable"),
            "command records venv's flags only"
        );
    }
}

/// The tests that need a POSIX host (each named, with why, in
/// tests/support's PARTLY_POSIX).
#[cfg(unix)]
mod posix {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn link_to(dir: &Path, name: &str, target: &Path) {
        std::os::unix::fs::symlink(target, dir.join(name)).unwrap();
    }

    #[test]
    fn p_accepts_a_command_on_path() {
        let py = require!(8);
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        link_to(&bin, "python3.8", &py);
        let env = tmp.path().join("env");
        pyvenv(&[&bin])
            .args(["-p", "python3.8", "--without-pip"])
            .arg(&env)
            .assert()
            .success();
        assert!(cfg(&env).contains("version = 3.8."));
    }

    #[test]
    fn p_accepts_a_version_found_under_pyenv() {
        let py = require!(10);
        let root = py.ancestors().nth(4).unwrap().to_path_buf();
        let tmp = tempfile::tempdir().unwrap();
        let env = tmp.path().join("env");
        pyvenv(&[])
            .env("PYENV_ROOT", &root)
            .args(["-p", "3.10", "--without-pip"])
            .arg(&env)
            .assert()
            .success();
        assert!(cfg(&env).contains("version = 3.10."));
        assert_eq!(std::fs::read_link(env.join("bin/python3.10")).unwrap(), py);
    }

    #[test]
    fn p_accepts_a_full_version() {
        let py = require!(13);
        let root = py.ancestors().nth(4).unwrap().to_path_buf();
        let full = py
            .ancestors()
            .nth(2)
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let tmp = tempfile::tempdir().unwrap();
        let env = tmp.path().join("env");
        pyvenv(&[])
            .env("PYENV_ROOT", &root)
            .args(["-p", &full, "--without-pip"])
            .arg(&env)
            .assert()
            .success();
        assert!(cfg(&env).contains(&format!("version = {full}\n")));
    }

    #[test]
    fn pyvenv_python_variable_chooses_and_p_overrides_it() {
        let py38 = require!(8);
        let py11 = require!(11);
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a");
        let b = tmp.path().join("b");
        pyvenv(&[])
            .env("PYVENV_PYTHON", &py38)
            .arg("--without-pip")
            .arg(&a)
            .assert()
            .success();
        assert!(cfg(&a).contains("version = 3.8."));
        pyvenv(&[])
            .env("PYVENV_PYTHON", &py38)
            .arg("-p")
            .arg(&py11)
            .arg("--without-pip")
            .arg(&b)
            .assert()
            .success();
        assert!(cfg(&b).contains("version = 3.11."));
    }

    #[test]
    fn a_pyenv_shim_is_never_linked() {
        let shims = PathBuf::from(std::env::var_os("HOME").unwrap()).join(".pyenv/shims");
        if !shims.join("python3").exists() {
            eprintln!("SKIPPED: no pyenv shims on this machine");
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let env = tmp.path().join("env");
        Command::cargo_bin("pyvenv")
            .unwrap()
            .env_remove("PYVENV_PYTHON")
            .args(["-p", "python3", "--without-pip"])
            .arg(&env)
            .env("PATH", format!("{}:/usr/bin:/bin", shims.display()))
            .assert()
            .success();
        let home = cfg(&env).lines().next().unwrap().to_string();
        assert!(!home.contains("shims"), "{home}");
        for entry in std::fs::read_dir(env.join("bin")).unwrap().flatten() {
            if let Ok(target) = std::fs::read_link(entry.path()) {
                assert!(!target.starts_with(&shims), "{target:?}");
            }
        }
    }

    #[test]
    fn a_file_that_is_not_a_python_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let fake = tmp.path().join("python3");
        std::fs::write(&fake, "#!/bin/sh\necho hello\n").unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        with_python(&fake)
            .arg(tmp.path().join("env"))
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "Error: {} is not a usable Python interpreter",
                fake.display()
            )));
        assert!(!tmp.path().join("env").exists());
    }

    #[test]
    fn python_2_is_refused() {
        let Some(py2) = ["2.7.18"]
            .iter()
            .map(|v| {
                PathBuf::from(std::env::var_os("HOME").unwrap())
                    .join(format!(".pyenv/versions/{v}/bin/python2.7"))
            })
            .find(|p| p.exists())
        else {
            eprintln!("SKIPPED: no Python 2 on this machine");
            return;
        };
        let tmp = tempfile::tempdir().unwrap();
        with_python(&py2)
            .arg(tmp.path().join("env"))
            .assert()
            .code(1)
            .stderr(format!(
                "Error: {} is Python 2.7.18; pyvenv needs CPython 3.6 or newer\n",
                py2.display()
            ));
    }

    #[test]
    fn a_hanging_interpreter_times_out() {
        let tmp = tempfile::tempdir().unwrap();
        let fake = tmp.path().join("python3");
        std::fs::write(&fake, "#!/bin/sh\nexec sleep 30\n").unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        pyvenv(&[])
            .env("PYVENV_PROBE_TIMEOUT", "0.5")
            .arg("-p")
            .arg(&fake)
            .arg(tmp.path().join("env"))
            .timeout(std::time::Duration::from_secs(10))
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "it did not answer within 0.5 seconds",
            ));
    }

    #[test]
    fn a_symlink_in_the_way_is_refused_and_not_followed() {
        let py = require!(12);
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::fs::write(real.join("keep.txt"), "mine").unwrap();
        let env = tmp.path().join("env");
        std::os::unix::fs::symlink(&real, &env).unwrap();
        with_python(&py)
            .arg("--clear")
            .arg(&env)
            .assert()
            .code(1)
            .stderr(format!(
                "Error: Unable to create directory '{0}': '{0}' is a symbolic link to '{1}'; \
                 pyvenv does not follow it: name the directory itself\n",
                env.display(),
                real.display()
            ));
        assert_eq!(
            std::fs::read_to_string(real.join("keep.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn clear_keeps_the_directory_itself_and_removes_links_without_following() {
        let py = require!(12);
        let tmp = tempfile::tempdir().unwrap();
        let env = tmp.path().join("env");
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("keep.txt"), "mine").unwrap();
        made(with_python(&py), &env);
        std::os::unix::fs::symlink(&outside, env.join("link-to-outside")).unwrap();
        let inode_before = std::fs::metadata(&env)
            .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
            .unwrap();
        with_python(&py)
            .args(["--without-pip", "--clear"])
            .arg(&env)
            .assert()
            .success();
        let inode_after = std::fs::metadata(&env)
            .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
            .unwrap();
        assert_eq!(inode_before, inode_after);
        assert!(!env.join("link-to-outside").exists());
        assert!(outside.join("keep.txt").exists());
    }

    #[test]
    fn the_default_is_python3_on_path() {
        let py = require!(9);
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        link_to(&bin, "python3", &py);
        let env = tmp.path().join("env");
        made(pyvenv(&[&bin]), &env);
        assert!(cfg(&env).contains("version = 3.9."));
    }

    #[test]
    fn activate_under_strict_bash_is_silent_and_deactivate_restores_path() {
        let py = require!(12);
        let tmp = tempfile::tempdir().unwrap();
        let env = tmp.path().join("env");
        made(with_python(&py), &env);
        let script = format!(
            "set -euo pipefail\nbefore=$PATH\n. '{}/bin/activate'\n[ \"$VIRTUAL_ENV\" = '{}' ]\n\
             [ \"$(command -v python)\" = '{}/bin/python' ]\ndeactivate\n[ \"$PATH\" = \"$before\" ]\n\
             [ -z \"${{VIRTUAL_ENV+x}}\" ]\n",
            env.display(),
            env.display(),
            env.display()
        );
        std::process::Command::new("bash")
            .args(["-c", &script])
            .output()
            .map(|out| {
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                assert!(out.stdout.is_empty() && out.stderr.is_empty());
            })
            .unwrap();
    }
}
