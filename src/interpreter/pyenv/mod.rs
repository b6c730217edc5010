//! Reading a pyenv shim the way pyenv itself would, without running it.
//!
//! A pyenv shim is a bash script that starts `pyenv exec`, several more bash
//! processes and a `grep`/`sort` pipeline before the real python: about
//! 90 ms on every run, and a script the facts cache must not key. pyenv's
//! choice is a pure function of a few variables and files, so this module
//! follows pyenv's own rules (libexec's `pyenv-version-name`,
//! `pyenv-version-file`, `pyenv-version-file-read`, `pyenv-latest` and
//! `pyenv-which`) and names the program the shim would `exec`.
//!
//! It only answers when it is certain: a shim of the exact template the
//! pyenv versions it knows write, no hook that could change the choice (a
//! plugin's or `PYENV_HOOK_PATH`'s), no version string that pyenv would
//! glob, split oddly or check for path traversal. Anything else is
//! [`Resolution::Undecided`], and the caller runs the shim as before.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::os::meta::is_executable;
use crate::os::paths;
use version::{installed, read_version_file, version_file, version_names};

mod version;

/// The pyenv releases whose rules this module follows: from 2.6.18 (the
/// shim template with `_PYENV_SHIM_PATH`) through the rest of 2.6.
const KNOWN_RELEASES: ((u32, u32, u32), (u32, u32, u32)) = ((2, 6, 18), (2, 7, 0));

/// The largest shim worth reading; pyenv's are about 300 bytes.
const SHIM_LIMIT: u64 = 4096;

/// The variables pyenv reads, gathered once by `main`.
#[derive(Debug, Clone, Default)]
pub struct PyenvEnv {
    /// `PYENV_VERSION`.
    pub version: Option<OsString>,
    /// `PYENV_DIR`: where to start looking for `.python-version`.
    pub dir: Option<OsString>,
    /// `PYENV_HOOK_PATH`.
    pub hook_path: Option<OsString>,
    /// `PWD`, the shell's idea of the working directory.
    pub pwd: Option<OsString>,
    /// `_PYENV_SHIM_PATH` and every `_PYENV_SHIM_PATHS_<PROGRAM>`.
    pub shim_paths: Vec<(OsString, OsString)>,
}

impl PyenvEnv {
    /// The process's own pyenv variables.
    pub fn from_process() -> PyenvEnv {
        PyenvEnv::from_vars(std::env::vars_os())
    }

    /// The pyenv variables among `vars` (an environment's names and
    /// values); an empty one counts as unset, as pyenv's `[ -z ]` does.
    pub fn from_vars(vars: impl IntoIterator<Item = (OsString, OsString)>) -> PyenvEnv {
        let mut env = PyenvEnv::default();
        for (name, value) in vars {
            let slot = match name.as_encoded_bytes() {
                b"PYENV_VERSION" => &mut env.version,
                b"PYENV_DIR" => &mut env.dir,
                b"PYENV_HOOK_PATH" => &mut env.hook_path,
                b"PWD" => &mut env.pwd,
                n if n.starts_with(b"_PYENV_SHIM_PATH") => {
                    env.shim_paths.push((name, value));
                    continue;
                }
                _ => continue,
            };
            *slot = Some(value).filter(|v| !v.is_empty());
        }
        env
    }

    fn shim_path_var(&self, name: &str) -> Option<&OsStr> {
        self.shim_paths
            .iter()
            .find(|(k, _)| k.as_encoded_bytes() == name.as_bytes())
            .map(|(_, v)| v.as_os_str())
    }
}

/// What running a program through pyenv would run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Not a pyenv shim: the program runs as itself.
    NotAShim,
    /// The shim would `exec` this program, with this path as `argv[0]`.
    Runs(PathBuf),
    /// pyenv would fail: no selected version, nor the system, has the command.
    Fails,
    /// A pyenv shim this module cannot decide for; run it.
    Undecided,
}

/// Where the shim asks pyenv to look.
struct Shim {
    /// The shim's directory and name, as the program path gives them.
    dir: Vec<u8>,
    command: String,
    /// `PYENV_ROOT` as the shim exports it, without a trailing slash.
    root: Vec<u8>,
    /// pyenv's installation (the parent of `libexec`).
    install: PathBuf,
}

/// Follows pyenv's rules for the shim at `program` (as found on `path`).
pub fn resolve(program: &Path, path: Option<&OsStr>, cwd: &Path, env: &PyenvEnv) -> Resolution {
    let Some(shim) = read_shim(program) else {
        return Resolution::NotAShim;
    };
    decide(&shim, path, cwd, env).unwrap_or(Resolution::Undecided)
}

/// `None` means undecided.
fn decide(shim: &Shim, path: Option<&OsStr>, cwd: &Path, env: &PyenvEnv) -> Option<Resolution> {
    if !known_release(&shim.install)? {
        return None;
    }
    let hooks = Hooks::find(shim, env)?;
    let pwd = logical_cwd(cwd, env.pwd.as_deref());
    let pyenv_dir = match &env.dir {
        // pyenv aborts on a PYENV_DIR that is not a directory; a relative
        // one is `cd`'d to, which CDPATH may change: let pyenv say.
        Some(dir) => {
            let dir = Path::new(dir);
            if !dir.is_absolute() || !dir.is_dir() {
                return None;
            }
            crate::os::paths::normpath(dir)
        }
        None => pwd.clone(),
    };
    let root = &PathBuf::from(paths::os_string(&shim.root));
    let selected = match &env.version {
        Some(v) => v.as_encoded_bytes().to_vec(),
        None => {
            let file = version_file(&pyenv_dir, &pwd).unwrap_or_else(|| root.join("version"));
            read_version_file(&file)?
        }
    };
    let names = version_names(&selected, root)?;
    // `pyenv-which`: each selected version in order, then the system.
    for name in names.iter().map(String::as_str).chain(["system"]) {
        let candidate = if name == "system" {
            system_command(shim, path, env)?
        } else {
            let found = installed(root, name)?.map(|v| {
                let mut p = shim.root.clone();
                p.extend_from_slice(format!("/versions/{v}/bin/{}", shim.command).as_bytes());
                PathBuf::from(paths::os_string(&p))
            });
            // bash's `[ -x ]` takes a directory too, which pyenv then fails
            // to run (a case the differential test now pins): not imitated.
            if found.as_deref().is_some_and(Path::is_dir) {
                return None;
            }
            found
        };
        if let Some(program) = candidate.filter(|p| is_executable(p)) {
            return Some(Resolution::Runs(program));
        }
    }
    // pyenv-virtualenv's `which` hooks look further, for a virtualenv made
    // with --system-site-packages, only when nothing was found.
    if hooks.virtualenv_which && is_virtualenv(root, &names) {
        return None;
    }
    Some(Resolution::Fails)
}

/// Recognises the shim `pyenv rehash` writes, and where it points.
fn read_shim(program: &Path) -> Option<Shim> {
    let meta = std::fs::metadata(program).ok()?;
    if !meta.is_file() || meta.len() > SHIM_LIMIT {
        return None;
    }
    let text = String::from_utf8(std::fs::read(program).ok()?).ok()?;
    let rest = text.strip_prefix(
        "#!/usr/bin/env bash\nset -e\n[ -n \"$PYENV_DEBUG\" ] && set -x\n\n\
         program=\"${0##*/}\"\n\nexport PYENV_ROOT=\"",
    )?;
    let (root, rest) = rest.split_once("\"\n")?;
    let expected_middle = format!(
        "SHIM_PATH=${{0%/*}}\nif [[ $SHIM_PATH != \"{root}/shims\" ]]; then\n  \
         export _PYENV_SHIM_PATH=\"$SHIM_PATH\"\nfi\nexec \""
    );
    let rest = rest.strip_prefix(&expected_middle)?;
    let pyenv = rest.strip_suffix("\" exec \"$program\" \"$@\"\n")?;
    // Quoting in the template is plain double quotes: a `$`, backquote,
    // backslash or quote would be expanded by bash, so not taken literally.
    let plain = |s: &str| !s.is_empty() && !s.contains(['"', '$', '`', '\\', '\n']);
    if !plain(root) || !plain(pyenv) || !root.starts_with('/') || !pyenv.starts_with('/') {
        return None;
    }
    // The shim runs pyenv, which takes its installation from its own path
    // with every symlink resolved.
    let install = std::fs::canonicalize(pyenv)
        .ok()?
        .parent()?
        .parent()?
        .to_path_buf();
    let bytes = program.as_os_str().as_encoded_bytes();
    let slash = bytes.iter().rposition(|&b| b == b'/')?;
    let root = root.strip_suffix('/').unwrap_or(root);
    Some(Shim {
        dir: bytes[..slash].to_vec(),
        command: std::str::from_utf8(&bytes[slash + 1..]).ok()?.to_string(),
        root: root.as_bytes().to_vec(),
        install,
    })
}

/// Whether `install`'s pyenv is one whose rules are followed here.
fn known_release(install: &Path) -> Option<bool> {
    let text = std::fs::read_to_string(install.join("libexec/pyenv---version")).ok()?;
    let line = text.lines().find_map(|l| l.strip_prefix("version=\""))?;
    let numbers: Vec<u32> = line
        .trim_end_matches('"')
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [major, minor, patch] = numbers[..] else {
        return Some(false);
    };
    let (low, high) = KNOWN_RELEASES;
    Some((major, minor, patch) >= low && (major, minor, patch) < high)
}

/// The hook scripts pyenv would source for the commands a shim runs.
struct Hooks {
    /// pyenv-virtualenv's `which` hooks are there (they act only when the
    /// command was not found).
    virtualenv_which: bool,
}

impl Hooks {
    /// `None` when a hook that could change the choice is present.
    fn find(shim: &Shim, env: &PyenvEnv) -> Option<Hooks> {
        let root = PathBuf::from(paths::os_string(&shim.root));
        // PYENV_HOOK_PATH as the `pyenv` launcher extends it.
        let mut dirs: Vec<PathBuf> = Vec::new();
        if let Some(hook_path) = &env.hook_path {
            for dir in hook_path.as_encoded_bytes().split(|&b| b == b':') {
                // bash would read an empty entry as `/`, a relative one from
                // its working directory: not imitated.
                if !dir.starts_with(b"/") {
                    return None;
                }
                dirs.push(PathBuf::from(paths::os_string(dir)));
            }
        }
        dirs.push(root.join("pyenv.d"));
        if shim.install != root {
            dirs.push(shim.install.join("pyenv.d"));
        }
        for system in [
            "/usr/etc/pyenv.d",
            "/usr/local/etc/pyenv.d",
            "/etc/pyenv.d",
            "/usr/lib/pyenv/hooks",
        ] {
            dirs.push(PathBuf::from(system));
        }
        let virtualenv = root.join("plugins/pyenv-virtualenv/etc/pyenv.d");
        for plugin in sorted_entries(&root.join("plugins")) {
            dirs.push(root.join("plugins").join(plugin).join("etc/pyenv.d"));
        }
        let own = [root.join("pyenv.d"), shim.install.join("pyenv.d")];
        let mut virtualenv_which = false;
        for dir in &dirs {
            for command in ["exec", "which", "version-name"] {
                for script in sorted_entries(&dir.join(command)) {
                    let name = script.as_encoded_bytes();
                    if !name.ends_with(b".bash") || name.starts_with(b".") {
                        continue;
                    }
                    let script = script.to_str()?;
                    match command {
                        // pyenv's own pip-rehash hook swaps the command only
                        // for pip, easy_install and conda.
                        "exec" if own.contains(dir) && script == "pip-rehash.bash" => {
                            if shim.command.starts_with("pip")
                                || shim.command.starts_with("easy_install")
                                || shim.command.starts_with("conda")
                            {
                                return None;
                            }
                        }
                        "which"
                            if *dir == virtualenv
                                && matches!(
                                    script,
                                    "conda.bash"
                                        | "python-config.bash"
                                        | "system-site-packages.bash"
                                ) =>
                        {
                            virtualenv_which = true;
                        }
                        _ => return None,
                    }
                }
            }
        }
        Some(Hooks { virtualenv_which })
    }
}

/// The names in `dir`, sorted; none when it cannot be read.
fn sorted_entries(dir: &Path) -> Vec<OsString> {
    let mut names: Vec<OsString> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    names.sort();
    names
}

/// The working directory as bash sees it: `$PWD` when it names the same
/// directory (so a path through a symlink is kept), else the real one.
pub fn logical_cwd(cwd: &Path, pwd: Option<&OsStr>) -> PathBuf {
    match pwd.map(Path::new) {
        Some(pwd) if pwd.is_absolute() && crate::os::meta::same_entry(pwd, cwd) => {
            crate::os::paths::normpath(pwd)
        }
        _ => cwd.to_path_buf(),
    }
}

/// `pyenv-which` for `system`: the command on PATH, pyenv's shims left out.
/// `Some(None)` when there is none; `None` when bash might find something
/// this does not imitate.
fn system_command(shim: &Shim, path: Option<&OsStr>, env: &PyenvEnv) -> Option<Option<PathBuf>> {
    // The launcher puts libexec and the plugins' bin directories first.
    let mut extra = vec![shim.install.join("libexec")];
    let root = PathBuf::from(paths::os_string(&shim.root));
    for base in [&root, &shim.install] {
        for plugin in sorted_entries(&base.join("plugins")) {
            extra.push(base.join("plugins").join(plugin).join("bin"));
        }
    }
    if extra.iter().any(|d| is_executable(&d.join(&shim.command))) {
        return None;
    }
    let mut removed: Vec<Vec<u8>> = vec![[shim.root.as_slice(), b"/shims"].concat()];
    let own_shims = [shim.root.as_slice(), b"/shims"].concat();
    if shim.dir != own_shims {
        removed.push(shim.dir.clone());
    } else if let Some(inherited) = env.shim_path_var("_PYENV_SHIM_PATH") {
        removed.push(inherited.as_encoded_bytes().to_vec());
    }
    let program: String = shim
        .command
        .chars()
        .map(|c| match c {
            'a'..='z' => c.to_ascii_uppercase(),
            'A'..='Z' | '0'..='9' | '_' => c,
            _ => '_',
        })
        .collect();
    if let Some(more) = env.shim_path_var(&format!("_PYENV_SHIM_PATHS_{program}")) {
        removed.extend(
            more.as_encoded_bytes()
                .split(|&b| b == b':')
                .map(<[u8]>::to_vec),
        );
    }
    if removed.iter().any(Vec::is_empty) {
        return None;
    }
    // Without PATH bash searches a default of its own; `~` is expanded.
    let path = path?.as_encoded_bytes();
    if path.contains(&b'~') {
        return None;
    }
    for dir in path.split(|&b| b == b':') {
        if removed.iter().any(|r| r.as_slice() == dir) {
            continue;
        }
        // The working directory (an empty or relative entry): not imitated.
        if !dir.starts_with(b"/") {
            return None;
        }
        // bash adds a slash only where the entry has none.
        let slash: &[u8] = if dir.ends_with(b"/") { b"" } else { b"/" };
        let candidate = PathBuf::from(paths::os_string(
            &[dir, slash, shim.command.as_bytes()].concat(),
        ));
        if is_executable(&candidate) {
            // Another pyenv's shim would run pyenv again: let it.
            if read_shim(&candidate).is_some() {
                return None;
            }
            return Some(Some(candidate));
        }
    }
    Some(None)
}

/// Whether the selected version is a virtual environment pyenv-virtualenv
/// made (its `which` hooks read the whole selection as one name).
fn is_virtualenv(root: &Path, names: &[String]) -> bool {
    root.join("versions")
        .join(names.join(":"))
        .join("bin/activate")
        .is_file()
}
