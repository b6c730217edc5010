//! The text of `pyvenv.cfg`, line for line as the target's venv writes it:
//! `home`, `include-system-site-packages`, `version`, then `prompt` (3.8+)
//! and `executable` and `command` (3.11+), the last one the equivalent
//! `python -m venv` command line.

use std::path::Path;

use crate::interpreter::probe::BaseInterpreter;
use crate::os::paths;
use crate::plan::options::Options;
use crate::plan::target_os::TargetOs;
use crate::plan::venv_rules::VenvRules;
use crate::pyrepr::py_repr;

/// Everything `pyvenv.cfg`'s text is decided from.
pub(super) struct CfgInputs<'a> {
    pub(super) python: &'a BaseInterpreter,
    pub(super) rules: &'a VenvRules,
    pub(super) options: &'a Options,
    pub(super) cwd: &'a Path,
    pub(super) env_dir: &'a Path,
    /// The base executable's directory, in the target's spelling.
    pub(super) home: &'a Path,
}

impl CfgInputs<'_> {
    /// The file's text, with `include-system-site-packages` as given (the
    /// target writes `false` first and `true` after seeding, for
    /// `--system-site-packages`).
    pub(super) fn text(&self, system_site_packages: bool) -> String {
        let (python, rules, options) = (self.python, self.rules, self.options);
        let prompt = options.prompt.as_ref().map(|p| {
            if p == "." && rules.prompt_dot {
                paths::basename(self.cwd).to_string_lossy().into_owned()
            } else {
                p.clone()
            }
        });
        PyvenvCfg {
            home: self.home,
            system_site_packages,
            version: python.version,
            prompt: prompt.as_deref().filter(|_| rules.cfg_prompt),
            relocatable: options.relocatable,
            command: rules.cfg_command.then(|| Command {
                real_executable: &python.real_executable,
                executable: &python.executable,
                options,
                scm_flag: rules.records_scm_flag,
                windows: rules.target_os == TargetOs::Windows,
                env_dir: self.env_dir,
            }),
        }
        .render()
    }
}

/// The lines of `pyvenv.cfg`, in the order and format the target writes.
struct PyvenvCfg<'a> {
    home: &'a Path,
    system_site_packages: bool,
    version: (u32, u32, u32),
    /// Written where the target writes it (3.8 on).
    prompt: Option<&'a str>,
    /// Written where the target writes it (3.11 on).
    command: Option<Command<'a>>,
    /// `relocatable = true`, uv's key (which uv and pip-on-uv read to write
    /// relocatable scripts), after everything the target writes.
    relocatable: bool,
}

/// `executable` and the equivalent `python -m venv` command line.
struct Command<'a> {
    real_executable: &'a Path,
    executable: &'a Path,
    options: &'a Options,
    /// The target's venv records `--without-scm-ignore-files`.
    scm_flag: bool,
    /// A Windows venv copies by default and records `--symlinks` instead.
    windows: bool,
    env_dir: &'a Path,
}

impl PyvenvCfg<'_> {
    fn render(&self) -> String {
        let (major, minor, micro) = self.version;
        let mut cfg = format!(
            "home = {}\ninclude-system-site-packages = {}\nversion = {major}.{minor}.{micro}\n",
            self.home.display(),
            self.system_site_packages,
        );
        if let Some(prompt) = self.prompt {
            cfg.push_str(&format!("prompt = {}\n", py_repr(prompt)));
        }
        if let Some(command) = &self.command {
            cfg.push_str(&format!(
                "executable = {}\ncommand = {} -m venv {}\n",
                command.real_executable.display(),
                command.executable.display(),
                command.args(self.system_site_packages)
            ));
        }
        if self.relocatable {
            cfg.push_str("relocatable = true\n");
        }
        cfg
    }
}

impl Command<'_> {
    /// The flags of the equivalent `python -m venv` command, as 3.11+ records them.
    fn args(&self, system_site_packages: bool) -> String {
        let o = self.options;
        let mut args: Vec<String> = Vec::new();
        let (links, copies) = if self.windows {
            (o.symlinks_asked, false)
        } else {
            (false, !o.symlinks)
        };
        let flags = [
            (links, "--symlinks"),
            (copies, "--copies"),
            (!o.with_pip, "--without-pip"),
            (system_site_packages, "--system-site-packages"),
            (o.clear, "--clear"),
            (o.upgrade, "--upgrade"),
            (o.upgrade_deps, "--upgrade-deps"),
        ];
        args.extend(flags.iter().filter(|f| f.0).map(|f| f.1.to_string()));
        if let Some(prompt) = &o.prompt {
            args.push(format!("--prompt=\"{prompt}\""));
        }
        if self.scm_flag && !o.scm_ignore_files {
            args.push("--without-scm-ignore-files".into());
        }
        args.push(self.env_dir.display().to_string());
        args.join(" ")
    }
}
