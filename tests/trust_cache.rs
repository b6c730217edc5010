//! The cache as another account sees it: pyvenv trusts a cache only when
//! the effective user alone controls it, follows no link planted in it, and
//! (as root) never shares an inode between the cache and an environment, so
//! a later `chown -R` of one environment gives nothing away.
//!
//! Most of these need root and a second account (`nobody`, through
//! `setpriv`); without them they say so and skip.
// Needs a POSIX host: named, with why, in tests/support (POSIX_ONLY).
#![cfg(unix)]

mod support;

use std::collections::HashSet;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sha2::{Digest, Sha256};
use support::{forge_version, ok, site_packages};

const NOBODY: u32 = 65534;

/// Debian's python3: one every account here can run.
fn python() -> Option<PathBuf> {
    let python = PathBuf::from("/usr/bin/python3");
    let usable = python.exists()
        && Command::new(&python)
            .args(["-c", "import ensurepip"])
            .status()
            .is_ok_and(|s| s.success());
    if !usable {
        eprintln!("SKIPPED: /usr/bin/python3 with ensurepip is not installed");
        return None;
    }
    Some(python)
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Root, a second account and Debian's python3, or a visible skip.
fn root_and_python() -> Option<PathBuf> {
    if !is_root() {
        eprintln!("SKIPPED: these cases need root and a second account");
        return None;
    }
    python()
}

/// A scratch directory every account can traverse.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn pyvenv(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pyvenv"));
    command.env("PYVENV_CACHE_DIR", cache).stdin(Stdio::null());
    command
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Makes `env` with pip from `cache`; the output.
fn make(cache: &Path, python: &Path, env: &Path) -> Output {
    ok(pyvenv(cache).arg("-p").arg(python).arg(env))
}

/// `sh -c script` as `nobody`.
fn as_nobody(script: &str) -> Output {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .args(["sh", "-c", script])
        .output()
        .unwrap()
}

fn chown_r(path: &Path, uid: u32) {
    let status = Command::new("chown")
        .args(["-R", "-h", &format!("{uid}:{uid}")])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Every regular file below `root` (links not followed).
fn files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for item in std::fs::read_dir(&dir).unwrap().flatten() {
            let kind = item.file_type().unwrap();
            if kind.is_dir() {
                todo.push(item.path());
            } else if kind.is_file() {
                found.push(item.path());
            }
        }
    }
    found
}

fn inodes(root: &Path) -> HashSet<(u64, u64)> {
    files(root)
        .iter()
        .map(|f| {
            let m = std::fs::symlink_metadata(f).unwrap();
            (m.dev(), m.ino())
        })
        .collect()
}

/// The environment works: its pip runs, from the environment.
fn assert_pip_runs(env: &Path) {
    let out = Command::new(env.join("bin/python"))
        .args(["-m", "pip", "--version"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&*env.to_string_lossy()), "{text}");
}

/// No file of `env` is a file of `cache`.
fn assert_shares_nothing(env: &Path, cache: &Path) {
    let cached = inodes(cache);
    let mut checked = 0;
    for file in files(env) {
        let meta = std::fs::symlink_metadata(&file).unwrap();
        assert!(
            !cached.contains(&(meta.dev(), meta.ino())),
            "{} is a file of the cache",
            file.display()
        );
        assert_eq!(meta.nlink(), 1, "{} has other names", file.display());
        checked += 1;
    }
    assert!(checked > 100, "only {checked} files");
}

#[test]
fn root_uses_no_cache_owned_by_another_account() {
    let Some(python) = root_and_python() else {
        return;
    };
    let dir = scratch();
    let cache = dir.path().join("cache");
    make(&cache, &python, &dir.path().join("first"));
    // What `sudo` with a kept HOME finds: the caller's cache.
    chown_r(&cache, NOBODY);
    let before = inodes(&cache);
    let env = dir.path().join("env");
    let out = make(&cache, &python, &env);
    let said = stderr(&out);
    assert!(
        said.contains("not using the cache")
            && said.contains(&*cache.to_string_lossy())
            && said.contains("uid 65534"),
        "{said}"
    );
    assert_eq!(said.lines().count(), 1, "one warning: {said}");
    assert_pip_runs(&env);
    assert_shares_nothing(&env, &cache);
    assert_eq!(inodes(&cache), before, "the cache was not written");
    // -q silences the warning, and the run still succeeds.
    let quiet = ok(pyvenv(&cache)
        .arg("-q")
        .arg("-p")
        .arg(&python)
        .arg(dir.path().join("quiet")));
    assert!(quiet.stderr.is_empty(), "{}", stderr(&quiet));
}

#[test]
fn a_cache_group_or_others_may_write_is_not_used() {
    let Some(python) = root_and_python() else {
        return;
    };
    let dir = scratch();
    let cache = dir.path().join("cache");
    make(&cache, &python, &dir.path().join("first"));
    for (what, mode) in [("", 0o777), ("", 0o770), ("wheels-v3", 0o775)] {
        let target = cache.join(what);
        let old = std::fs::metadata(&target).unwrap().mode();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode)).unwrap();
        let env = dir.path().join(format!("env-{mode:o}-{}", what.len()));
        let said = stderr(&make(&cache, &python, &env));
        assert!(
            said.contains("not using the cache") && said.contains("may write"),
            "{what} {mode:o}: {said}"
        );
        assert_pip_runs(&env);
        assert_shares_nothing(&env, &cache);
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(old)).unwrap();
    }
}

/// A filled cache whose facts entry for `python` says 3.Y.99 (its own
/// X.Y, so pyvenv's rules still apply), checksum and all: the scratch
/// directory, the cache, the entry and the forged version.
fn forged_facts(python: &Path) -> (tempfile::TempDir, PathBuf, PathBuf, String) {
    let dir = scratch();
    let cache = dir.path().join("cache");
    make(&cache, python, &dir.path().join("first"));
    let name = hex::encode(Sha256::digest(python.as_os_str().as_encoded_bytes()));
    let entry = cache.join("interpreters-v3").join(name);
    assert!(entry.is_file(), "{}", entry.display());
    let minor = support::minor_version(python);
    forge_version(&entry, [3, minor, 99]);
    (dir, cache, entry, format!("version = 3.{minor}.99"))
}

#[test]
fn facts_from_a_cache_another_account_controls_are_not_believed() {
    let Some(python) = root_and_python() else {
        return;
    };
    // What another account can do to its own cache, which root then finds.
    let (dir, cache, _, forged) = forged_facts(&python);
    chown_r(&cache, NOBODY);
    let env = dir.path().join("env");
    make(&cache, &python, &env);
    let cfg = std::fs::read_to_string(env.join("pyvenv.cfg")).unwrap();
    assert!(!cfg.contains(&forged), "{cfg}");
}

#[test]
fn a_facts_entry_that_is_a_link_is_not_followed() {
    let Some(python) = root_and_python() else {
        return;
    };
    let (dir, cache, entry, forged) = forged_facts(&python);
    let elsewhere = dir.path().join("elsewhere");
    std::fs::rename(&entry, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &entry).unwrap();
    let planted = std::fs::read(&elsewhere).unwrap();
    let env = dir.path().join("env");
    make(&cache, &python, &env);
    let cfg = std::fs::read_to_string(env.join("pyvenv.cfg")).unwrap();
    assert!(!cfg.contains(&forged), "the link was read: {cfg}");
    assert_eq!(
        std::fs::read(&elsewhere).unwrap(),
        planted,
        "written through"
    );
}

#[test]
fn links_planted_in_the_cache_are_not_followed() {
    let Some(python) = root_and_python() else {
        return;
    };
    for planted in [".lock", "wheels-v3", "interpreters-v3"] {
        let dir = scratch();
        let cache = dir.path().join("cache");
        std::fs::create_dir(&cache).unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let target = if planted == ".lock" {
            elsewhere.join("lock")
        } else {
            elsewhere.clone()
        };
        std::os::unix::fs::symlink(&target, cache.join(planted)).unwrap();
        let env = dir.path().join("env");
        let said = stderr(&make(&cache, &python, &env));
        assert!(said.contains("symbolic link"), "{planted}: {said}");
        assert_pip_runs(&env);
        assert!(
            std::fs::read_dir(&elsewhere).unwrap().next().is_none(),
            "{planted}: something was made where the link points"
        );
        // --cache-clean neither follows it nor removes what it points at.
        let _ = pyvenv(&cache).arg("--cache-clean").output().unwrap();
        assert!(elsewhere.is_dir());
    }
}

#[test]
fn a_cache_named_through_another_accounts_link_is_not_used() {
    let Some(python) = root_and_python() else {
        return;
    };
    let dir = scratch();
    // A directory of root's, and a link to it that `nobody` planted where
    // root's cache was to be.
    let roots = dir.path().join("roots");
    std::fs::create_dir(&roots).unwrap();
    std::fs::set_permissions(&roots, std::fs::Permissions::from_mode(0o700)).unwrap();
    let cache = dir.path().join("cache");
    std::os::unix::fs::symlink(&roots, &cache).unwrap();
    chown_r(&cache, NOBODY);
    let env = dir.path().join("env");
    let said = stderr(&make(&cache, &python, &env));
    assert!(said.contains("not using the cache"), "{said}");
    assert_pip_runs(&env);
    assert!(
        std::fs::read_dir(&roots).unwrap().next().is_none(),
        "root wrote where the link points"
    );
}

#[test]
fn a_fifo_at_the_lock_neither_hangs_a_run_nor_cache_clean() {
    let Some(python) = root_and_python() else {
        return;
    };
    let dir = scratch();
    let cache = dir.path().join("cache");
    std::fs::create_dir(&cache).unwrap();
    let fifo = cache.join(".lock");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let bounded = |args: &[&str]| {
        Command::new("timeout")
            .args(["-k", "5", "30", env!("CARGO_BIN_EXE_pyvenv")])
            .args(args)
            .env("PYVENV_CACHE_DIR", &cache)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let env = dir.path().join("env");
    let out = bounded(&["-p", python.to_str().unwrap(), env.to_str().unwrap()]);
    assert!(out.status.success(), "{:?}: {}", out.status, stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    assert_pip_runs(&env);
    let out = bounded(&["--cache-clean"]);
    assert_ne!(out.status.code(), Some(124), "--cache-clean hung");
}

#[test]
fn an_environment_made_by_root_shares_no_file_with_the_cache() {
    let Some(python) = root_and_python() else {
        return;
    };
    let dir = scratch();
    let cache = dir.path().join("cache");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    make(&cache, &python, &a);
    make(&cache, &python, &b);
    assert_shares_nothing(&a, &cache);
    assert_shares_nothing(&b, &cache);
    // A routine provisioning step gives one environment away ...
    chown_r(&a, NOBODY);
    // ... and nothing else: not the cache, not the other environment.
    for file in files(&cache).iter().chain(&files(&b)) {
        assert_eq!(
            std::fs::metadata(file).unwrap().uid(),
            0,
            "{}",
            file.display()
        );
    }
    let pip = site_packages(&b).join("pip/__init__.py");
    let out = as_nobody(&format!("echo 'import os' >> '{}'", pip.display()));
    assert!(!out.status.success(), "nobody could edit root's pip");
    // The next environment is as good as the first.
    let c = dir.path().join("c");
    make(&cache, &python, &c);
    assert_pip_runs(&c);
}

#[test]
fn the_cache_root_makes_is_its_own_alone() {
    let Some(python) = root_and_python() else {
        return;
    };
    let dir = scratch();
    let cache = dir.path().join("cache");
    make(&cache, &python, &dir.path().join("env"));
    let top = std::fs::metadata(&cache).unwrap();
    assert_eq!(top.mode() & 0o777, 0o700, "the cache is private");
    for file in files(&cache) {
        let meta = std::fs::metadata(&file).unwrap();
        assert_eq!(meta.uid(), 0, "{}", file.display());
        assert_eq!(meta.mode() & 0o022, 0, "{} is writable", file.display());
    }
    // So no other account can edit a cached pip file in place (and put
    // its size and mtime back): it cannot even reach it.
    let cached = files(&cache)
        .into_iter()
        .find(|f| f.ends_with("pip/__init__.py"))
        .unwrap();
    let out = as_nobody(&format!("cat '{}' > /dev/null", cached.display()));
    assert!(!out.status.success());
}

#[test]
fn a_umask_that_lets_the_group_write_gets_pips_modes_and_a_private_cache() {
    let Some(python) = root_and_python() else {
        return;
    };
    let dir = scratch();
    let cache = dir.path().join("cache");
    let env = dir.path().join("env");
    let script = format!(
        "umask 002; exec '{}' -p '{}' '{}'",
        env!("CARGO_BIN_EXE_pyvenv"),
        python.display(),
        env.display()
    );
    for _ in 0..2 {
        let _ = std::fs::remove_dir_all(&env);
        ok(Command::new("sh")
            .args(["-c", &script])
            .env("PYVENV_CACHE_DIR", &cache));
        let pip = site_packages(&env).join("pip/__init__.py");
        assert_eq!(std::fs::metadata(&pip).unwrap().mode() & 0o777, 0o664);
    }
    for file in files(&cache) {
        let mode = std::fs::metadata(&file).unwrap().mode();
        assert_eq!(mode & 0o022, 0, "{} is writable", file.display());
    }
}

#[test]
fn a_user_keeps_hardlinks_from_a_cache_of_their_own() {
    let Some(python) = root_and_python() else {
        return;
    };
    let dir = scratch();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    chown_r(&home, NOBODY);
    let script = format!(
        "export PYVENV_CACHE_DIR='{home}/cache'; '{exe}' -p '{py}' '{home}/a' && '{exe}' -p '{py}' '{home}/b'",
        home = home.display(),
        exe = env!("CARGO_BIN_EXE_pyvenv"),
        py = python.display(),
    );
    let out = as_nobody(&script);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let pip = |env: &str| {
        std::fs::metadata(site_packages(&home.join(env)).join("pip/__init__.py")).unwrap()
    };
    assert_eq!(pip("a").ino(), pip("b").ino(), "hardlinked from the cache");
    assert_eq!(pip("a").uid(), NOBODY);
    // And root, given that user's cache, uses none of it.
    let env = dir.path().join("root-env");
    let said = stderr(&make(&home.join("cache"), &python, &env));
    assert!(said.contains("not using the cache"), "{said}");
    assert_shares_nothing(&env, &home.join("cache"));
}
