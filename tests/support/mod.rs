//! What the behaviour tests share: the interpreters on this machine, and
//! taking and comparing pictures of an environment on disk.

#![allow(dead_code, unused_macros)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

// The Debian unstable root is entered with chroot, which only POSIX has;
// elsewhere `sid_root` finds no root, so nothing ever asks to enter one.
#[cfg(unix)]
#[path = "chroot_unix.rs"]
mod chroot;
#[cfg(not(unix))]
#[path = "chroot_none.rs"]
mod chroot;
pub mod portable;
pub mod target;
#[cfg(unix)]
pub mod terminal_job;

/// pyenv's CPython 3.`minor`, or a visible skip of the calling test (for a
/// file that declares `#[macro_use] mod support;`).
macro_rules! require {
    ($minor:expr) => {
        match $crate::support::pyenv_python($minor) {
            Some(p) => p,
            None => {
                eprintln!("SKIPPED: CPython 3.{} is not installed under pyenv", $minor);
                return;
            }
        }
    };
}

/// The interpreter of a test that runs on every host, or a visible skip of
/// the calling test: see [`host_python`].
macro_rules! require_host {
    ($minor:expr) => {
        match $crate::support::host_python($minor) {
            Ok(p) => p,
            Err(why) => {
                eprintln!("SKIPPED: {why}");
                return;
            }
        }
    };
}
pub use target::Target;

/// Activation scripts: present in both, but their text is pyvenv's own.
pub const ACTIVATION_SCRIPTS: &[&str] = &[
    "activate",
    "activate.fish",
    "activate.csh",
    "Activate.ps1",
    "activate.nu",
    "activate_this.py",
];

/// The activation scripts CPython's venv writes on Windows (in `Scripts`,
/// where pyvenv adds the rest of [`ACTIVATION_SCRIPTS`]): present in
/// both, but their text is pyvenv's own.
pub const WINDOWS_ACTIVATION_SCRIPTS: &[&str] =
    &["activate", "activate.bat", "deactivate.bat", "Activate.ps1"];

/// The behaviour test files that need a POSIX host, and why: each begins
/// with `#![cfg(unix)]`, so on Windows it builds empty, and
/// `tests/windows_host.rs` names each there as SKIPPED.
pub const POSIX_ONLY: &[(&str, &str)] = &[
    (
        "activation_battery",
        "the scripts are sourced in POSIX shells",
    ),
    (
        "activation_cpython",
        "the scripts are sourced in POSIX shells",
    ),
    (
        "activation_powershell",
        "the scripts are run by pwsh through the POSIX shell harness",
    ),
    (
        "cache",
        "modes, inode numbers and POSIX symlinks in the wheel cache",
    ),
    ("faults", "POSIX signals (SIGINT, SIGTERM, SIGKILL)"),
    (
        "hardening",
        "POSIX signals, resource limits, modes and symlinks",
    ),
    (
        "pyenv",
        "pyenv's shims are bash scripts, made with modes and symlinks",
    ),
    (
        "relocate",
        "POSIX symlinks, and scripts sourced in POSIX shells",
    ),
    ("repair", "POSIX symlinks"),
    (
        "trust_cache",
        "owners, modes and POSIX symlinks (no cache is trusted on Windows)",
    ),
    (
        "trust_fs",
        "owners, modes, flock, POSIX signals and a second account",
    ),
    ("verbose_and_cache", "POSIX symlinks"),
];

/// The behaviour test files that run on every host but hold tests that
/// need a POSIX host (or what only this Linux machine has), and why, test
/// by test: those tests, and only they, sit in the file's
/// `#[cfg(unix)] mod posix`, the one part of the file that may use POSIX
/// APIs; `tests/windows_host.rs` checks that and names each on Windows as
/// SKIPPED.
pub const PARTLY_POSIX: &[(&str, &[(&str, &str)])] = &[
    (
        "cli",
        &[
            (
                "p_accepts_a_command_on_path",
                "a POSIX symlink on PATH names the interpreter",
            ),
            ("p_accepts_a_version_found_under_pyenv", "pyenv's versions"),
            ("p_accepts_a_full_version", "pyenv's versions"),
            (
                "pyvenv_python_variable_chooses_and_p_overrides_it",
                "two CPython versions (pyenv's 3.8 and 3.11)",
            ),
            (
                "the_default_is_python3_on_path",
                "a POSIX symlink named python3 on PATH",
            ),
            ("a_pyenv_shim_is_never_linked", "pyenv's shims"),
            (
                "a_file_that_is_not_a_python_is_refused",
                "a shell script stands in for the interpreter (a #! script with mode 755)",
            ),
            ("python_2_is_refused", "pyenv's Python 2.7"),
            (
                "a_hanging_interpreter_times_out",
                "a shell script stands in for the interpreter (a #! script that sleeps)",
            ),
            (
                "a_symlink_in_the_way_is_refused_and_not_followed",
                "POSIX symlinks",
            ),
            (
                "clear_keeps_the_directory_itself_and_removes_links_without_following",
                "inode numbers and POSIX symlinks",
            ),
            (
                "activate_under_strict_bash_is_silent_and_deactivate_restores_path",
                "bash, and the environment's bin/python",
            ),
        ],
    ),
    (
        "errors",
        &[
            (
                "a_symlink_where_the_environment_goes_says_where_it_points",
                "POSIX symlinks",
            ),
            (
                "a_version_nobody_has_names_who_asked_and_what_there_is",
                "a pyenv root, a POSIX symlink and a #! script on PATH",
            ),
            (
                "a_python_2_passed_over_says_why",
                "a shell script stands in for the interpreter (a #! script answering as 2.7)",
            ),
            (
                "a_program_that_is_not_a_python_is_refused_in_one_line",
                "a shell script stands in for the interpreter (#! scripts failing as ls and Python do)",
            ),
            (
                "a_pyenv_shim_without_the_command_says_what_would_work",
                "pyenv's shims",
            ),
        ],
    ),
    (
        "failures",
        &[
            ("a_symlink_to_a_file_is_refused", "POSIX symlinks"),
            (
                "a_dangling_symlink_is_refused_and_nothing_made_where_it_points",
                "POSIX symlinks",
            ),
            ("a_symlink_loop_is_refused", "POSIX symlinks"),
            (
                "missing_parents_are_made_and_removed_again_on_failure",
                "a shell script stands in for the interpreter (a #! wrapper whose ensurepip fails)",
            ),
            (
                "a_path_that_is_not_utf8_is_refused_clearly",
                "paths as bytes",
            ),
            (
                "a_python_that_crashes_while_asked_is_a_clear_error",
                "a shell script stands in for the interpreter (a #! script killed by SIGSEGV)",
            ),
            (
                "a_broken_pyenv_shim_is_a_clear_error_with_what_it_said",
                "a shell script stands in for the interpreter (a #! script as a shim)",
            ),
            (
                "a_failed_pip_bootstrap_shows_the_command_and_what_it_printed",
                "a shell script stands in for the interpreter (a #! wrapper whose ensurepip fails)",
            ),
            (
                "a_full_disk_leaves_no_target_and_no_leftovers",
                "a tmpfs mounted by root",
            ),
            (
                "a_read_only_filesystem_is_a_clear_error",
                "a tmpfs mounted by root",
            ),
            (
                "many_runs_seeding_pip_at_once_all_succeed",
                "pip, which the embeddable CPython cannot install (no ensurepip)",
            ),
            (
                "a_python_without_ensurepip_names_the_package_to_install",
                "a shell script stands in for the interpreter (a #! wrapper)",
            ),
        ],
    ),
];

/// One entry of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A directory and its mode.
    Dir(u32),
    /// A symlink and its target, as stored.
    Link(PathBuf),
    /// A file, its mode and what is compared of its content.
    File(u32, Content),
}

/// What is compared of a file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Every byte.
    Bytes(Vec<u8>),
    /// An activation script: only that it is there.
    Script,
    /// A wheel RECORD: its lines, in order, bytecode lines included.
    Record(Vec<String>),
    /// A `.pyc` file: its header as far as it must agree with venv's (the
    /// magic number and flags; for a checked-hash file, the source's hash)
    /// and whether it is valid for the source beside it. The rest of its
    /// bytes embed the path it was compiled at, and for a file stamped
    /// with its source's mtime, that mtime.
    Pyc(PycHeader),
}

/// What a `.pyc` file's header says, checked against its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PycHeader {
    /// `importlib.util.MAGIC_NUMBER`.
    pub magic: Vec<u8>,
    /// How the import system would take it.
    pub validity: PycValidity,
}

/// How the import system would take a `.pyc` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PycValidity {
    /// Stamped with its source's mtime and size, and they match.
    FreshStamp,
    /// 3.6's shorter header: mtime and size, and they match.
    FreshStampWithoutFlags,
    /// Hash-based (PEP 552): its flags and the source hash it holds.
    Hashed(u32, Vec<u8>),
    /// Stamped, but not with the source beside it: it would be recompiled.
    Stale,
    /// No source beside it.
    Orphan,
}

impl PycHeader {
    /// Reads `pyc`, whose source is `<dir>/../<module>.py`.
    pub fn read(pyc: &Path) -> PycHeader {
        let bytes = std::fs::read(pyc).unwrap();
        let word = |at: usize| {
            bytes
                .get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let name = pyc.file_name().unwrap().to_string_lossy().into_owned();
        let module = name.split('.').next().unwrap();
        let source = pyc
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .join(format!("{module}.py"));
        let validity = match std::fs::metadata(&source) {
            Err(_) => PycValidity::Orphan,
            Ok(meta) => {
                let mtime = Some((pyvenv::os::meta::mtime(&meta).0 as u64 & 0xFFFF_FFFF) as u32);
                let size = Some((meta.len() & 0xFFFF_FFFF) as u32);
                // 3.6's header has no flags word: mtime and size follow
                // the magic number directly.
                match word(4) {
                    Some(0) if word(8) == mtime && word(12) == size => PycValidity::FreshStamp,
                    w if w == mtime && word(8) == size => PycValidity::FreshStampWithoutFlags,
                    Some(flags @ (1 | 3)) => {
                        PycValidity::Hashed(flags, bytes.get(8..16).unwrap_or(&[]).to_vec())
                    }
                    _ => PycValidity::Stale,
                }
            }
        };
        PycHeader {
            magic: bytes.get(..4).unwrap_or(&[]).to_vec(),
            validity,
        }
    }
}

/// A `PYVENV_PROBE_TIMEOUT` for runs that compile pip's modules on a
/// loaded machine, where what is tested is the result, not the limit.
pub const SLOW_MACHINE_TIMEOUT: &str = "300";

/// Every entry below an environment, by relative path, bytecode included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot(pub BTreeMap<PathBuf, Node>);

impl Snapshot {
    /// Walks `root` without following symlinks.
    pub fn take(root: &Path) -> Snapshot {
        let mut nodes = BTreeMap::new();
        walk(root, root, &mut nodes);
        Snapshot(nodes)
    }

    /// Every way `ours` differs from `self` (the reference).
    pub fn differences(&self, ours: &Snapshot) -> Vec<String> {
        let mut out = Vec::new();
        for (path, theirs) in &self.0 {
            match ours.0.get(path) {
                None => out.push(format!("missing: {}", path.display())),
                Some(Node::File(m1, Content::Record(mine))) if !matches!(theirs, Node::File(m2, Content::Record(t)) if m1 == m2 && t == mine) => {
                    out.push(format!(
                        "differs: {}\n{}",
                        path.display(),
                        record_difference(theirs, mine)
                    ))
                }
                Some(mine) if mine != theirs && !fresh_where_venvs_is_stale(theirs, mine) => out
                    .push(format!(
                        "differs: {}\n    venv:   {}\n    pyvenv: {}",
                        path.display(),
                        short(theirs),
                        short(mine)
                    )),
                Some(_) => {}
            }
        }
        for (path, node) in &ours.0 {
            let is_extra_script = matches!(node, Node::File(_, Content::Script));
            if !self.0.contains_key(path) && !is_extra_script {
                out.push(format!("extra: {}", path.display()));
            }
        }
        out
    }
}

/// A `.pyc` of pyvenv's that is valid for its source where venv's, of the
/// same mode and magic number, is stale: venv's pip sometimes leaves one
/// whose stamp no longer matches its source (seen once with PyPy 3.11 on a
/// re-run), which Python would only compile again. Valid bytecode is what
/// pyvenv must leave; it cannot be more wrong than venv's there.
fn fresh_where_venvs_is_stale(theirs: &Node, mine: &Node) -> bool {
    match (theirs, mine) {
        (Node::File(m1, Content::Pyc(t)), Node::File(m2, Content::Pyc(o))) => {
            m1 == m2
                && t.magic == o.magic
                && t.validity == PycValidity::Stale
                && matches!(
                    o.validity,
                    PycValidity::FreshStamp | PycValidity::FreshStampWithoutFlags
                )
        }
        _ => false,
    }
}

/// The first line where two RECORDs part, and their line counts.
fn record_difference(theirs: &Node, mine: &[String]) -> String {
    let Node::File(mode, Content::Record(theirs)) = theirs else {
        return format!("    venv: {}", short(theirs));
    };
    let at = theirs.iter().zip(mine).take_while(|(a, b)| a == b).count();
    format!(
        "    venv:   mode {mode:o}, {} lines, line {at}: {:?}\n    pyvenv: {} lines, line {at}: {:?}",
        theirs.len(),
        theirs.get(at),
        mine.len(),
        mine.get(at)
    )
}

fn short(node: &Node) -> String {
    let text = format!("{node:?}");
    if text.len() > 300 {
        format!("{}...", &text[..300])
    } else {
        text
    }
}

fn walk(root: &Path, dir: &Path, nodes: &mut BTreeMap<PathBuf, Node>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let rel = path.strip_prefix(root).unwrap().to_path_buf();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let mode = pyvenv::os::meta::mode(&meta);
        let node = if meta.file_type().is_symlink() {
            Node::Link(std::fs::read_link(&path).unwrap())
        } else if meta.is_dir() {
            walk(root, &path, nodes);
            Node::Dir(mode)
        } else {
            let scripts = match rel.parent() {
                Some(p) if p == Path::new("bin") => ACTIVATION_SCRIPTS,
                Some(p) if p == Path::new("Scripts") => {
                    if WINDOWS_ACTIVATION_SCRIPTS.contains(&name.as_str()) {
                        WINDOWS_ACTIVATION_SCRIPTS
                    } else {
                        ACTIVATION_SCRIPTS
                    }
                }
                _ => &[],
            };
            let content = if scripts.contains(&name.as_str()) {
                Content::Script
            } else if name == "RECORD" {
                let text = std::fs::read_to_string(&path).unwrap();
                Content::Record(text.split_inclusive('\n').map(String::from).collect())
            } else if name.ends_with(".pyc") {
                Content::Pyc(PycHeader::read(&path))
            } else {
                Content::Bytes(std::fs::read(&path).unwrap())
            };
            Node::File(mode, content)
        };
        nodes.insert(rel, node);
    }
}

/// What the environment's python reports about itself (and pip, if
/// present); `env` as the target's commands see it.
pub fn ask_inside(target: &Target, env: &Path) -> String {
    let script = "import sys, site, json; print(json.dumps([sys.prefix, sys.base_prefix, \
                  sys.executable, sys.path, site.getsitepackages()]))";
    let python = env.join("bin/python");
    let out = target
        .command(&python, Path::new("/"))
        .args(["-c", script])
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME")
        .output()
        .unwrap();
    let mut answer = String::from_utf8_lossy(&out.stdout).into_owned();
    answer.push_str(&String::from_utf8_lossy(&out.stderr));
    let has_pip = std::fs::read_dir(target.outside(&env.join("lib")))
        .into_iter()
        .flatten()
        .flatten()
        .any(|d| d.path().join("site-packages/pip").exists());
    if has_pip {
        let pip = target
            .command(&python, Path::new("/"))
            .args(["-m", "pip", "--version"])
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .output()
            .unwrap();
        answer.push_str(&String::from_utf8_lossy(&pip.stdout));
    }
    answer
}

/// Every CPython 3 on this machine: pyenv's installations and Debian's
/// python3. Each one absent is named on stderr, so a skip is never silent.
pub fn interpreters() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")));
    if let Some(root) = root {
        let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(root.join("versions"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let parts: Vec<u32> = name
                    .split('.')
                    .map(|p| p.parse().ok())
                    .collect::<Option<_>>()?;
                (parts.len() == 3 && parts[0] == 3 && parts[1] >= 6).then(|| {
                    let exe = e
                        .path()
                        .join(format!("bin/python{}.{}", parts[0], parts[1]));
                    (parts, exe)
                })
            })
            .filter(|(_, exe)| exe.exists())
            .collect();
        versions.sort();
        found.extend(versions.into_iter().map(|(_, exe)| exe));
    }
    let debian = PathBuf::from("/usr/bin/python3");
    if debian.exists() {
        found.push(debian);
    } else {
        eprintln!("SKIPPED: Debian's /usr/bin/python3 is not installed");
    }
    for minor in 6..=13 {
        let name = format!("python3.{minor}");
        if !found.iter().any(|p| p.ends_with(&name)) {
            eprintln!("SKIPPED: no CPython 3.{minor} on this machine (pyenv)");
        }
    }
    assert!(
        !found.is_empty(),
        "no CPython 3.6+ found: the differential suite needs at least one"
    );
    found
}

/// The `Y` of `3.Y` for `python`.
pub fn minor_version(python: &Path) -> u32 {
    let out = Command::new(python)
        .args(["-c", "import sys; print(sys.version_info[1])"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// pyenv's CPython 3.`minor`, if installed.
pub fn pyenv_python(minor: u32) -> Option<PathBuf> {
    let root = PathBuf::from(std::env::var_os("HOME")?).join(".pyenv/versions");
    std::fs::read_dir(root).ok()?.flatten().find_map(|e| {
        let name = e.file_name().into_string().ok()?;
        let exe = e.path().join(format!("bin/python3.{minor}"));
        (name.starts_with(&format!("3.{minor}.")) && exe.exists()).then_some(exe)
    })
}

/// The interpreter a test that runs on every host makes environments
/// with: pyenv's CPython 3.`minor` on a POSIX host; on Windows, whatever
/// `minor` says, the `python.exe` `PYVENV_TEST_WINDOWS_PYTHON` names
/// (`.ci/cross-check` names python.org's embeddable 3.13 under Wine).
/// `Err` says why there is none.
pub fn host_python(minor: u32) -> Result<PathBuf, String> {
    if cfg!(windows) {
        std::env::var_os("PYVENV_TEST_WINDOWS_PYTHON")
            .map(PathBuf::from)
            .ok_or_else(|| {
                "PYVENV_TEST_WINDOWS_PYTHON names no Windows python.exe \
                 (.ci/python-embed unpacks one)"
                    .to_string()
            })
    } else {
        pyenv_python(minor).ok_or_else(|| format!("CPython 3.{minor} is not installed under pyenv"))
    }
}

/// A path as CPython's `repr` writes it, quotes included, as in the
/// `Unable to create directory '...'` messages pyvenv keeps from venv (a
/// `\` doubled; tests' paths hold no quote).
pub fn py_repr(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\\', "\\\\"))
}

/// Runs `command`, which must succeed; its output.
pub fn ok(command: &mut Command) -> std::process::Output {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Every path under `dir`, relative to it, sorted.
pub fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for item in std::fs::read_dir(&d).unwrap().flatten() {
            let path = item.path();
            if item.file_type().unwrap().is_dir() {
                todo.push(path.clone());
            }
            found.push(path.strip_prefix(dir).unwrap().to_path_buf());
        }
    }
    found.sort();
    found
}

/// The environment's (only) `lib/pythonX.Y/site-packages`.
pub fn site_packages(env: &Path) -> PathBuf {
    let lib = std::fs::read_dir(env.join("lib"))
        .unwrap()
        .flatten()
        .next()
        .unwrap();
    lib.path().join("site-packages")
}

/// Rewrites a facts cache entry as pyvenv would, checksum and all, with
/// `version` changed: what anyone who can write the file can do.
pub fn forge_version(entry: &Path, version: [u32; 3]) {
    use sha2::{Digest, Sha256};
    let data = std::fs::read_to_string(entry).unwrap();
    let body = data.split_once('\n').unwrap().1;
    let mut record: serde_json::Value = serde_json::from_str(body).unwrap();
    record["facts"]["version"] = serde_json::json!(version);
    let body = serde_json::to_string(&record).unwrap();
    let sum = hex::encode(Sha256::digest(body.as_bytes()));
    std::fs::write(entry, format!("{sum}\n{body}")).unwrap();
}
