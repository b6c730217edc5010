//! What a Windows target's venv lays out, per version: the directories
//! (`Include`, `Lib\site-packages`, `Scripts`), which executables and DLLs
//! reach `Scripts` and from where, and `pyvenv.cfg` in Windows paths.
//!
//! Every path here is a Windows path, spelled with `ntpath`'s rules
//! ([`super::target_os`]) rather than the host's, so the plan for a Windows
//! target reads the same on the Linux machine its tests run on.
//!
//! Where the venv lists a directory to decide (which DLLs sit beside
//! `python.exe`) or takes the first file that exists, the plan says so as a
//! [`Placement`] for the builder to resolve; it does no I/O itself.
//!
//! The versions, as their `Lib/venv/__init__.py` has them:
//! - before 3.7.2: the base executable itself, with every `python*.exe`,
//!   `.dll` and `.pyd` beside it and in its `DLLs` (3.6's `include_binary`);
//! - 3.7.2 to 3.12: `python.exe`/`pythonw.exe` (and the `_d` debug pair,
//!   and from 3.9 the base executable's own name) copied from the
//!   redirectors in `Lib\venv\scripts\nt`, or from `venvlauncher.exe`
//!   beside the executable in a build tree; with `--symlinks`, links to
//!   every `.exe` and `.dll` beside it (a build tree: `python*` and
//!   `vcruntime*` only);
//! - 3.13 on: `venvlauncher.exe`/`venvwlauncher.exe` copied as
//!   `python.exe`/`pythonw.exe` (free-threaded: `venvlaunchert.exe` as
//!   every `python3.Xt` name too); with `--symlinks`, links to the
//!   executables and to the `python*`/`vcruntime*` DLLs beside them.

use crate::interpreter::probe::BaseInterpreter;
use crate::plan::options::Options;
use crate::plan::pyvenv_cfg::CfgInputs;
use crate::plan::target_os::{nt_basename, nt_dirname, nt_join};
use crate::plan::venv_rules::{IncludeDir, VenvRules};
use std::path::Path;

/// Which files of a listed directory the venv takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// `*.pyd`, `*.dll`, and `python*.exe` (3.6's `include_binary`).
    Binaries,
    /// `*.exe` and `*.dll`, case-insensitively.
    ExesAndDlls,
    /// `*.exe` and `*.dll` whose names start with `python` or `vcruntime`.
    PythonAndVcruntime,
    /// `*.dll` whose names start with `python` or `vcruntime`.
    PythonAndVcruntimeDlls,
}

/// One way files reach `Scripts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// `Scripts\<name>`, from the first of `sources` that exists (none:
    /// nothing is placed, as the venv only warns), and only if `when` is
    /// `None` or exists.
    File {
        /// The file's name in `Scripts`.
        name: String,
        /// Candidate sources, in the venv's order of preference.
        sources: Vec<String>,
        /// A file whose existence the venv checks first.
        when: Option<String>,
        /// Linked (true) or copied.
        link: bool,
    },
    /// Every file of `dir` that `pick` selects, under its own name.
    Listing {
        /// The directory listed.
        dir: String,
        /// Which of its files.
        pick: Pick,
        /// Linked (true) or copied.
        link: bool,
    },
}

/// Everything a Windows target's venv makes, in Windows paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowsLayout {
    /// The environment, as given (absolute).
    pub env_dir: String,
    /// Directories to create, in order; the environment itself first.
    pub dirs: Vec<String>,
    /// `Scripts`.
    pub scripts: String,
    /// `Lib\site-packages`.
    pub site_packages: String,
    /// The environment's python (`Scripts\python.exe` from 3.13).
    pub env_exe: String,
    /// How executables and DLLs reach `Scripts`, in order.
    pub placements: Vec<Placement>,
    /// A build tree's `init.tcl` is copied into `Lib\<tcl dir>` (always
    /// before 3.7.2).
    pub init_tcl: bool,
    /// `pyvenv.cfg` as first written.
    pub cfg: String,
    /// `pyvenv.cfg` as rewritten at the end (`--system-site-packages`).
    pub final_cfg: Option<String>,
}

impl WindowsLayout {
    /// The layout of `env_dir` (absolute, a Windows path) for `python`,
    /// whose venv follows `rules`.
    pub fn plan(
        env_dir: &str,
        cwd: &Path,
        options: &Options,
        python: &BaseInterpreter,
        rules: &VenvRules,
    ) -> WindowsLayout {
        let dir = |rel: &str| nt_join(env_dir, rel);
        let scheme = python
            .venv_scheme
            .as_ref()
            .filter(|_| rules.uses_scheme)
            .map(|s| {
                let text = |p: &Path| p.to_string_lossy().into_owned();
                (
                    text(&s.scripts),
                    text(&s.include),
                    text(&s.purelib),
                    text(&s.platlib),
                )
            });
        let (scripts, scheme_include, purelib, platlib) = scheme.unwrap_or_else(|| {
            let fixed = |s: &str| s.to_string();
            (
                fixed("Scripts"),
                fixed("Include"),
                fixed(r"Lib\site-packages"),
                fixed(r"Lib\site-packages"),
            )
        });
        let include = match rules.include {
            IncludeDir::Plain => "Include".to_string(),
            IncludeDir::Scheme => scheme_include,
        };
        let mut dirs = vec![env_dir.to_string(), dir(&include), dir(&purelib)];
        if rules.platlib && platlib != purelib {
            dirs.push(dir(&platlib));
        }
        dirs.push(dir(&scripts));

        let executable = base_executable(python, rules);
        let home = nt_dirname(&executable).to_string();
        let launchers = Launchers::of(python, &executable, options.symlinks_asked);
        let env_exe = nt_join(&dir(&scripts), &launchers.env_exe_name());
        let cfg = CfgInputs {
            python,
            rules,
            options,
            cwd,
            env_dir: Path::new(env_dir),
            home: Path::new(&home),
        };
        WindowsLayout {
            env_dir: env_dir.to_string(),
            placements: launchers.placements(),
            init_tcl: launchers.before_redirectors() || python.python_build,
            cfg: cfg.text(false),
            final_cfg: options.system_site_packages.then(|| cfg.text(true)),
            site_packages: dir(&purelib),
            scripts: dir(&scripts),
            env_exe,
            dirs,
        }
    }
}

/// `sys.executable` before 3.7, `sys._base_executable` from 3.7 on.
fn base_executable(python: &BaseInterpreter, rules: &VenvRules) -> String {
    let base = python
        .base_executable
        .as_ref()
        .filter(|p| rules.base_is_base_executable && !p.as_os_str().is_empty())
        .unwrap_or(&python.executable);
    base.to_string_lossy().into_owned()
}

/// The facts the launcher rules read.
struct Launchers<'a> {
    python: &'a BaseInterpreter,
    /// The directory of the base executable.
    home: String,
    /// The base executable's file name.
    exe_name: String,
    /// `_d` for a debug build's executable (`python_d.exe`).
    debug: &'static str,
    /// `--symlinks` was asked for: Windows venvs copy unless told.
    link: bool,
}

impl<'a> Launchers<'a> {
    fn of(python: &'a BaseInterpreter, executable: &str, link: bool) -> Launchers<'a> {
        let exe_name = nt_basename(executable).to_string();
        let stem = exe_name
            .rsplit_once('.')
            .map_or(exe_name.as_str(), |(stem, _)| stem);
        Launchers {
            python,
            home: nt_dirname(executable).to_string(),
            debug: if stem.to_ascii_lowercase().ends_with("_d") {
                "_d"
            } else {
                ""
            },
            exe_name,
            link,
        }
    }

    /// Before 3.7.2 the venv copied the interpreter's own binaries.
    fn before_redirectors(&self) -> bool {
        self.python.version < (3, 7, 2)
    }

    /// From 3.13 the environment's python is always `python.exe` (or
    /// `python_d.exe`): a copy of the launcher or a link to the base.
    fn env_exe_name(&self) -> String {
        if self.python.version >= (3, 13, 0) {
            format!("python{}.exe", self.debug)
        } else {
            self.exe_name.clone()
        }
    }

    /// `Lib\venv\scripts\nt`, where an installed CPython keeps its
    /// redirectors (3.7.2 to 3.12) or launchers (3.13 on).
    fn redirectors(&self) -> String {
        let venv = nt_join(&self.python.stdlib.to_string_lossy(), "venv");
        nt_join(&nt_join(&venv, "scripts"), "nt")
    }

    fn beside(&self, name: &str) -> String {
        nt_join(&self.home, name)
    }

    fn placements(&self) -> Vec<Placement> {
        if self.before_redirectors() {
            self.binaries()
        } else if self.python.version < (3, 13, 0) {
            self.redirector_copies()
        } else {
            self.launcher_copies()
        }
    }

    /// Before 3.7.2: the executable, then every binary beside it and in
    /// `DLLs`.
    fn binaries(&self) -> Vec<Placement> {
        let link = self.link;
        vec![
            Placement::File {
                name: self.exe_name.clone(),
                sources: vec![self.beside(&self.exe_name)],
                when: None,
                link,
            },
            Placement::Listing {
                dir: self.home.clone(),
                pick: Pick::Binaries,
                link,
            },
            Placement::Listing {
                dir: self.beside("DLLs"),
                pick: Pick::Binaries,
                link,
            },
        ]
    }

    /// 3.7.2 to 3.12.
    fn redirector_copies(&self) -> Vec<Placement> {
        if self.link {
            let pick = if self.python.python_build {
                Pick::PythonAndVcruntime
            } else {
                Pick::ExesAndDlls
            };
            return vec![Placement::Listing {
                dir: self.home.clone(),
                pick,
                link: true,
            }];
        }
        let mut names: Vec<String> = ["python.exe", "python_d.exe", "pythonw.exe", "pythonw_d.exe"]
            .map(String::from)
            .to_vec();
        if self.python.version >= (3, 9, 0) && !names.contains(&self.exe_name) {
            names.push(self.exe_name.clone());
        }
        names
            .into_iter()
            .map(|name| {
                let mut sources = Vec::new();
                if !self.python.python_build {
                    sources.push(nt_join(&self.redirectors(), &name));
                }
                sources.push(self.beside(&launcher_for(&name)));
                Placement::File {
                    when: Some(self.beside(&name)),
                    name,
                    sources,
                    link: false,
                }
            })
            .collect()
    }

    /// 3.13 on: every name the environment's python goes by, linked to
    /// the base's executables or copied from the launchers.
    fn launcher_copies(&self) -> Vec<Placement> {
        let d = self.debug;
        let threaded = self.python.gil_disabled;
        let t = if threaded {
            format!("3.{}t", self.python.version.1)
        } else {
            String::new()
        };
        let scripts = if self.python.python_build {
            self.home.clone()
        } else {
            self.redirectors()
        };
        let mut out = Vec::new();
        for (plain, launcher) in [("python", "venvlauncher"), ("pythonw", "venvwlauncher")] {
            let mut names = vec![format!("{plain}.exe"), format!("{plain}{d}.exe")];
            if threaded {
                names.extend([format!("{plain}{t}.exe"), format!("{plain}{t}{d}.exe")]);
            }
            names.dedup();
            let sources = if self.link {
                let mut sources = vec![self.beside(&format!("{plain}{t}{d}.exe"))];
                // 3.15 falls back to the plain executable when a
                // free-threaded build has no `python3.Xt.exe`.
                if threaded && self.python.version >= (3, 15, 0) {
                    sources.push(self.beside(&format!("{plain}{d}.exe")));
                }
                sources
            } else {
                let threaded_suffix = if threaded { "t" } else { "" };
                vec![nt_join(
                    &scripts,
                    &format!("{launcher}{threaded_suffix}{d}.exe"),
                )]
            };
            out.extend(names.into_iter().map(|name| Placement::File {
                name,
                sources: sources.clone(),
                when: None,
                link: self.link,
            }));
        }
        if self.link {
            out.push(Placement::Listing {
                dir: self.home.clone(),
                pick: Pick::PythonAndVcruntimeDlls,
                link: true,
            });
        }
        out
    }
}

/// The launcher a build tree keeps for `name` (3.7.2 to 3.12):
/// `python.exe` is `venvlauncher.exe`, `pythonw_d.exe` is
/// `venvwlauncher_d.exe`; another name stays itself.
fn launcher_for(name: &str) -> String {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let (stem, debug) = match stem.strip_suffix("_d") {
        Some(stem) => (stem, "_d"),
        None => (stem, ""),
    };
    let stem = match stem {
        "python" => "venvlauncher",
        "pythonw" => "venvwlauncher",
        other => other,
    };
    format!("{stem}{debug}.{ext}")
}

#[cfg(test)]
#[path = "windows_tests.rs"]
mod tests;
