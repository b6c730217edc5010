//! Errors that teach: a refusal says what went wrong, where the request
//! came from and what would work, in one line. Each message here was once
//! hit by mistake by a newcomer, and each is checked word for word.
//! Runs on every host (`.ci/cross-check` runs it under Wine); the tests
//! that need a POSIX host are in `mod posix` below.

use std::path::Path;
use std::process::Command;

#[macro_use]
mod support;
use support::py_repr;

/// pyvenv run as `program` with only `path` on PATH, no pyenv variables
/// and no cache.
fn run_as(program: &Path, path: &Path) -> Command {
    let mut cmd = Command::new(program);
    for name in ["PYVENV_PYTHON", "PYENV_ROOT", "PYENV_VERSION", "PYENV_DIR"] {
        cmd.env_remove(name);
    }
    cmd.env("PATH", path)
        .env("HOME", "/nonexistent-home")
        .env("PYVENV_NO_CACHE", "1");
    cmd
}

fn pyvenv(path: &Path) -> Command {
    run_as(Path::new(env!("CARGO_BIN_EXE_pyvenv")), path)
}

/// Runs `cmd`, which must exit 1 printing exactly `Error: {message}` on one
/// line, and nothing on stdout.
fn fails_with(cmd: &mut Command, message: &str) {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr, format!("Error: {message}\n"), "{cmd:?}");
    assert_eq!(out.status.code(), Some(1), "{cmd:?}: {stderr}");
    assert_eq!(out.stdout, b"");
}

/// pyvenv asked to make `target` with the interpreter `python`.
fn with_python(python: &Path, target: &Path) -> Command {
    let mut cmd = pyvenv(Path::new("/usr/bin:/bin"));
    cmd.arg("-p").arg(python).arg(target);
    cmd
}

#[test]
fn a_file_where_the_environment_goes_is_named_as_a_file() {
    let py = require_host!(12);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("somefile");
    std::fs::write(&file, "mine\n").unwrap();
    let f = py_repr(&file);
    fails_with(
        &mut with_python(&py, &file),
        &format!("Unable to create directory {f}: {f} is a file"),
    );
    // Below it: CPython's words name the directory asked for, and the
    // reason names the file in the way.
    let sub = py_repr(&file.join("sub"));
    fails_with(
        &mut with_python(&py, &file.join("sub")),
        &format!("Unable to create directory {sub}: {f} is a file"),
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine\n");
}

#[test]
fn with_nothing_installed_the_error_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    fails_with(
        pyvenv(&empty)
            .args(["-p", "3.12"])
            .arg(tmp.path().join("env")),
        &format!(
            "no Python interpreter found for \"3.12\" (asked for by -p/--python); \
             tried: python3.12 on PATH and in {}; \
             found: nothing (no python3 on PATH, no pyenv versions)",
            if cfg!(windows) {
                "pyenv, the py launcher's list and the registry (PEP 514)"
            } else {
                "/nonexistent-home/.pyenv/versions"
            }
        ),
    );
}

/// The tests that need a POSIX host (each named, with why, in
/// tests/support's PARTLY_POSIX).
#[cfg(unix)]
mod posix {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    /// `program`, given as `-p`, is refused in one line ending with `said`.
    fn refused_as_python(program: &Path, target: &Path, status: i32, said: &str) {
        fails_with(
            &mut with_python(program, target),
            &format!(
                "{} is not a usable Python interpreter: asking it for its version failed \
                 (exit status: {status}): {said}",
                program.display()
            ),
        );
    }

    fn executable(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn a_symlink_where_the_environment_goes_says_where_it_points() {
        let py = require!(12);
        let tmp = tempfile::tempdir().unwrap();
        let dangling = tmp.path().join("dangling");
        std::os::unix::fs::symlink("nowhere", &dangling).unwrap();
        let d = dangling.display();
        fails_with(
            &mut with_python(&py, &dangling),
            &format!(
                "Unable to create directory '{d}': '{d}' is a symbolic link to 'nowhere', which does not resolve"
            ),
        );
        let to_file = tmp.path().join("to-file");
        std::fs::write(tmp.path().join("file"), "").unwrap();
        std::os::unix::fs::symlink("file", &to_file).unwrap();
        let t = to_file.display();
        fails_with(
            &mut with_python(&py, &to_file),
            &format!(
                "Unable to create directory '{t}': '{t}' is a symbolic link to 'file', which is not a directory"
            ),
        );
        assert!(!tmp.path().join("nowhere").exists());
    }

    /// A pyenv root whose `versions` holds `names` (empty directories: the
    /// list of what there is reads names only) and a PATH directory with a
    /// `python3.12` that is a real program, not a script.
    fn some_installations(tmp: &Path, names: &[&str]) -> (PathBuf, PathBuf) {
        let root = tmp.join("pyenv-root");
        for name in names {
            std::fs::create_dir_all(root.join("versions").join(name)).unwrap();
        }
        let bin = tmp.join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::os::unix::fs::symlink("/bin/true", bin.join("python3.12")).unwrap();
        // A script (as pyenv's shims are) is not listed as an interpreter.
        executable(&bin.join("python3.9"), "#!/bin/sh\nexit 1\n");
        (root, bin)
    }

    #[test]
    fn a_version_nobody_has_names_who_asked_and_what_there_is() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, bin) = some_installations(tmp.path(), &["3.12.0", "3.8.1", "3.9.2"]);
        let env = tmp.path().join("env");
        let versions = root.join("versions");
        let v = versions.display();
        let message = |by: &str| {
            format!(
                "no Python interpreter found for \"3.77\" (asked for by {by}); \
                 tried: python3.77 on PATH and in {v}; \
                 found: 3.8.1, 3.9.2, 3.12.0 in {v}; python3.12 on PATH"
            )
        };

        fails_with(
            pyvenv(&bin)
                .env("PYENV_ROOT", &root)
                .env("PYVENV_PYTHON", "3.77")
                .arg(&env),
            &message("PYVENV_PYTHON"),
        );
        fails_with(
            pyvenv(&bin)
                .env("PYENV_ROOT", &root)
                .args(["-p", "3.77"])
                .arg(&env),
            &message("-p/--python"),
        );
        let named = tmp.path().join("pyvenv-3.77");
        std::fs::copy(env!("CARGO_BIN_EXE_pyvenv"), &named).unwrap();
        fails_with(
            run_as(&named, &bin).env("PYENV_ROOT", &root).arg(&env),
            &message("the program's name, pyvenv-3.77"),
        );
        assert!(!env.exists());
    }

    #[test]
    fn a_python_2_passed_over_says_why() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("pyenv-root");
        // Answers the probe as Python 2.7 would, whatever it is asked.
        let py2 = root.join("versions/2.7.18/bin/python2.7");
        executable(&py2, "#!/bin/sh\necho '{\"version\": [2, 7, 18]}'\n");
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let v = root.join("versions");
        fails_with(
            pyvenv(&empty)
                .env("PYENV_ROOT", &root)
                .args(["-p", "2.7"])
                .arg(tmp.path().join("env")),
            &format!(
                "no Python interpreter found for \"2.7\" (asked for by -p/--python); \
                 tried: {} (Python 2.7.18; pyvenv needs CPython 3.6 or newer); \
                 found: 2.7.18 in {}",
                py2.display(),
                v.display()
            ),
        );
    }

    #[test]
    fn a_program_that_is_not_a_python_is_refused_in_one_line() {
        let tmp = tempfile::tempdir().unwrap();
        // As ls answers `-E`: the telling line first, advice after it.
        let ls = tmp.path().join("like-ls");
        executable(
            &ls,
            "#!/bin/sh\necho \"$0: invalid option -- 'E'\" >&2\necho \"Try '$0 --help' for more information.\" >&2\nexit 2\n",
        );
        let env = tmp.path().join("env");
        let said = format!("{}: invalid option -- 'E'", ls.display());
        refused_as_python(&ls, &env, 2, &said);
        // A Python that fails: its traceback's last line, the exception.
        let broken = tmp.path().join("broken-python");
        executable(
            &broken,
            "#!/bin/sh\nprintf 'Traceback (most recent call last):\\n  File \"<string>\", line 1\\nImportError: no json\\n' >&2\nexit 1\n",
        );
        refused_as_python(&broken, &env, 1, "ImportError: no json");
        // And the real ls, where there is one.
        if Path::new("/usr/bin/ls").exists() {
            let out = with_python(Path::new("/usr/bin/ls"), &env)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.starts_with("Error: /usr/bin/ls is not a usable Python interpreter"),
                "{stderr}"
            );
        }
    }

    #[test]
    fn a_pyenv_shim_without_the_command_says_what_would_work() {
        let py11 = require!(11);
        let py12 = require!(12);
        let home = PathBuf::from(std::env::var_os("HOME").unwrap());
        let root = home.join(".pyenv");
        let shims = root.join("shims");
        if !shims.join("python3.12").exists() {
            eprintln!("SKIPPED: no pyenv shim python3.12 on this machine");
            return;
        }
        // The version pyenv selects is 3.11, which has no python3.12.
        let selected = py11.ancestors().nth(2).unwrap().file_name().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let path = format!("{}:/usr/bin:/bin", shims.display());
        fails_with(
            pyvenv(Path::new(&path))
                .env("PYENV_ROOT", &root)
                .env("PYENV_VERSION", selected)
                .args(["-p", "python3.12"])
                .arg(tmp.path().join("env")),
            &format!(
                "python3.12 on PATH is pyenv's shim {}, and pyenv could not run it \
                 (pyenv: python3.12: command not found); `-p 3.12` would use {}",
                shims.join("python3.12").display(),
                py12.display()
            ),
        );
    }
}
