//! Choosing the target interpreter: `-p/--python`, then `PYVENV_PYTHON`,
//! then the program's own name (`pyvenv-3.12`), then `python3` and `python`
//! on PATH.
//!
//! A version (`-p 3.12`) is looked for where each host keeps Pythons: the
//! `python3.12` command on PATH and pyenv's versions everywhere; on Windows
//! also the `py` launcher's list, PEP 514's registry entries and the
//! unversioned `python.exe`/`python3.exe` on PATH; on macOS python.org's
//! framework installs and Homebrew's `opt` links ([`installs`]).
//!
//! Finding is kept apart from asking: this module turns a request into
//! candidate programs and lets [`BaseInterpreter::probe`] judge each one, so
//! a pyenv shim that cannot run the version asked for is simply passed over,
//! and the facts always come from the real interpreter (never the shim).
//! A pyenv shim is read by pyenv's own rules ([`crate::interpreter::pyenv`]) rather than
//! run, so its interpreter's facts can come from the cache; a shim those
//! rules cannot decide is run as any other program.

use std::cell::OnceCell;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::interpreter::facts_cache::FactsCache;
use crate::interpreter::installs::{self, HostLists};
use crate::interpreter::probe::BaseInterpreter;
use crate::interpreter::pyenv::{PyenvEnv, Resolution};
use crate::os::host::Host;
use crate::os::meta::{is_app_execution_alias, is_executable};
use crate::os::trust::PrivateDir;

/// What the user asked for, in one of the three forms `-p` accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PythonRequest {
    /// A path to an interpreter (anything holding a path separator: `/`,
    /// and on Windows `\` too, or a Windows drive's `C:`).
    Path(PathBuf),
    /// A command looked up on PATH (`python3.12`, `pypy3`).
    Command(String),
    /// `3`, `3.12` or `3.12.1`.
    Version(Vec<u32>),
}

impl PythonRequest {
    /// Reads one of `-p`'s forms.
    pub fn parse(text: &str) -> PythonRequest {
        if text.chars().any(std::path::is_separator) || Path::new(text).is_absolute() {
            return PythonRequest::Path(PathBuf::from(text));
        }
        let parts: Option<Vec<u32>> = text.split('.').map(|p| p.parse().ok()).collect();
        match parts {
            Some(parts) if !parts.is_empty() && parts.len() <= 3 => PythonRequest::Version(parts),
            _ => PythonRequest::Command(text.to_string()),
        }
    }

    /// The request implied by the program's own name: `pyvenv-3.12` means
    /// 3.12, and so does `pyvenv-3.12.exe` where programs end so (Windows,
    /// in any case: `PYVENV-3.12.EXE`).
    pub fn from_program_name(argv0: &Path) -> Option<PythonRequest> {
        let suffix = std::env::consts::EXE_EXTENSION;
        let has_suffix = argv0
            .extension()
            .is_some_and(|e| !suffix.is_empty() && e.eq_ignore_ascii_case(suffix));
        let name = if has_suffix {
            argv0.file_stem()?
        } else {
            argv0.file_name()?
        };
        let name = name.to_str()?;
        let version = name.strip_prefix("pyvenv-")?;
        match PythonRequest::parse(version) {
            request @ PythonRequest::Version(_) => Some(request),
            _ => None,
        }
    }
}

/// Where interpreters may be found; passed in so tests can set it freely.
#[derive(Debug, Clone, Default)]
pub struct SearchPath {
    /// The value of PATH.
    pub path: Option<OsString>,
    /// The pyenv root (`PYENV_ROOT`, or `~/.pyenv`).
    pub pyenv_root: Option<PathBuf>,
    /// The working directory, to make a relative `-p` absolute.
    pub cwd: PathBuf,
    /// How long to wait for each candidate to answer.
    pub timeout: Duration,
    /// pyvenv's cache directory, where interpreter facts are remembered.
    pub facts_cache: Option<PrivateDir>,
    /// The variables pyenv's shims read.
    pub pyenv_env: PyenvEnv,
    /// The host, which decides where else Pythons are looked for.
    pub host: Host,
    /// What the host lists of its Pythons, read when first needed (a test
    /// may fill it to stand for a host's answers).
    pub host_lists: OnceCell<HostLists>,
}

/// What running a program found on PATH would run.
enum Runs {
    /// This interpreter (the program itself, or what a pyenv shim picks).
    Program(PathBuf),
    /// A pyenv shim that would fail: no selected version has the command.
    FailingShim(PathBuf),
    /// A script to run and ask as it is (a shim pyvenv cannot decide).
    Script(PathBuf),
}

impl SearchPath {
    /// Finds and asks the interpreter `request` names; `None` means the default.
    pub fn find(&self, request: Option<&PythonRequest>) -> Result<BaseInterpreter> {
        match request {
            Some(PythonRequest::Path(path)) => {
                let path = crate::os::paths::absolute(&self.cwd, path);
                if !path.exists() {
                    return Err(Error::NoInterpreter {
                        request: path.display().to_string(),
                        asked_by: None,
                        tried: format!("{} (no such file)", path.display()),
                        found: self.installed(),
                    });
                }
                self.probe(&path)
            }
            Some(PythonRequest::Command(name)) => {
                // A pyenv shim for a version that is not active fails; the
                // next match on PATH may be the real thing.
                // pyenv's own error for a failing shim is only wanted when
                // nothing else on PATH answers, so it is asked for last.
                let mut first_error = None;
                let mut failing_shim = None;
                for program in self.on_path(name) {
                    let program = match self.runs(&program) {
                        Runs::FailingShim(shim) => {
                            failing_shim.get_or_insert(shim);
                            continue;
                        }
                        runs => runs,
                    };
                    match self.ask(&program) {
                        Ok(found) => return Ok(found),
                        Err(e) => {
                            first_error.get_or_insert(e);
                        }
                    }
                }
                if let Some(shim) = failing_shim.filter(|_| first_error.is_none()) {
                    // Run anyway, in case pyenv knows better than its rules
                    // as read here; its failure is told in one line.
                    return self
                        .ask(&Runs::Script(shim.clone()))
                        .map_err(|e| Error::ShimFailed {
                            command: name.clone(),
                            said: match e {
                                Error::ProbeFailed { said, status, .. } => said.unwrap_or(status),
                                other => other.to_string(),
                            },
                            hint: self.version_hint(name),
                            shim,
                        });
                }
                Err(first_error.unwrap_or_else(|| Error::NoInterpreter {
                    request: name.clone(),
                    asked_by: None,
                    tried: format!("{name} on PATH"),
                    found: self.installed(),
                }))
            }
            Some(PythonRequest::Version(parts)) => self.find_version(parts),
            None => self.find_default(),
        }
    }

    /// Asks `program` for its facts, or remembers its last answer.
    /// Asks `program` for its facts, through the facts cache when there is
    /// one. The cache is consulted here, by the caller of the probe, so the
    /// probe and the cache need not know each other.
    fn probe(&self, program: &Path) -> Result<BaseInterpreter> {
        let Some(cache) = self.facts_cache.as_ref().and_then(FactsCache::open) else {
            return BaseInterpreter::probe(program, self.timeout);
        };
        if let Some(facts) = cache.get(program) {
            return Ok(facts);
        }
        let facts = BaseInterpreter::probe(program, self.timeout)?;
        cache.put(program, &facts);
        Ok(facts)
    }

    /// For `-v`: how the first program a command or default request meets
    /// on PATH was taken, where it is a shim or a script; `None` otherwise.
    pub fn shim_note(&self, request: Option<&PythonRequest>) -> Option<String> {
        let name = match request {
            None => "python3",
            Some(PythonRequest::Command(name)) => name.as_str(),
            Some(_) => return None,
        };
        let program = self.on_path(name).into_iter().next()?;
        match self.runs(&program) {
            Runs::Program(real) if real != program => Some(format!(
                "{} is pyenv's shim, read by pyenv's rules without running it: it runs {}",
                program.display(),
                real.display()
            )),
            Runs::Script(script) => Some(format!(
                "{} is a script (a shim pyvenv cannot read, or another), so it was run",
                script.display()
            )),
            Runs::FailingShim(shim) => Some(format!(
                "{} is pyenv's shim, and pyenv has no such command for the selected version",
                shim.display()
            )),
            Runs::Program(_) => None,
        }
    }

    /// What running `program` would run, a pyenv shim read by pyenv's rules.
    fn runs(&self, program: &Path) -> Runs {
        let resolution = crate::interpreter::pyenv::resolve(
            program,
            self.path.as_deref(),
            &self.cwd,
            &self.pyenv_env,
        );
        match resolution {
            // An older pyenv's shim, or another script that may run one.
            Resolution::NotAShim if crate::interpreter::facts_cache::is_script(program) => {
                Runs::Script(program.to_path_buf())
            }
            Resolution::NotAShim => Runs::Program(program.to_path_buf()),
            Resolution::Runs(real) => Runs::Program(real),
            Resolution::Fails => Runs::FailingShim(program.to_path_buf()),
            Resolution::Undecided => Runs::Script(program.to_path_buf()),
        }
    }

    /// Asks what `runs` names. A shim is run from `/` (so no stray module in
    /// the user's directory shadows the probe's imports) with `PYENV_DIR`
    /// naming the user's directory, where pyenv looks for `.python-version`.
    fn ask(&self, runs: &Runs) -> Result<BaseInterpreter> {
        match runs {
            Runs::Program(program) => self.probe(program),
            Runs::FailingShim(shim) | Runs::Script(shim) => {
                let dir = crate::interpreter::pyenv::logical_cwd(
                    &self.cwd,
                    self.pyenv_env.pwd.as_deref(),
                );
                let env: &[(&str, &std::ffi::OsStr)] = if self.pyenv_env.dir.is_some() {
                    &[]
                } else {
                    &[("PYENV_DIR", dir.as_os_str())]
                };
                BaseInterpreter::probe_with_env(shim, self.timeout, env)
            }
        }
    }

    fn find_default(&self) -> Result<BaseInterpreter> {
        let mut tried = Vec::new();
        for name in ["python3", "python"] {
            if let Some(program) = self.on_path(name).into_iter().next() {
                return self.ask(&self.runs(&program));
            }
            tried.push(format!("{name} on PATH"));
        }
        // Windows' installers need not put python on PATH; the launcher's
        // default, or the newest registered, is what `py` would run.
        if self.host == Host::Windows
            && let Some(listed) = self.listed(None).into_iter().next()
        {
            return self.probe(&listed.program);
        }
        Err(Error::NoInterpreter {
            request: "python3".into(),
            asked_by: None,
            tried: tried.join(", "),
            found: self.installed(),
        })
    }

    fn find_version(&self, parts: &[u32]) -> Result<BaseInterpreter> {
        let wanted = parts
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(".");
        let mut tried = Vec::new();
        for program in self.version_candidates(parts) {
            let runs = self.runs(&program);
            if let Runs::FailingShim(_) = runs {
                tried.push(format!(
                    "{} (pyenv: no selected version has it)",
                    program.display()
                ));
                continue;
            }
            match self.ask(&runs) {
                Ok(found) if version_matches(found.version, parts) => return Ok(found),
                Ok(found) => tried.push(format!(
                    "{} (Python {})",
                    program.display(),
                    found.short_version()
                )),
                Err(e) => tried.push(format!("{} ({})", program.display(), why_not(&e))),
            }
        }
        if tried.is_empty() {
            tried.push(format!(
                "{} on PATH and in {}{}",
                command_for(parts),
                self.pyenv_versions()
                    .map_or_else(|| "pyenv".into(), |p| p.display().to_string()),
                match self.host {
                    Host::Posix => "",
                    Host::Windows => ", the py launcher's list and the registry (PEP 514)",
                    Host::MacOs => ", python.org's framework and Homebrew",
                }
            ));
        }
        Err(Error::NoInterpreter {
            request: wanted,
            asked_by: None,
            tried: tried.join(", "),
            found: self.installed(),
        })
    }

    /// For a command that names a version (`python3.12`), what `-p 3.12`
    /// would use instead: the first candidate that is not a failing shim.
    /// Nothing is run.
    fn version_hint(&self, command: &str) -> String {
        let version = command.strip_prefix("python").map(PythonRequest::parse);
        let Some(PythonRequest::Version(parts)) = version else {
            return "; `pyenv versions` lists what is installed".into();
        };
        let wanted = parts.iter().map(u32::to_string).collect::<Vec<_>>();
        let usable = self
            .version_candidates(&parts)
            .into_iter()
            .find_map(|program| match self.runs(&program) {
                Runs::Program(real) | Runs::Script(real) => Some(real),
                Runs::FailingShim(_) => None,
            });
        match usable {
            Some(program) => format!(
                "; `-p {}` would use {}",
                wanted.join("."),
                program.display()
            ),
            None => format!(
                "; no installed Python {} was found either",
                wanted.join(".")
            ),
        }
    }

    /// The interpreters there are to choose from, without running any:
    /// pyenv's installed versions, and the `pythonX[.Y]` and `pypyX[.Y]`
    /// programs on PATH that are not scripts (pyenv's shims are, and stand
    /// for the versions already listed).
    fn installed(&self) -> String {
        let mut found = Vec::new();
        if let Some(versions) = self.pyenv_versions() {
            let mut names: Vec<(Vec<u32>, String)> = std::fs::read_dir(&versions)
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|entry| entry.file_name().into_string().ok())
                .map(|name| {
                    let key = name.split('.').map(|p| p.parse().unwrap_or(0)).collect();
                    (key, name)
                })
                .collect();
            names.sort();
            if !names.is_empty() {
                let names: Vec<String> = names.into_iter().map(|(_, n)| n).collect();
                found.push(format!("{} in {}", names.join(", "), versions.display()));
            }
        }
        let mut commands: Vec<String> = Vec::new();
        if let Some(path) = &self.path {
            for dir in std::env::split_paths(path).filter(|d| !d.as_os_str().is_empty()) {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let Ok(name) = entry.file_name().into_string() else {
                        continue;
                    };
                    let Some(name) = name.strip_suffix(std::env::consts::EXE_SUFFIX) else {
                        continue;
                    };
                    let name = name.to_string();
                    if is_interpreter_name(&name)
                        && !commands.contains(&name)
                        && is_executable(&entry.path())
                        && !is_store_stub(&dir, is_app_execution_alias(&entry.path()))
                        && !crate::interpreter::facts_cache::is_script(&entry.path())
                    {
                        commands.push(name);
                    }
                }
            }
        }
        if !commands.is_empty() {
            commands.sort();
            found.push(format!("{} on PATH", commands.join(", ")));
        }
        for listed in self.listed(None) {
            found.push(format!("{} ({})", listed.program.display(), listed.source));
        }
        if found.is_empty() {
            "nothing (no python3 on PATH, no pyenv versions)".into()
        } else {
            found.join("; ")
        }
    }

    /// Programs that may be the version asked for, most likely first: the
    /// matching command on PATH, then pyenv's installations, newest first.
    fn version_candidates(&self, parts: &[u32]) -> Vec<PathBuf> {
        let command = command_for(parts);
        let mut candidates = self.on_path(&command);
        if self.host == Host::Windows {
            // Windows' installers name no version on PATH: what they list
            // elsewhere first, then the plain names, each asked its version.
            candidates.extend(self.listed(Some(parts)).into_iter().map(|l| l.program));
            candidates.extend(self.on_path("python3"));
            candidates.extend(self.on_path("python"));
        } else if parts.len() == 1 {
            candidates.extend(self.on_path("python"));
        }
        if let Some(versions) = self.pyenv_versions() {
            let mut installs: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(&versions)
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|entry| {
                    let name = entry.file_name().into_string().ok()?;
                    let numbers: Option<Vec<u32>> =
                        name.split('.').map(|p| p.parse().ok()).collect();
                    let numbers = numbers?;
                    version_prefix_matches(&numbers, parts).then(|| (numbers, entry.path()))
                })
                .collect();
            installs.sort_by(|a, b| b.0.cmp(&a.0));
            for (_, dir) in installs {
                let program = dir.join("bin").join(&command);
                if program.is_file() {
                    candidates.push(program);
                }
            }
        }
        if self.host == Host::MacOs {
            candidates.extend(
                self.listed(Some(parts))
                    .into_iter()
                    .map(|l| l.program)
                    .filter(|program| is_executable(program)),
            );
        }
        let mut seen = Vec::new();
        candidates.retain(|c| {
            let keep = !seen.contains(c);
            seen.push(c.clone());
            keep
        });
        candidates
    }

    /// The host's own lists' candidates for `wanted` (see [`installs`]).
    fn listed(&self, wanted: Option<&[u32]>) -> Vec<installs::Listed> {
        self.host_lists
            .get_or_init(|| {
                // Only Windows' `py` is the launcher whose list is read.
                let py = (self.host == Host::Windows)
                    .then(|| self.on_path("py").into_iter().next())
                    .flatten();
                HostLists::read(self.host, py.as_deref(), self.timeout)
            })
            .candidates(wanted)
    }

    fn pyenv_versions(&self) -> Option<PathBuf> {
        self.pyenv_root.as_ref().map(|root| root.join("versions"))
    }

    /// Every executable file called `name` (`name.exe` on Windows) in
    /// PATH's directories, in order, but the Microsoft Store's stubs.
    fn on_path(&self, name: &str) -> Vec<PathBuf> {
        let Some(path) = &self.path else {
            return Vec::new();
        };
        let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
        std::env::split_paths(path)
            .filter(|dir| !dir.as_os_str().is_empty())
            .filter_map(|dir| {
                let candidate = crate::os::paths::absolute(&self.cwd, &dir.join(&file));
                let stub = is_store_stub(&dir, is_app_execution_alias(&candidate));
                (is_executable(&candidate) && !stub).then_some(candidate)
            })
            .collect()
    }
}

/// Why a candidate was passed over, in a few words for the `tried` list.
fn why_not(error: &Error) -> String {
    match error {
        Error::UnsupportedPython { version, .. } => {
            format!("Python {version}; pyvenv needs CPython 3.6 or newer")
        }
        Error::NotAPython { reason, .. } => reason.clone(),
        Error::ProbeFailed { status, said, .. } => match said {
            Some(said) => format!("it failed, {status}: {said}"),
            None => format!("it failed, {status}"),
        },
        other => other.to_string(),
    }
}

/// Whether a program in `dir` is the Microsoft Store's stand-in for
/// Python: an app execution alias (`alias`) in the user's
/// `Microsoft\WindowsApps`, which opens the Store when no Python from the
/// Store is installed. A Python the Store did install registers itself
/// (PEP 514) and is found there instead.
fn is_store_stub(dir: &Path, alias: bool) -> bool {
    // Split by hand, on both separators: the test runs on any host.
    let dir = dir.to_string_lossy();
    let mut names = dir.rsplit(['/', '\\']).filter(|n| !n.is_empty());
    let last = names.next();
    let parent = names.next();
    alias
        && last.is_some_and(|n| n.eq_ignore_ascii_case("WindowsApps"))
        && parent.is_some_and(|n| n.eq_ignore_ascii_case("Microsoft"))
}

/// `python`, `python3`, `python3.12`, `pypy3`, `pypy3.11`: the names an
/// interpreter goes by on PATH (not `python3-config`).
fn is_interpreter_name(name: &str) -> bool {
    let Some(rest) = name
        .strip_prefix("python")
        .or_else(|| name.strip_prefix("pypy"))
    else {
        return false;
    };
    rest.split('.')
        .enumerate()
        .all(|(i, part)| (i == 0 && part.is_empty()) || part.parse::<u32>().is_ok())
        && rest.split('.').count() <= 2
}

fn command_for(parts: &[u32]) -> String {
    match parts {
        [major] => format!("python{major}"),
        [major, minor, ..] => format!("python{major}.{minor}"),
        [] => "python3".into(),
    }
}

fn version_matches(version: (u32, u32, u32), parts: &[u32]) -> bool {
    version_prefix_matches(&[version.0, version.1, version.2], parts)
}

fn version_prefix_matches(have: &[u32], wanted: &[u32]) -> bool {
    wanted.len() <= have.len() && have.iter().zip(wanted).all(|(h, w)| h == w)
}

#[cfg(test)]
#[path = "discovery_tests.rs"]
mod tests;
