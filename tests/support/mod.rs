//! What the behaviour tests share: the interpreters on this machine, and
//! taking and comparing pictures of an environment on disk.

#![allow(dead_code, unused_macros)]

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

pub mod portable;
pub mod target;

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
    /// A wheel RECORD: its lines, bytecode aside, in order.
    Record(Vec<String>),
}

/// Every entry below an environment, by relative path; bytecode left out.
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
                Some(mine) if mine != theirs => out.push(format!(
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
        if name == "__pycache__" || name.ends_with(".pyc") {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap().to_path_buf();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let mode = meta.permissions().mode() & 0o7777;
        let node = if meta.file_type().is_symlink() {
            Node::Link(std::fs::read_link(&path).unwrap())
        } else if meta.is_dir() {
            walk(root, &path, nodes);
            Node::Dir(mode)
        } else {
            let in_bin = rel.parent() == Some(Path::new("bin"));
            let content = if in_bin && ACTIVATION_SCRIPTS.contains(&name.as_str()) {
                Content::Script
            } else if name == "RECORD" {
                let text = std::fs::read_to_string(&path).unwrap();
                let mut lines: Vec<String> = text
                    .lines()
                    .filter(|l| !l.contains(".pyc,") && !l.contains("__pycache__"))
                    .map(String::from)
                    .collect();
                lines.sort();
                Content::Record(lines)
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
