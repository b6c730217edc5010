//! Generated cases, with the real pyenv as the oracle: random `$PYENV_ROOT`
//! trees (the version names users have, odd ones, symlinked versions,
//! versions without the command), random `.python-version` files at random
//! depths, `PYENV_VERSION`, `PYENV_DIR`, `PWD` and `PATH` set or not; for
//! each, pyvenv's reading of the shim (`pyenv::resolve`) against what the
//! shim itself runs. The fake interpreters print the path they were run
//! as, so the shim's own answer is the program it `exec`ed.
//!
//! "Undecided" (pyvenv runs the shim) is always allowed; a different
//! decided answer never is. `PYVENV_PYENV_CASES` sets the number of cases
//! (default 96; 400 in CI, where the seed is fixed: `CI=true`); locally the
//! seed varies unless `PYVENV_PYENV_SEED` fixes it.
//!
//! `PYVENV_PYENV_ORACLE=DIR` keeps the shim's answer to each generated case
//! in DIR, keyed by the case, and reuses it: for mutation runs (`cargo
//! mutants`), where only the reader changes from one run to the next and
//! pyenv's answer to a case cannot. CI never sets it.

use std::ffi::OsString;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use pyvenv::interpreter::pyenv::{PyenvEnv, Resolution, resolve};

/// What every case shares: pyenv's installation, the shim text `pyenv
/// rehash` writes (its root to be filled in), and a PATH's worth of tools
/// without any python.
struct Fixture {
    _tmp: tempfile::TempDir,
    shim_template: String,
    template_root: String,
    /// pyenv's installation, as the template names it.
    install: String,
    tools: PathBuf,
}

impl Fixture {
    fn new(install: &Path) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        write_python(&root.join("versions/3.12.1/bin/python3"));
        let rehash = Command::new(install.join("libexec/pyenv"))
            .arg("rehash")
            .env_clear()
            .env("PYENV_ROOT", &root)
            .env("HOME", tmp.path())
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap();
        assert!(rehash.status.success(), "{rehash:?}");
        let shim_template = std::fs::read_to_string(root.join("shims/python3")).unwrap();
        // What pyenv's scripts run, and no python for "system" to find.
        let tools = tmp.path().join("tools");
        std::fs::create_dir(&tools).unwrap();
        for dir in ["/usr/bin", "/bin"] {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let name = entry.file_name();
                let link = tools.join(&name);
                if !name.to_string_lossy().starts_with("python") && !link.exists() {
                    symlink(entry.path(), link).unwrap();
                }
            }
        }
        Fixture {
            template_root: root.to_str().unwrap().to_string(),
            install: install.to_str().unwrap().to_string(),
            _tmp: tmp,
            shim_template,
            tools,
        }
    }

    /// The shim `pyenv rehash` writes for `root`, running `pyenv`.
    fn shim_for(&self, root: &str, pyenv: &str) -> String {
        self.shim_template
            .replace(
                &format!("\"{}/libexec/pyenv\"", self.install),
                &format!("\"{pyenv}\""),
            )
            .replace(&self.template_root, root)
    }
}

/// A fake interpreter: prints the path it was run as, like
/// `sys.executable` for a python run by its full path.
fn write_python(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, "#!/bin/sh\nprintf '%s\\n' \"$0\"\n").unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// What `versions/<name>` is.
#[derive(Debug, Clone)]
enum Entry {
    /// A version with a `bin/python3`.
    Python,
    /// `bin/python3` is there but not executable.
    NotExecutable,
    /// A version without `python3` (a python2, a broken install).
    NoPython,
    /// A symlink to another entry (by index, modulo their number).
    Link(usize),
    /// A plain file, not a directory.
    File,
    /// A pyenv-virtualenv environment (`bin/activate`) without python3.
    Virtualenv,
    /// `bin/python3` a symlink to the system's real python.
    RealPython,
    /// `bin/python3` a directory (which bash's `[ -x ]` takes).
    DirPython,
    /// `python3` right in the directory: `versions/bin/python3` is what
    /// `versions/<empty>/bin/python3` names.
    Flat,
}

/// Which directory a variable names.
#[derive(Debug, Clone)]
enum Dir {
    Unset,
    Empty,
    Cwd,
    /// The working directory as a path through a symlink.
    Logical,
    /// A directory of the tree at this depth (modulo the depth).
    Level(usize),
    /// `..`, `d1` or `.`.
    Relative(u8),
    Missing,
    /// The working directory with a trailing slash.
    Slash,
}

/// The `PATH` the user has.
#[derive(Debug, Clone)]
struct PathChoice {
    /// A `python3` on PATH for pyenv's `system`.
    system_python: bool,
    /// That directory comes before the shims.
    system_first: bool,
    /// The shim is run from a copy in another directory on PATH.
    shim_elsewhere: bool,
    /// `_PYENV_SHIM_PATH` / `_PYENV_SHIM_PATHS_PYTHON3` name the system's
    /// python directory (as a shim run earlier would have exported).
    shim_var: u8,
    /// An empty or relative entry.
    odd_entry: u8,
}

/// How the shim names `$PYENV_ROOT` and pyenv: as `pyenv rehash` writes
/// them for a root with a trailing slash or characters bash expands.
#[derive(Debug, Clone, Copy)]
enum Root {
    Plain,
    /// `PYENV_ROOT=/x/root/` (pyenv strips one slash), or two.
    Slash(u8),
    /// A name with a space: plain text between double quotes.
    Space,
    /// A `$`, backquote or backslash, which bash expands inside quotes.
    Expanded(u8),
    /// A relative root.
    Relative,
    /// pyenv itself found through a path with a `$` in it.
    DollarPyenv,
}

#[derive(Debug, Clone)]
struct Case {
    root: Root,
    versions: Vec<(String, Entry)>,
    global: Option<String>,
    depth: usize,
    cwd_depth: usize,
    /// `.python-version` files: where (0 above the working tree, 1 above
    /// the link to it, then each depth) and content (a directory if none).
    files: Vec<(usize, Option<String>)>,
    pyenv_version: Option<String>,
    pyenv_dir: Dir,
    pwd: Dir,
    path: PathChoice,
    hook_path: u8,
    virtualenv_plugin: bool,
}

/// Version directory names as users have them, and oddities.
const NAMES: &[&str] = &[
    "3.12.1",
    "3.12.10",
    "3.12.9",
    "3.12.1rc1",
    "3.12-dev",
    "3.13.0",
    "3.13.0t",
    "3.13.1t",
    "3.13.0a1",
    "3.13.0b2",
    "3.11.7",
    "3.11",
    "3",
    "pypy3.11-7.3.20",
    "pypy3.10-7.3.19",
    "miniconda3-latest",
    "miniconda3-4.7.12",
    "anaconda3-2024.02",
    "graalpy-24.1.0",
    "system",
    "python-3.12.1",
    "3.12.1-debug",
    "3.12.01",
    "3.12.1t",
    "3.12t",
    "3.12.1.2",
    "3.12.x",
    "3.12.src",
    "3.12-src",
    "3.14-latest",
    "3.12.2b",
    "3.12.3a10",
];

/// Names no one should have, which pyenv splits or sorts in its own way.
const ODD_NAMES: &[&str] = &[
    ".3.12",
    "3.12.4 x",
    "3.12.5\nx",
    "3.12.-6",
    "3.12.7:8",
    "3.12.99999999999999999999999999999999",
    "3.12.9999999999999999999999999999999999999999",
    "3.12.é",
    "t",
    "3.t",
];

/// The words a selection is made of: names and their prefixes...
const WORDS: &[&str] = &[
    "3.12",
    "3.12.1",
    "3.12.10",
    "3",
    "3.13",
    "3.13t",
    "3.13.0t",
    "3.12t",
    "3.11",
    "3.1",
    "3.12.",
    "python-3.12",
    "python-3.12.1",
    "python-3.13t",
    "python-3",
    "system",
    "3.99",
    "python-3.99",
    "pypy3.11",
    "pypy3.11-7.3",
    "pypy3.11-7.3.20",
    "pypy3",
    "miniconda3",
    "miniconda3-latest",
    "miniconda3-4",
    "3.12-dev",
    "3.12.1rc1",
    "3.12-debug",
    "graalpy",
    "anaconda3",
    "3.12.01",
    "t",
    "3.t",
    "3.12.x",
    "3.12.1.",
    "python-",
    "-3.12",
    "3.12.-",
    "3.12.1-debug",
    "python-system",
    "3.12.99999999999999999999999999999999",
    "3.12.é",
];

/// ...and what pyenv must refuse or would expand.
const ODD_WORDS: &[&str] = &[
    "../3.12.1",
    "x/3.12.1",
    "..",
    ".",
    "3.*",
    "3.1?",
    "[3].12",
    "\u{1}",
    "3.12/",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(NAMES).prop_map(String::from),
        1 => prop::sample::select(ODD_NAMES).prop_map(String::from),
        4 => (11u32..14, 0u32..12, prop::sample::select(&["", "", "", "t", "rc1", "a2", "-dev", "-debug"][..]))
            .prop_map(|(minor, patch, suffix)| format!("3.{minor}.{patch}{suffix}")),
    ]
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::sample::select(WORDS).prop_map(String::from),
        1 => prop::sample::select(ODD_WORDS).prop_map(String::from),
        2 => name(),
        1 => name().prop_map(|n| format!("{n}t")),
        1 => (11u32..14, prop::sample::select(&["", "t", "."][..]))
            .prop_map(|(minor, s)| format!("3.{minor}{s}")),
    ]
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        8 => Just(Entry::Python),
        1 => Just(Entry::NotExecutable),
        2 => Just(Entry::NoPython),
        2 => any::<usize>().prop_map(Entry::Link),
        1 => Just(Entry::File),
        1 => Just(Entry::Virtualenv),
        1 => Just(Entry::RealPython),
        1 => Just(Entry::DirPython),
    ]
}

/// A selection as `PYENV_VERSION` holds it: words joined with `:`.
fn selection() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(word(), 1..4),
        prop::sample::select(&["", "", "", "", "", ":", "::"][..]),
        prop::sample::select(&["", "", "", "", "", "", "", ":"][..]),
    )
        .prop_map(|(words, end, lead)| format!("{lead}{}{end}", words.join(":")))
}

/// One line of a `.python-version`, without its end.
fn line() -> impl Strategy<Value = String> {
    let lead = prop::sample::select(&["", "", "", "", "", " ", "  ", "\t", "\r"][..]);
    let tail = prop::sample::select(&["", "", "", " ", "\t", " extra words", "  # note", "\r"][..]);
    prop_oneof![
        30 => (lead, word(), tail).prop_map(|(l, w, t)| format!("{l}{w}{t}")),
        8 => prop::sample::select(&["", " ", "# pinned", "#3.12.1", " # 3.13", "\t"][..])
            .prop_map(String::from),
        1 => (1010usize..1030, word()).prop_map(|(n, w)| format!("{}{w}", " ".repeat(n))),
        1 => (word(), 1020usize..1030).prop_map(|(w, n)| format!("{w} {}", "3".repeat(n))),
        1 => (word(), 0usize..4).prop_map(|(w, at)| {
            let mut w = w;
            let at = (0..=at.min(w.len())).rev().find(|&i| w.is_char_boundary(i)).unwrap_or(0);
            w.insert(at, '\0');
            w
        }),
    ]
}

/// A version file's bytes: lines with LF or CRLF ends, the last one maybe
/// without an end.
fn version_file() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(
            (line(), prop::sample::select(&["\n", "\n", "\r\n"][..])),
            0..5,
        ),
        any::<bool>(),
    )
        .prop_map(|(lines, last_ended)| {
            let mut out = String::new();
            let n = lines.len();
            for (i, (text, end)) in lines.into_iter().enumerate() {
                out.push_str(&text);
                if i + 1 < n || last_ended {
                    out.push_str(end);
                }
            }
            out
        })
}

fn dir() -> impl Strategy<Value = Dir> {
    prop_oneof![
        16 => Just(Dir::Unset),
        2 => Just(Dir::Empty),
        8 => Just(Dir::Cwd),
        6 => Just(Dir::Logical),
        10 => (0usize..7).prop_map(Dir::Level),
        1 => (0u8..3).prop_map(Dir::Relative),
        1 => Just(Dir::Missing),
        2 => Just(Dir::Slash),
    ]
}

fn root() -> impl Strategy<Value = Root> {
    prop_oneof![
        60 => Just(Root::Plain),
        2 => (1u8..3).prop_map(Root::Slash),
        1 => Just(Root::Space),
        2 => (0u8..3).prop_map(Root::Expanded),
        1 => Just(Root::Relative),
        1 => Just(Root::DollarPyenv),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let tree = (0usize..5, 0usize..5).prop_map(|(d, c)| (d, c.min(d)));
    (
        prop::collection::vec((name(), entry()), 0..7),
        prop::option::weighted(0.7, version_file()),
        tree,
        prop::collection::vec(
            (0usize..7, prop::option::weighted(0.9, version_file())),
            0..4,
        ),
        prop::option::weighted(0.35, selection()),
        (dir(), dir()),
        (any::<bool>(), any::<bool>(), any::<bool>(), 0u8..8, 0u8..40),
        (0u8..70, any::<bool>(), root()),
    )
        .prop_map(
            |(
                versions,
                global,
                (depth, cwd_depth),
                files,
                pyenv_version,
                (pyenv_dir, pwd),
                p,
                h,
            )| {
                Case {
                    root: h.2,
                    versions,
                    global,
                    depth,
                    cwd_depth,
                    files,
                    pyenv_version,
                    pyenv_dir,
                    pwd,
                    path: PathChoice {
                        system_python: p.0 || p.1,
                        system_first: p.1 && p.2,
                        shim_elsewhere: p.2 && !p.0,
                        shim_var: p.3,
                        odd_entry: p.4,
                    },
                    hook_path: h.0,
                    virtualenv_plugin: h.1,
                }
            },
        )
}

/// A case laid out on disk.
struct Laid {
    _tmp: tempfile::TempDir,
    shim: PathBuf,
    cwd: PathBuf,
    path: OsString,
    vars: Vec<(OsString, OsString)>,
    home: PathBuf,
}

fn lay_out(fx: &Fixture, case: &Case, install: &Path) -> Laid {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().to_path_buf();
    let root_name = match case.root {
        Root::Space => "the root",
        Root::Expanded(0) => "r$HOME",
        Root::Expanded(1) => "r`true`",
        Root::Expanded(_) => "r\\x",
        _ => "root",
    };
    let root = top.join(root_name);
    let versions = root.join("versions");
    std::fs::create_dir_all(&versions).unwrap();
    // Entries first, then the links between them.
    let mut names: Vec<&str> = Vec::new();
    for (name, entry) in &case.versions {
        let dir = versions.join(name);
        if names.contains(&name.as_str()) || name.is_empty() {
            continue;
        }
        match entry {
            Entry::Python => write_python(&dir.join("bin/python3")),
            Entry::NotExecutable => {
                std::fs::create_dir_all(dir.join("bin")).unwrap();
                std::fs::write(dir.join("bin/python3"), "").unwrap();
            }
            Entry::NoPython => write_python(&dir.join("bin/python2")),
            Entry::Link(_) => {}
            Entry::File => std::fs::write(&dir, "").unwrap(),
            Entry::Virtualenv => {
                std::fs::create_dir_all(dir.join("bin")).unwrap();
                std::fs::write(dir.join("bin/activate"), "").unwrap();
                // Made with --system-site-packages from a python that
                // pyenv-virtualenv's `which` hook finds.
                let base = top.join("base");
                write_python(&base.join("bin/python3"));
                let cfg = format!(
                    "home = {}/bin\ninclude-system-site-packages = true\n",
                    base.display()
                );
                std::fs::write(dir.join("pyvenv.cfg"), cfg).unwrap();
            }
            Entry::DirPython => std::fs::create_dir_all(dir.join("bin/python3")).unwrap(),
            Entry::Flat => write_python(&dir.join("python3")),
            Entry::RealPython => {
                std::fs::create_dir_all(dir.join("bin")).unwrap();
                symlink("/usr/bin/python3", dir.join("bin/python3")).unwrap();
            }
        }
        names.push(name);
    }
    for (name, entry) in &case.versions {
        if let Entry::Link(i) = entry {
            let dir = versions.join(name);
            if dir.symlink_metadata().is_err() && !name.is_empty() {
                // To another version, or outside the root when there is none.
                let target = match names.get(i % names.len().max(1)) {
                    Some(other) => PathBuf::from(other),
                    None => {
                        let outside = top.join("elsewhere");
                        write_python(&outside.join("bin/python3"));
                        outside
                    }
                };
                symlink(target, &dir).unwrap();
            }
        }
    }
    if let Some(global) = &case.global {
        std::fs::write(root.join("version"), global).unwrap();
    }
    let shims = root.join("shims");
    std::fs::create_dir_all(&shims).unwrap();
    let root_text = match case.root {
        Root::Slash(n) => format!("{}{}", root.display(), "/".repeat(n.into())),
        Root::Relative => root_name.to_string(),
        _ => root.display().to_string(),
    };
    let pyenv = match case.root {
        Root::DollarPyenv => {
            symlink(install, top.join("p$HOME")).unwrap();
            format!("{}/p$HOME/libexec/pyenv", top.display())
        }
        _ => format!("{}/libexec/pyenv", install.display()),
    };
    let shim_text = fx.shim_for(&root_text, &pyenv);
    let mut shim = shims.join("python3");
    std::fs::write(&shim, &shim_text).unwrap();
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    if case.virtualenv_plugin {
        std::fs::create_dir_all(root.join("plugins/pyenv-virtualenv/etc/pyenv.d/which")).unwrap();
        let real = install.join("plugins/pyenv-virtualenv/etc/pyenv.d/which");
        for script in [
            "system-site-packages.bash",
            "python-config.bash",
            "conda.bash",
        ] {
            let from = real.join(script);
            if from.exists() {
                std::fs::copy(
                    from,
                    root.join("plugins/pyenv-virtualenv/etc/pyenv.d/which")
                        .join(script),
                )
                .unwrap();
            }
        }
    }
    // The working tree: work/d1/d2/..., also seen as alt/link/d1/d2/...
    let work = top.join("work");
    let alt = top.join("alt");
    let mut levels = vec![top.clone(), alt.clone(), work.clone()];
    for i in 1..=case.depth {
        let next = levels.last().unwrap().join(format!("d{i}"));
        levels.push(next);
    }
    std::fs::create_dir_all(levels.last().unwrap()).unwrap();
    let cwd = levels[case.cwd_depth + 2].clone();
    std::fs::create_dir(&alt).unwrap();
    symlink(&work, alt.join("link")).unwrap();
    let logical = alt.join("link").join(cwd.strip_prefix(&work).unwrap());
    for (level, content) in &case.files {
        let dir = &levels[level % levels.len()];
        let file = dir.join(".python-version");
        if file.symlink_metadata().is_ok() {
            continue;
        }
        match content {
            Some(bytes) => std::fs::write(&file, bytes).unwrap(),
            None => std::fs::create_dir(&file).unwrap(),
        }
    }
    let dir_value = |d: &Dir| -> Option<OsString> {
        Some(match d {
            Dir::Unset => return None,
            Dir::Empty => OsString::new(),
            Dir::Cwd => cwd.clone().into(),
            Dir::Logical => logical.clone().into(),
            Dir::Level(i) => levels[i % levels.len()].clone().into(),
            Dir::Relative(i) => ["..", "d1", "."][usize::from(*i) % 3].into(),
            Dir::Missing => top.join("missing").into(),
            Dir::Slash => format!("{}/", cwd.display()).into(),
        })
    };
    // PATH: the shims, maybe a system python3, the tools.
    let sysbin = top.join("sysbin");
    let mut path: Vec<PathBuf> = Vec::new();
    let p = &case.path;
    if p.system_python {
        write_python(&sysbin.join("python3"));
    }
    if p.shim_elsewhere {
        let other = top.join("othershims");
        std::fs::create_dir(&other).unwrap();
        shim = other.join("python3");
        std::fs::write(&shim, &shim_text).unwrap();
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.push(other);
    }
    if p.system_first {
        path.push(sysbin.join(""));
    }
    path.push(shims.clone());
    if p.system_python && !p.system_first {
        path.push(sysbin.clone());
    }
    path.push(fx.tools.clone());
    let mut path = std::env::join_paths(&path).unwrap();
    match p.odd_entry {
        0 => path.push(":"),
        1 => path.push(":relative"),
        2 => path.push(":~/bin"),
        _ => {}
    }
    let mut vars: Vec<(OsString, OsString)> = vec![
        ("HOME".into(), top.clone().into()),
        ("PATH".into(), path.clone()),
    ];
    if let Some(v) = dir_value(&case.pwd) {
        vars.push(("PWD".into(), v));
    }
    if let Some(v) = dir_value(&case.pyenv_dir) {
        vars.push(("PYENV_DIR".into(), v));
    }
    if let Some(v) = &case.pyenv_version {
        vars.push(("PYENV_VERSION".into(), v.into()));
    }
    match p.shim_var {
        0 => vars.push(("_PYENV_SHIM_PATH".into(), sysbin.clone().into())),
        1 => vars.push(("_PYENV_SHIM_PATHS_PYTHON3".into(), sysbin.clone().into())),
        2 => vars.push((
            "_PYENV_SHIM_PATHS_PYTHON3".into(),
            format!("{}:/nowhere", sysbin.display()).into(),
        )),
        3 => vars.push(("_PYENV_SHIM_PATHS_PYTHON".into(), sysbin.clone().into())),
        _ => {}
    }
    // Hooks that change the choice, on PYENV_HOOK_PATH or in the root's
    // own pyenv.d (where pyenv keeps its pip-rehash hook).
    let hooks = top.join("hooks");
    let hooked = top.join("hooked/python3");
    let redirect = format!("PYENV_COMMAND_PATH={}\n", hooked.display());
    let hook = |dir: &Path, command: &str, text: &str| {
        write_python(&hooked);
        std::fs::create_dir_all(dir.join(command)).unwrap();
        std::fs::write(dir.join(command).join("change.bash"), text).unwrap();
    };
    match case.hook_path {
        0 => std::fs::create_dir_all(hooks.join("which")).unwrap(),
        1 => hook(&hooks, "which", &redirect),
        2 => vars.push(("PYENV_HOOK_PATH".into(), "relative".into())),
        3 => hook(&hooks, "exec", &redirect),
        4 => hook(&hooks, "version-name", "PYENV_VERSION=system\n"),
        5 => hook(&root.join("pyenv.d"), "exec", &redirect),
        6 => hook(&root.join("pyenv.d"), "which", &redirect),
        _ => {}
    }
    if matches!(case.hook_path, 0 | 1 | 3 | 4) {
        vars.push(("PYENV_HOOK_PATH".into(), hooks.into()));
    }
    Laid {
        _tmp: tmp,
        shim,
        cwd,
        path,
        vars,
        home: top,
    }
}

/// What the shim itself did: the program it ran, or that it failed.
fn run_shim(laid: &Laid) -> (Option<PathBuf>, String) {
    let out = Command::new(&laid.shim)
        .args(["-c", "import sys; print(sys.executable)"])
        .env_clear()
        .envs(laid.vars.iter().map(|(k, v)| (k, v)))
        .current_dir(&laid.cwd)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let _ = &laid.home;
    if out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout);
        (Some(PathBuf::from(text.trim_end_matches('\n'))), stderr)
    } else {
        (None, stderr)
    }
}

/// The shim's answer to a case, from `PYVENV_PYENV_ORACLE`'s store when it
/// is set and holds one; the case's own directory is kept out of the
/// stored answer so a later run, laid out elsewhere, can reuse it.
fn oracle(case: &Case, laid: &Laid) -> (Option<PathBuf>, String) {
    let Some(store) = std::env::var_os("PYVENV_PYENV_ORACLE").map(PathBuf::from) else {
        return run_shim(laid);
    };
    use sha2::Digest;
    let key = hex::encode(sha2::Sha256::digest(format!("{case:?}")));
    let entry = store.join(key);
    let top = laid.home.to_string_lossy().into_owned();
    const TOP: &str = "\u{0}top\u{0}";
    if let Ok(text) = std::fs::read_to_string(&entry) {
        let answer = text
            .strip_prefix("runs ")
            .map(|p| PathBuf::from(p.replace(TOP, &top)));
        return (answer, "(from PYVENV_PYENV_ORACLE)".to_string());
    }
    let (answer, stderr) = run_shim(laid);
    let text = match &answer {
        Some(p) => format!("runs {}", p.to_string_lossy().replace(&top, TOP)),
        None => "fails".to_string(),
    };
    // Only answers whose path is valid text are kept.
    if answer.as_ref().is_none_or(|p| p.to_str().is_some()) {
        std::fs::create_dir_all(&store).unwrap();
        std::fs::write(&entry, text).unwrap();
    }
    (answer, stderr)
}

/// pyvenv's reading of the laid-out shim against the shim itself: whether
/// pyvenv decided, or how the two differ.
fn check(case: &Case, laid: &Laid) -> Result<bool, String> {
    let env = PyenvEnv::from_vars(laid.vars.clone());
    let ours = resolve(&laid.shim, Some(&laid.path), &laid.cwd, &env);
    // Undecided is always allowed: pyvenv runs the shim then, as it runs
    // any script it does not take for pyenv's shim.
    if matches!(ours, Resolution::Undecided | Resolution::NotAShim) {
        return Ok(false);
    }
    let (theirs, stderr) = oracle(case, laid);
    let agrees = match &ours {
        // The very bytes: the path is the interpreter's argv[0].
        Resolution::Runs(program) => {
            theirs.as_ref().map(|t| t.as_os_str()) == Some(program.as_os_str())
        }
        Resolution::Fails => theirs.is_none(),
        Resolution::Undecided | Resolution::NotAShim => true,
    };
    if agrees {
        Ok(true)
    } else {
        Err(format!("pyvenv: {ours:?}\nthe shim: {theirs:?}\n{stderr}"))
    }
}

fn cases() -> u32 {
    let ci = std::env::var_os("CI").is_some_and(|v| v == "true");
    std::env::var("PYVENV_PYENV_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if ci { 400 } else { 96 })
}

fn seed() -> RngSeed {
    let fixed = std::env::var("PYVENV_PYENV_SEED")
        .ok()
        .and_then(|s| s.parse().ok());
    match fixed {
        Some(seed) => RngSeed::Fixed(seed),
        None if std::env::var_os("CI").is_some_and(|v| v == "true") => RngSeed::Fixed(20),
        None => {
            let seed = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            eprintln!("PYVENV_PYENV_SEED={seed}");
            RngSeed::Fixed(seed)
        }
    }
}

#[test]
fn generated_cases_decide_as_the_shim_runs() {
    let Some(install) = super::pyenv_install() else {
        return;
    };
    let fx = Fixture::new(&install);
    let config = Config {
        cases: cases(),
        rng_seed: seed(),
        failure_persistence: None,
        ..Config::default()
    };
    let decided = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |case| {
        total.fetch_add(1, Ordering::Relaxed);
        let laid = lay_out(&fx, &case, &install);
        match check(&case, &laid) {
            Ok(true) => {
                decided.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(e) => Err(TestCaseError::fail(e)),
        }
    });
    let (decided, total) = (decided.into_inner(), total.into_inner());
    eprintln!("{decided} of {total} generated cases decided without the shim");
    if let Err(e) = result {
        panic!("{e}");
    }
    // A reader that gives up on everything would pass the comparison.
    assert!(decided * 5 > total * 2, "only {decided} of {total} decided");
}

/// A case with nothing odd: one version, selected by the global file.
fn plain() -> Case {
    Case {
        root: Root::Plain,
        versions: vec![("3.12.1".into(), Entry::Python)],
        global: Some("3.12.1\n".into()),
        depth: 1,
        cwd_depth: 1,
        files: Vec::new(),
        pyenv_version: None,
        pyenv_dir: Dir::Unset,
        pwd: Dir::Cwd,
        path: PathChoice {
            system_python: false,
            system_first: false,
            shim_elsewhere: false,
            shim_var: 9,
            odd_entry: 9,
        },
        hook_path: 9,
        virtualenv_plugin: false,
    }
}

/// Each rule, pinned by a case the generator reaches only by chance:
/// pyvenv agrees with the shim, and decides where nothing makes pyenv's
/// choice uncertain (a reader that gives up more often would pass the
/// generated comparison).
#[test]
fn pinned_cases_decide_as_the_shim_runs() {
    let Some(install) = super::pyenv_install() else {
        return;
    };
    let fx = Fixture::new(&install);
    let with = |f: fn(&mut Case)| {
        let mut case = plain();
        f(&mut case);
        case
    };
    // (case, whether pyvenv decides)
    let cases: Vec<(Case, bool)> = vec![
        (plain(), true),
        // A root given as a relative path: the shim's test of its own
        // directory against it depends on where it is run from; undecided.
        (with(|c| c.root = Root::Relative), false),
        // A virtualenv selected, but no pyenv-virtualenv hooks to look
        // further: pyenv fails.
        (
            with(|c| {
                c.versions = vec![("venv".into(), Entry::Virtualenv)];
                c.global = Some("venv\n".into());
            }),
            true,
        ),
        // pyenv-virtualenv's hooks, but no virtualenv selected.
        (
            with(|c| {
                c.versions = vec![("3.12.1".into(), Entry::NoPython)];
                c.virtualenv_plugin = true;
            }),
            true,
        ),
        // A 3.13t nothing matches: pyenv-prefix's `latest -f` gives 3.13.
        (
            with(|c| {
                c.versions = vec![("3.13".into(), Entry::Python)];
                c.pyenv_version = Some("3.13t".into());
            }),
            true,
        ),
        // PYENV_DIR has no .python-version above it: the working
        // directory's is found next.
        (
            with(|c| {
                c.versions.push(("3.11.7".into(), Entry::Python));
                c.global = Some("3.11.7\n".into());
                c.cwd_depth = 0;
                c.files = vec![(2, Some("3.12.1\n".into()))];
                c.pyenv_dir = Dir::Level(0);
            }),
            true,
        ),
        // A prefix: the newest release (not 3.12.2b's "b" without a number,
        // which pyenv keeps, nor a pre-release).
        (
            with(|c| {
                c.versions = ["3.12.1", "3.12.9", "3.12.10rc1"]
                    .iter()
                    .map(|n| (n.to_string(), Entry::Python))
                    .collect();
                c.global = Some("3.12\n".into());
            }),
            true,
        ),
        (
            with(|c| {
                c.versions = vec![
                    ("3.12.1".into(), Entry::Python),
                    ("3.12.2b".into(), Entry::Python),
                ];
                c.global = Some("3.12\n".into());
            }),
            true,
        ),
        // `python-3.12.1` installed under that name is taken as it is.
        (
            with(|c| {
                c.versions.push(("python-3.12.1".into(), Entry::Python));
                c.pyenv_version = Some("python-3.12.1".into());
            }),
            true,
        ),
        // A NUL byte, which bash drops, and a line longer than pyenv's
        // 1024-byte reads: undecided.
        (with(|c| c.global = Some("3.1\u{0}2.1\n".into())), false),
        (
            with(|c| {
                c.versions.push(("3.12.9".into(), Entry::Python));
                c.global = Some(format!("{}3.12.1\n", " ".repeat(1020)));
            }),
            false,
        ),
        // A relative PYENV_DIR, which pyenv `cd`s to: undecided (here
        // `..` has the version file the working directory's would hide).
        (
            with(|c| {
                c.versions.push(("3.11.7".into(), Entry::Python));
                c.files = vec![(2, Some("3.12.1\n".into())), (3, Some("3.11.7\n".into()))];
                c.pyenv_dir = Dir::Relative(0);
            }),
            false,
        ),
        // The shell's working directory is through a symlink: the version
        // file above the link counts, not the one above the real directory.
        (
            with(|c| {
                c.versions.push(("3.11.7".into(), Entry::Python));
                c.files = vec![(0, Some("3.11.7\n".into())), (1, Some("3.12.1\n".into()))];
                c.global = Some("3.11.7\n".into());
                c.pwd = Dir::Logical;
            }),
            true,
        ),
        // PYENV_HOOK_PATH with no hook in it.
        (with(|c| c.hook_path = 0), true),
        // `system` finds no python3: the shims' own directories and the
        // ones a shim run before left in _PYENV_SHIM_PATHS_PYTHON3 are
        // passed over.
        (
            with(|c| {
                c.pyenv_version = Some("system".into());
                c.path.system_python = true;
                c.path.shim_var = 1;
            }),
            true,
        ),
        (
            with(|c| {
                c.pyenv_version = Some("system".into());
                c.path.shim_elsewhere = true;
            }),
            true,
        ),
        // A virtualenv made with --system-site-packages: pyenv-virtualenv's
        // hook finds its base python.
        (
            with(|c| {
                c.versions = vec![("venv".into(), Entry::Virtualenv)];
                c.global = Some("venv\n".into());
                c.virtualenv_plugin = true;
            }),
            false,
        ),
        // python3 a directory: pyenv takes it (and fails).
        (
            with(|c| {
                c.versions = vec![("3.12.1".into(), Entry::DirPython)];
                c.path.system_python = true;
            }),
            false,
        ),
        // `python-3.12` means 3.12's newest; a name that starts with `-`
        // sorts like any other.
        (with(|c| c.pyenv_version = Some("python-3.12".into())), true),
        (
            with(|c| {
                c.versions.push(("-3.12.1".into(), Entry::Python));
                c.pyenv_version = Some("-3.12".into());
            }),
            true,
        ),
        // A 30-digit number still sorts as pyenv's; `t` ends a prefix only
        // after a digit.
        (
            with(|c| {
                c.versions
                    .push((format!("3.12.{}", "9".repeat(30)), Entry::Python));
                c.global = Some("3.12\n".into());
            }),
            true,
        ),
        (
            with(|c| {
                c.versions = vec![("3.12.x".into(), Entry::Python)];
                c.pyenv_version = Some("3.12.xt".into());
            }),
            true,
        ),
        // An empty name in PYENV_VERSION: undecided (pyenv makes a path
        // of every selected version's prefix for it).
        (
            with(|c| {
                c.versions.push(("bin".into(), Entry::Flat));
                c.pyenv_version = Some(":3.12.1".into());
            }),
            false,
        ),
        // PWD names another directory: bash (and pyenv) take the real one.
        (
            with(|c| {
                c.versions.push(("3.11.7".into(), Entry::Python));
                c.files = vec![(3, Some("3.11.7\n".into()))];
                c.pwd = Dir::Level(0);
            }),
            true,
        ),
        // A hook that sends pyenv elsewhere: undecided.
        (with(|c| c.hook_path = 1), false),
        (with(|c| c.hook_path = 3), false),
        (with(|c| c.hook_path = 4), false),
        (with(|c| c.hook_path = 5), false),
        (with(|c| c.hook_path = 6), false),
        // A number too long to compare as pyenv's sort does: undecided.
        (
            with(|c| {
                c.versions
                    .push((format!("3.12.{}", "9".repeat(40)), Entry::Python));
                c.global = Some("3.12\n".into());
            }),
            false,
        ),
    ];
    for (case, decides) in cases {
        let laid = lay_out(&fx, &case, &install);
        assert_eq!(check(&case, &laid), Ok(decides), "{case:?}");
    }
}

/// pyvenv reads a shim of up to 4096 bytes (pyenv's are about 300) and
/// takes a longer one for some other script; a long `$PYENV_ROOT` is what
/// makes a real shim that long.
#[test]
fn a_shim_is_read_up_to_4096_bytes() {
    let Some(install) = super::pyenv_install() else {
        return;
    };
    let fx = Fixture::new(&install);
    for size in [4096, 4097] {
        let tmp = tempfile::tempdir().unwrap();
        let top = tmp.path();
        // The root appears twice in the shim, pyenv's path once: a pyenv
        // path one byte longer makes up an odd size.
        let mut pyenv = top.join("p");
        let base = fx.shim_for("", "").len();
        let pyenv_len = |p: &Path| p.join("libexec/pyenv").as_os_str().len();
        if (size - base - pyenv_len(&pyenv)) % 2 == 1 {
            pyenv = top.join("pp");
        }
        symlink(&install, &pyenv).unwrap();
        let root_len = (size - base - pyenv_len(&pyenv)) / 2;
        let mut root = top.to_path_buf();
        while root.as_os_str().len() + 202 < root_len {
            root.push("a".repeat(200));
        }
        root.push("b".repeat(root_len - root.as_os_str().len() - 1));
        let text = fx.shim_for(
            root.to_str().unwrap(),
            pyenv.join("libexec/pyenv").to_str().unwrap(),
        );
        assert_eq!(text.len(), size);
        write_python(&root.join("versions/3.12.1/bin/python3"));
        let shim = root.join("shims/python3");
        std::fs::create_dir_all(shim.parent().unwrap()).unwrap();
        std::fs::write(&shim, text).unwrap();
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        let env = PyenvEnv::from_vars([("PYENV_VERSION".into(), "3.12.1".into())]);
        let ours = resolve(&shim, Some(fx.tools.as_os_str()), top, &env);
        let expected = if size == 4096 {
            Resolution::Runs(root.join("versions/3.12.1/bin/python3"))
        } else {
            Resolution::NotAShim
        };
        assert_eq!(ours, expected, "a shim of {size} bytes");
    }
}

/// pyvenv reads the shims of the pyenv releases whose rules it follows
/// (2.6.18 to 2.6.x) and leaves any other release's to run.
#[test]
fn only_known_pyenv_releases_are_read() {
    let Some(install) = super::pyenv_install() else {
        return;
    };
    let fx = Fixture::new(&install);
    for (release, read) in [
        ("2.6.17", false),
        ("2.6.18", true),
        ("2.6.99", true),
        ("2.7.0", false),
        ("3.0.0", false),
        ("2.6", false),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join("pyenv");
        std::fs::create_dir(&copy).unwrap();
        let ok = Command::new("cp")
            .arg("-R")
            .arg(install.join("libexec"))
            .arg(&copy)
            .status()
            .unwrap()
            .success();
        assert!(ok, "copying pyenv's libexec");
        let version = copy.join("libexec/pyenv---version");
        let text = std::fs::read_to_string(&version).unwrap();
        let line = text.lines().find(|l| l.starts_with("version=\"")).unwrap();
        std::fs::write(
            &version,
            text.replace(line, &format!("version=\"{release}\"")),
        )
        .unwrap();
        let root = tmp.path().join("root");
        write_python(&root.join("versions/3.12.1/bin/python3"));
        let shim = root.join("shims/python3");
        std::fs::create_dir_all(shim.parent().unwrap()).unwrap();
        let pyenv = copy.join("libexec/pyenv");
        std::fs::write(
            &shim,
            fx.shim_for(root.to_str().unwrap(), pyenv.to_str().unwrap()),
        )
        .unwrap();
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        let env = PyenvEnv::from_vars([("PYENV_VERSION".into(), "3.12.1".into())]);
        let ours = resolve(&shim, Some(fx.tools.as_os_str()), tmp.path(), &env);
        let expected = if read {
            Resolution::Runs(root.join("versions/3.12.1/bin/python3"))
        } else {
            Resolution::Undecided
        };
        assert_eq!(ours, expected, "pyenv {release}");
    }
}

/// pyenv's own pip-rehash hook swaps the program for pip, easy_install and
/// conda (to rehash after installing): their shims are left to run.
#[test]
fn shims_the_pip_rehash_hook_swaps_are_left_to_run() {
    let Some(install) = super::pyenv_install() else {
        return;
    };
    let fx = Fixture::new(&install);
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let pyenv = install.join("libexec/pyenv");
    let text = fx.shim_for(root.to_str().unwrap(), pyenv.to_str().unwrap());
    let env = PyenvEnv::from_vars([("PYENV_VERSION".into(), "3.12.1".into())]);
    for (command, read) in [
        ("python3", true),
        ("pip", false),
        ("pip3.12", false),
        ("easy_install", false),
        ("conda", false),
    ] {
        write_python(&root.join("versions/3.12.1/bin").join(command));
        let shim = root.join("shims").join(command);
        std::fs::create_dir_all(shim.parent().unwrap()).unwrap();
        std::fs::write(&shim, &text).unwrap();
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        let ours = resolve(&shim, Some(fx.tools.as_os_str()), tmp.path(), &env);
        let expected = if read {
            Resolution::Runs(root.join("versions/3.12.1/bin").join(command))
        } else {
            Resolution::Undecided
        };
        assert_eq!(ours, expected, "{command}");
    }
}
