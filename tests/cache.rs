//! pyvenv's cache directory: unpacked wheels shared by concurrent runs and
//! checked before use, and interpreter facts trusted only while fresh.
// Needs a POSIX host: named, with why, in tests/support (POSIX_ONLY).
#![cfg(unix)]

mod support;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use pyvenv::seed::wheel::record::record_hash;
use support::{forge_version, interpreters, ok, site_packages, tree};

fn pyvenv(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pyvenv"));
    command.env("PYVENV_CACHE_DIR", cache);
    // Compiling pip's modules runs under the probe's time limit; on a
    // machine shared with other builds, 20 seconds is not always enough.
    command.env("PYVENV_PROBE_TIMEOUT", support::SLOW_MACHINE_TIMEOUT);
    command
}

/// The newest pyenv CPython here that `accept`s its minor version; says
/// `SKIPPED: no pyenv CPython {wanted}` where there is none.
fn pyenv_python(accept: impl Fn(u32) -> bool, wanted: &str) -> Option<PathBuf> {
    let home = std::env::var("HOME").unwrap_or_default();
    let found = interpreters().into_iter().rfind(|p| {
        p.starts_with(&home)
            && p.file_name()
                .and_then(|n| n.to_str()?.strip_prefix("python3.")?.parse::<u32>().ok())
                .is_some_and(&accept)
    });
    if found.is_none() {
        eprintln!("SKIPPED: no pyenv CPython {wanted}");
    }
    found
}

/// The newest CPython here (one with the most common layout).
fn python() -> Option<PathBuf> {
    pyenv_python(|_| true, "for the cache tests")
}

/// Every file an environment's `RECORD`s list with a hash has that hash:
/// the installed files are the wheel's, byte for byte.
fn assert_records_hold(env: &Path) {
    let site = site_packages(env);
    let mut checked = 0;
    for dist in std::fs::read_dir(&site).unwrap().flatten() {
        let Ok(record) = std::fs::read_to_string(dist.path().join("RECORD")) else {
            continue;
        };
        for line in record.lines() {
            let mut fields = line.rsplitn(3, ',');
            let (size, hash, path) = (fields.next(), fields.next(), fields.next());
            let (Some(size), Some(hash), Some(path)) = (size, hash, path) else {
                continue;
            };
            if hash.is_empty() {
                continue;
            }
            let data = std::fs::read(site.join(path)).unwrap();
            assert_eq!(hash, record_hash(&data), "{path}");
            assert_eq!(size, data.len().to_string(), "{path}");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} files checked");
}

fn wheel_entries(cache: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(cache.join("wheels-v3"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n != "index"))
        .collect();
    entries.sort();
    entries
}

#[test]
fn eight_runs_filling_an_empty_cache_at_once_all_succeed() {
    let Some(python) = python() else { return };
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let children: Vec<_> = (0..8)
        .map(|i| {
            pyvenv(&cache)
                .arg("-p")
                .arg(&python)
                .arg(scratch.path().join(format!("env{i}")))
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for i in 0..8 {
        let env = scratch.path().join(format!("env{i}"));
        assert_records_hold(&env);
        ok(Command::new(env.join("bin/python"))
            .args(["-m", "pip", "--version"])
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1"));
    }
    // One entry per wheel, nothing half-made left beside them.
    let entries = wheel_entries(&cache);
    assert!(
        entries
            .iter()
            .all(|e| !e.file_name().unwrap().to_string_lossy().starts_with('.')),
        "{entries:?}"
    );
    let wheels = std::fs::read_dir(cache.join("wheels-v3/index"))
        .unwrap()
        .count();
    assert_eq!(entries.len(), wheels, "{entries:?}");
}

/// A scratch directory holding `cache`, filled by making the environment
/// `first` with `python`.
fn filled_cache(python: &Path, first: &str) -> (tempfile::TempDir, PathBuf) {
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    ok(pyvenv(&cache)
        .arg("-p")
        .arg(python)
        .arg(scratch.path().join(first)));
    (scratch, cache)
}

/// A pyenv CPython that bundles setuptools beside pip (3.11 or older), so
/// a run places two wheels' files at once.
fn python_with_setuptools() -> Option<PathBuf> {
    pyenv_python(
        |minor| minor <= 11,
        "3.11 or older, which bundles setuptools",
    )
}

#[test]
fn a_damaged_cache_entry_is_rebuilt_not_spread() {
    if let Some(python) = python() {
        damaged_entry_is_rebuilt(&python, "pip", "pip/_internal/__init__.py");
    }
    // setuptools is placed first, with pip: pip, left half-placed when
    // setuptools' damaged file stops the run's threads, must still be
    // placed whole.
    if let Some(python) = python_with_setuptools() {
        damaged_entry_is_rebuilt(&python, "setuptools", "_distutils_hack/__init__.py");
    }
}

/// `package`'s `__init__.py` edited in its cache entry and `truncated`
/// (a path in the same entry) cut short; the next run rebuilds the entry.
fn damaged_entry_is_rebuilt(python: &Path, package: &str, truncated: &str) {
    let (scratch, cache) = filled_cache(python, "first");
    let init = format!("purelib/{package}/__init__.py");
    let entry = wheel_entries(&cache)
        .into_iter()
        .find(|e| e.join(&init).exists())
        .expect("a cache entry for the package");
    // One file edited (as through a hardlink in some environment), one
    // truncated.
    let edited = entry.join(&init);
    let mut text = std::fs::read(&edited).unwrap();
    text.extend_from_slice(b"\nraise SystemExit('damaged')\n");
    std::fs::write(&edited, &text).unwrap();
    let truncated = entry.join("purelib").join(truncated);
    std::fs::File::options()
        .write(true)
        .open(&truncated)
        .unwrap()
        .set_len(3)
        .unwrap();

    let second = scratch.path().join("second");
    ok(pyvenv(&cache).arg("-p").arg(python).arg(&second));
    assert_records_hold(&second);
    assert_eq!(
        tree(&site_packages(&scratch.path().join("first"))),
        tree(&site_packages(&second)),
        "{}: every wheel placed whole",
        python.display()
    );
    ok(Command::new(second.join("bin/python"))
        .args(["-m", "pip", "--version"])
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1"));
    // The entry itself was replaced with good files.
    let rebuilt = std::fs::read(&edited).unwrap();
    assert!(!String::from_utf8_lossy(&rebuilt).contains("damaged"));
    assert!(std::fs::metadata(&truncated).unwrap().len() > 3);
}

#[test]
fn a_damaged_manifest_is_replaced() {
    let Some(python) = python() else { return };
    let (scratch, cache) = filled_cache(&python, "a");
    for entry in wheel_entries(&cache) {
        std::fs::write(entry.join("manifest"), b"0000\n{}").unwrap();
    }
    let env = scratch.path().join("b");
    ok(pyvenv(&cache).arg("-p").arg(&python).arg(&env));
    assert_records_hold(&env);
    for entry in wheel_entries(&cache) {
        let manifest = std::fs::read(entry.join("manifest")).unwrap();
        assert!(manifest.len() > 1000, "{} not rewritten", entry.display());
    }
}

#[test]
fn link_modes_decide_whether_files_are_shared_with_the_cache() {
    let Some(python) = python() else { return };
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let inode = |env: &Path| {
        std::fs::metadata(site_packages(env).join("pip/__init__.py"))
            .unwrap()
            .ino()
    };
    let make = |name: &str, mode: &str| {
        let env = scratch.path().join(name);
        ok(pyvenv(&cache)
            .args(["--link-mode", mode, "-p"])
            .arg(&python)
            .arg(&env));
        assert_records_hold(&env);
        env
    };
    let (a, b) = (make("a", "hardlink"), make("b", "hardlink"));
    assert_eq!(inode(&a), inode(&b), "hardlinks share the cache's file");
    let c = make("c", "copy");
    assert_ne!(inode(&a), inode(&c), "a copy is the environment's own");
    let d = make("d", "clone");
    assert_ne!(
        inode(&a),
        inode(&d),
        "a clone (or its fallback, a copy) is never shared"
    );
}

/// The facts entry for `program` (there is one per interpreter path).
fn facts_entry(cache: &Path) -> Option<PathBuf> {
    let dir = cache.join("interpreters-v3");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    found.retain(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'));
    assert!(found.len() <= 1, "{found:?}");
    found.pop()
}

/// The version a facts entry records, as `X.Y.Z`.
fn entry_version(entry: &Path) -> String {
    let data = std::fs::read_to_string(entry).unwrap();
    let record: serde_json::Value = serde_json::from_str(data.split_once('\n').unwrap().1).unwrap();
    let v = &record["facts"]["version"];
    format!("{}.{}.{}", v[0], v[1], v[2])
}

fn cfg_version(env: &Path) -> String {
    let cfg = std::fs::read_to_string(env.join("pyvenv.cfg")).unwrap();
    cfg.lines()
        .find_map(|l| l.strip_prefix("version = "))
        .unwrap()
        .to_string()
}

#[test]
fn interpreter_facts_are_reused_while_fresh_and_replaced_when_stale_or_damaged() {
    let Some(python) = python() else { return };
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let bin = scratch.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let link = bin.join(python.file_name().unwrap());
    std::os::unix::fs::symlink(&python, &link).unwrap();
    let build = |name: &str| {
        let env = scratch.path().join(name);
        ok(pyvenv(&cache)
            .args(["--without-pip", "-p"])
            .arg(&link)
            .arg(&env));
        cfg_version(&env)
    };
    let real = build("first");
    let entry = facts_entry(&cache).expect("facts remembered");

    // A fresh entry is used as it is: pyvenv does not ask again. (The
    // forged micro version keeps X.Y, so pyvenv's own rules still apply.)
    let minor: u32 = real.split('.').nth(1).unwrap().parse().unwrap();
    forge_version(&entry, [3, minor, 99]);
    assert_eq!(build("trusted"), format!("3.{minor}.99"));

    // The path as given changed (a new symlink, same target): asked again.
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&python, &link).unwrap();
    assert_eq!(build("relinked"), real);
    assert_eq!(entry_version(&entry), real);

    // A damaged entry is ignored and replaced.
    std::fs::write(&entry, b"garbage").unwrap();
    assert_eq!(build("after damage"), real);
    assert!(std::fs::read(&entry).unwrap().len() > 100);
}

#[test]
fn scripts_such_as_shims_are_never_remembered() {
    let Some(python) = python() else { return };
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let shim = scratch.path().join("python-shim");
    std::fs::write(
        &shim,
        format!("#!/bin/sh\nexec {} \"$@\"\n", python.display()),
    )
    .unwrap();
    std::fs::set_permissions(&shim, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    ok(pyvenv(&cache)
        .args(["--without-pip", "-p"])
        .arg(&shim)
        .arg(scratch.path().join("env")));
    assert_eq!(facts_entry(&cache), None);
}

/// An entry named for a compiler but holding none of its bytecode (a
/// compile that reached nothing, as a build of pyvenv once did) is filled
/// again, so the environment still gets pip's `.pyc` files.
#[test]
fn an_entry_without_its_bytecode_is_filled_again() {
    let Some(python) = python() else { return };
    let (scratch, cache) = filled_cache(&python, "a");
    // Strip every entry of its .pyc files and their manifest lines, with a
    // checksum that holds: intact, but without bytecode.
    let strip = r#"
import hashlib, json, os, sys
entry = sys.argv[1]
path = os.path.join(entry, "manifest")
data = open(path, "rb").read()
body = json.loads(data[data.index(b"\n") + 1:])
keep = [i for i, f in enumerate(body["plan"]["files"]) if not f.get("compiled")]
for i, f in enumerate(body["plan"]["files"]):
    if f.get("compiled"):
        os.remove(os.path.join(entry, f["scheme"].lower(), f["path"]))
body["plan"]["files"] = [body["plan"]["files"][i] for i in keep]
body["stamps"] = [body["stamps"][i] for i in keep]
out = json.dumps(body).encode()
open(path, "wb").write(hashlib.sha256(out).hexdigest().encode() + b"\n" + out)
"#;
    for entry in wheel_entries(&cache) {
        ok(Command::new("python3").args(["-c", strip]).arg(&entry));
    }
    let env = scratch.path().join("b");
    ok(pyvenv(&cache).arg("-p").arg(&python).arg(&env));
    assert_records_hold(&env);
    let pycs = walk_pycs(&site_packages(&env));
    assert!(pycs > 100, "{pycs} .pyc files in {}", env.display());
}

fn walk_pycs(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() && !path.is_symlink() {
                walk_pycs(&path)
            } else {
                usize::from(path.extension().is_some_and(|x| x == "pyc"))
            }
        })
        .sum()
}

/// Each `.pyc` below `site` (its path there), and whether its code names
/// a file below `base` (it was compiled there) and its header is valid for
/// the source beside it.
fn pyc_origins(python: &Path, site: &Path, base: &Path) -> Vec<(String, bool, bool)> {
    let script = r#"
import importlib.util, marshal, os, struct, sys
site, base = sys.argv[1], sys.argv[2]
for root, dirs, files in os.walk(site):
    for name in files:
        if not name.endswith(".pyc"):
            continue
        pyc = os.path.join(root, name)
        data = open(pyc, "rb").read()
        source = importlib.util.source_from_cache(pyc)
        st = os.stat(source)
        valid = data[:4] == importlib.util.MAGIC_NUMBER and struct.unpack(
            "<III", data[4:16]) == (0, int(st.st_mtime) & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF)
        code = marshal.loads(data[16:])
        print(os.path.relpath(pyc, site), code.co_filename.startswith(base + os.sep), valid)
"#;
    let out = ok(Command::new(python)
        .args(["-I", "-c", script])
        .arg(site)
        .arg(base));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let mut words = line.rsplitn(3, ' ');
            let (valid, reused, path) = (words.next()?, words.next()?, words.next()?);
            Some((path.to_string(), reused == "True", valid == "True"))
        })
        .collect()
}

/// Replaces `path` (a hardlink into the real installation) with a file of
/// `data` and `mode`, leaving the installation as it was.
fn replace_file(path: &Path, data: &[u8], mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let tmp = path.with_extension("replacing");
    std::fs::write(&tmp, data).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode)).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// A cold run takes the bytecode the target's own pip left in its
/// `site-packages` for each module whose source there is the same (no
/// compiling, which costs a CPython about two seconds for pip), and has
/// the target compile the rest: a module changed there, a `.pyc` stale
/// there, and any `.pyc` another account could have written or owns.
/// Every `.pyc` in the environment is valid for its source either way.
#[test]
fn a_cold_run_reuses_the_targets_own_bytecode_only_where_it_is_valid_and_protected() {
    let Some(python) = python() else { return };
    let scratch = tempfile::tempdir().unwrap();
    // A copy of the installation (hardlinks where the filesystem allows),
    // so its site-packages can be changed; CPython finds its prefix from
    // where its executable is.
    let prefix = python.parent().and_then(Path::parent).unwrap();
    let copy = scratch.path().join("python");
    let copied = Command::new("cp")
        .arg("-al")
        .arg(prefix)
        .arg(&copy)
        .status();
    if !copied.is_ok_and(|s| s.success()) {
        ok(Command::new("cp").arg("-a").arg(prefix).arg(&copy));
    }
    let python = copy.join("bin").join(python.file_name().unwrap());
    let minor = support::minor_version(&python);
    let below = format!("lib/python3.{minor}/site-packages");
    let site = copy.join(&below);
    // The copy's bytecode names where its pip was installed and compiled.
    let compiled_at = prefix.join(&below);
    let tag = format!("cpython-3{minor}");
    let pyc = |module: &str| {
        let (dir, name) = module.rsplit_once('/').unwrap();
        site.join(format!("{dir}/__pycache__/{name}.{tag}.pyc"))
    };
    if !pyc("pip/__init__").exists() {
        eprintln!(
            "SKIPPED: {} holds no bytecode of pip's to reuse",
            site.display()
        );
        return;
    }
    // A source that is not the wheel's.
    let init = site.join("pip/__init__.py");
    let mut changed = std::fs::read(&init).unwrap();
    changed.extend_from_slice(b"# changed\n");
    replace_file(&init, &changed, 0o644);
    // A .pyc stale for its source (another mtime in its header).
    let main = pyc("pip/__main__");
    let mut stale = std::fs::read(&main).unwrap();
    stale[8] ^= 1;
    replace_file(&main, &stale, 0o644);
    // A .pyc group may write, and one in a directory others may write.
    let cli_main = pyc("pip/_internal/cli/main");
    replace_file(&cli_main, &std::fs::read(&cli_main).unwrap(), 0o664);
    let internal = site.join("pip/_internal/__pycache__");
    std::fs::set_permissions(
        &internal,
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let mut expected_compiled = vec![
        "pip/__pycache__/__init__".to_string(),
        "pip/__pycache__/__main__".to_string(),
        "pip/_internal/cli/__pycache__/main".to_string(),
    ];
    // A .pyc another account owns, where this test can make one.
    let parser = pyc("pip/_internal/cli/parser");
    if rustix::process::geteuid().is_root() {
        replace_file(&parser, &std::fs::read(&parser).unwrap(), 0o644);
        std::os::unix::fs::chown(&parser, Some(65534), Some(65534)).unwrap();
        expected_compiled.push("pip/_internal/cli/__pycache__/parser".to_string());
    }

    let cache = scratch.path().join("cache");
    let env = scratch.path().join("env");
    ok(pyvenv(&cache).arg("-p").arg(&python).arg(&env));
    let origins = pyc_origins(&python, &site_packages(&env), &compiled_at);
    assert!(origins.len() > 100, "{} .pyc files", origins.len());
    let mut compiled: Vec<String> = Vec::new();
    for (path, reused, valid) in &origins {
        assert!(valid, "{path} is not valid for its source");
        if !reused {
            compiled.push(path.split('.').next().unwrap_or(path).to_string());
        }
    }
    let internal_count = std::fs::read_dir(&internal).unwrap().count();
    let from_internal = compiled
        .iter()
        .filter(|p| p.starts_with("pip/_internal/__pycache__/"))
        .count();
    assert_eq!(from_internal, internal_count, "{compiled:?}");
    compiled.retain(|p| !p.starts_with("pip/_internal/__pycache__/"));
    compiled.sort();
    expected_compiled.sort();
    assert_eq!(compiled, expected_compiled);
}
