//! Where a host keeps installed Pythons beyond PATH and pyenv: on Windows
//! the `py` launcher's list and PEP 514's registry entries, on macOS
//! python.org's framework installs and Homebrew's `opt` links.
//!
//! [`HostLists::read`] gathers what the host says (running `py
//! --list-paths`, reading the registry through [`crate::os::registry`],
//! listing directories) and nothing more; [`HostLists::candidates`]
//! decides, in plain code a test can feed any platform's answers, which
//! programs may be the version asked for and in which order. Every
//! candidate is still asked by the probe, which has the last word.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::os::child::{self, Ending};
use crate::os::host::{Host, RegisteredPython};

/// python.org's framework installs on macOS, one directory per `X.Y`.
pub const FRAMEWORK_VERSIONS: &str = "/Library/Frameworks/Python.framework/Versions";

/// Homebrew's `opt` directories (Apple silicon, then Intel): each formula
/// has a link there that follows upgrades, unlike its versioned `Cellar`
/// directory, whose path breaks when the formula is upgraded.
pub const HOMEBREW_OPT: [&str; 2] = ["/opt/homebrew/opt", "/usr/local/opt"];

/// An interpreter one of the host's lists names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The program to ask.
    pub program: PathBuf,
    /// The version the list gives it (`[3, 12]`), where it gives one.
    pub version: Option<Vec<u32>>,
    /// The list it came from, for messages.
    pub source: &'static str,
    /// The launcher's default (marked `*` in its list).
    pub default: bool,
}

/// What the host's own lists say, as read, before any choice.
#[derive(Debug, Clone, Default)]
pub struct HostLists {
    /// Which lists apply.
    pub host: Host,
    /// The interpreters `py --list-paths` printed, in its order.
    pub py_launcher: Vec<Listed>,
    /// PEP 514's entries, user's first.
    pub registry: Vec<RegisteredPython>,
    /// The names in [`FRAMEWORK_VERSIONS`] (`3.12`, `Current`).
    pub framework_versions: Vec<String>,
    /// For each of [`HOMEBREW_OPT`] that exists, the names in it.
    pub homebrew: Vec<(PathBuf, Vec<String>)>,
}

impl HostLists {
    /// Reads what `host` lists; `py` is the launcher found on PATH, run with
    /// `timeout`. Whatever cannot be read lists nothing.
    pub fn read(host: Host, py: Option<&Path>, timeout: Duration) -> HostLists {
        HostLists::read_below(host, Path::new("/"), py, timeout)
    }

    /// The same, with macOS's fixed directories looked for below `root`
    /// (`/`, but for a test) and still named as from `/`.
    fn read_below(host: Host, root: &Path, py: Option<&Path>, timeout: Duration) -> HostLists {
        let below = |dir: &str| root.join(dir.trim_start_matches('/'));
        match host {
            Host::Posix => HostLists::default(),
            Host::Windows => HostLists {
                host,
                py_launcher: py
                    .and_then(|py| run_py_launcher(py, timeout))
                    .map(|out| parse_py_list(&decode_console(&out)))
                    .unwrap_or_default(),
                registry: crate::os::registry::registered_pythons(),
                ..HostLists::default()
            },
            Host::MacOs => HostLists {
                host,
                framework_versions: names_in(&below(FRAMEWORK_VERSIONS)),
                homebrew: HOMEBREW_OPT
                    .iter()
                    .map(|opt| (PathBuf::from(opt), names_in(&below(opt))))
                    .filter(|(_, names)| !names.is_empty())
                    .collect(),
                ..HostLists::default()
            },
        }
    }

    /// The programs that may be Python `wanted` (any version: `None`), most
    /// likely first, those whose listed version differs left out.
    pub fn candidates(&self, wanted: Option<&[u32]>) -> Vec<Listed> {
        let mut found: Vec<Listed> = match self.host {
            Host::Posix => Vec::new(),
            Host::Windows => {
                let mut launcher = self.py_launcher.clone();
                // Stable: the launcher's default first, then its own order.
                launcher.sort_by_key(|l| !l.default);
                launcher.extend(registry_listed(&self.registry));
                launcher
            }
            Host::MacOs => {
                let mut found = framework_listed(&self.framework_versions);
                for (opt, names) in &self.homebrew {
                    found.extend(homebrew_listed(opt, names));
                }
                found
            }
        };
        found.retain(|l| may_be(l.version.as_deref(), wanted));
        let mut seen: Vec<PathBuf> = Vec::new();
        found.retain(|l| {
            let new = !seen.contains(&l.program);
            seen.push(l.program.clone());
            new
        });
        found
    }
}

/// Whether a program listed as `listed` may be `wanted`: every number
/// both give agrees (a listed `3.12` may be a wanted `3.12.1`).
fn may_be(listed: Option<&[u32]>, wanted: Option<&[u32]>) -> bool {
    match (listed, wanted) {
        (Some(listed), Some(wanted)) => listed.iter().zip(wanted).all(|(l, w)| l == w),
        _ => true,
    }
}

/// The leading `X.Y[.Z]` of `text` (`3.12-32` and `3.13t` give `[3, 12]`
/// and `[3, 13]`); `None` if it does not start with a number.
fn leading_version(text: &str) -> Option<Vec<u32>> {
    let end = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let numbers: Option<Vec<u32>> = text[..end]
        .split('.')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect();
    numbers.filter(|n| !n.is_empty() && n.len() <= 3)
}

/// Runs `py --list-paths` and returns what it printed; `None` if it did
/// not run, failed or took longer than `timeout`.
fn run_py_launcher(py: &Path, timeout: Duration) -> Option<Vec<u8>> {
    let mut command = Command::new(py);
    command.arg("--list-paths");
    let mut running = child::spawn(&mut command, true).ok()?;
    match running.wait(Instant::now().checked_add(timeout)).ok()? {
        Ok(Ending::Exited { status, stdout, .. }) if status.success() => Some(stdout),
        _ => None,
    }
}

/// The launcher's output as text: the launcher of 3.11 and later may write
/// UTF-16 to a pipe, the older one the console's code page (of which the
/// ASCII the parser needs is the same in every one).
fn decode_console(bytes: &[u8]) -> String {
    let utf16 = bytes.len() >= 2
        && bytes.len().is_multiple_of(2)
        && bytes.iter().skip(1).step_by(2).any(|&b| b == 0);
    if utf16 {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        let text = String::from_utf16_lossy(&units);
        text.strip_prefix('\u{feff}').unwrap_or(&text).to_string()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// The interpreters in the `py` launcher's `--list-paths` output, in its
/// order. Both launchers' lines are read:
///
/// - 3.11 and later: ` -V:3.12 *        C:\...\python.exe`, and for other
///   companies ` -V:Company/Tag  C:\...\python.exe` (no version known);
/// - before 3.11: ` -3.9-64        C:\...\python.exe *`.
///
/// Headings and the "no installed Pythons" line are passed over.
pub fn parse_py_list(text: &str) -> Vec<Listed> {
    let mut listed = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix('-') else {
            continue;
        };
        let Some((selector, rest)) = rest.split_once(char::is_whitespace) else {
            continue;
        };
        let mut path = rest.trim();
        let mut default = false;
        if let Some(after) = path.strip_prefix('*') {
            default = true;
            path = after.trim_start();
        }
        if let Some(before) = path.strip_suffix(" *") {
            default = true;
            path = before.trim_end();
        }
        if path.is_empty() {
            continue;
        }
        let version = match selector.strip_prefix("V:") {
            // Another company's tag says nothing sure about the version.
            Some(tag) if tag.contains('/') => None,
            Some(tag) => leading_version(tag),
            None => leading_version(selector),
        };
        listed.push(Listed {
            program: PathBuf::from(path),
            version,
            source: "py launcher",
            default,
        });
    }
    listed
}

/// PEP 514's entries as candidates, newest first where versions are known
/// (the unknown after, in the registry's order). The program is the
/// entry's `ExecutablePath`, else `python.exe` in its `InstallPath`.
fn registry_listed(entries: &[RegisteredPython]) -> Vec<Listed> {
    let mut listed: Vec<Listed> = entries
        .iter()
        .filter_map(|entry| {
            let program = match (&entry.executable_path, &entry.install_path) {
                (Some(exe), _) => exe.clone(),
                (None, Some(dir)) => dir.join("python.exe"),
                (None, None) => return None,
            };
            let version = entry
                .sys_version
                .as_deref()
                .and_then(leading_version)
                .or_else(|| {
                    (entry.company == "PythonCore")
                        .then(|| leading_version(&entry.tag))
                        .flatten()
                });
            Some(Listed {
                program,
                version,
                source: "registry (PEP 514)",
                default: false,
            })
        })
        .collect();
    listed.sort_by(|a, b| match (&a.version, &b.version) {
        (Some(a), Some(b)) => b.cmp(a),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    listed
}

/// `Versions/X.Y/bin/pythonX.Y` for each numbered version, newest first
/// (`Current` is a link to one of them).
fn framework_listed(names: &[String]) -> Vec<Listed> {
    let mut versions: Vec<(Vec<u32>, &String)> = names
        .iter()
        .filter_map(|name| Some((exact_version(name)?, name)))
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions
        .into_iter()
        .map(|(version, name)| Listed {
            program: Path::new(FRAMEWORK_VERSIONS)
                .join(name)
                .join("bin")
                .join(format!("python{name}")),
            version: Some(version),
            source: "python.org framework",
            default: false,
        })
        .collect()
}

/// `opt/python@X.Y/bin/pythonX.Y` for each `python@X.Y` formula, newest
/// first.
fn homebrew_listed(opt: &Path, names: &[String]) -> Vec<Listed> {
    let mut versions: Vec<(Vec<u32>, &str)> = names
        .iter()
        .filter_map(|name| {
            let version = name.strip_prefix("python@")?;
            Some((exact_version(version)?, version))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions
        .into_iter()
        .map(|(numbers, version)| Listed {
            program: opt
                .join(format!("python@{version}"))
                .join("bin")
                .join(format!("python{version}")),
            version: Some(numbers),
            source: "Homebrew",
            default: false,
        })
        .collect()
}

/// `X.Y` as numbers, when `name` is exactly that.
fn exact_version(name: &str) -> Option<Vec<u32>> {
    let numbers: Option<Vec<u32>> = name.split('.').map(|p| p.parse().ok()).collect();
    numbers.filter(|n| n.len() == 2)
}

/// The names of the entries in `dir`, none if it cannot be read.
fn names_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect()
}

#[cfg(test)]
#[path = "installs_tests.rs"]
mod tests;
