//! The plan for a target pyvenv has no rules for (a newer CPython, another
//! implementation, another platform): the target's own `python -m venv`
//! builds the environment, and the plan records the command and the paths
//! pyvenv needs afterwards to relocate it and write its activation scripts.

use std::path::{Path, PathBuf};

use crate::interpreter::probe::BaseInterpreter;
use crate::os::paths;
use crate::plan::layout::{Delegation, EnvPaths, Layout, interpreter_paths, script_prompt};
use crate::plan::options::Options;
use crate::plan::target_os::TargetOs;
use crate::plan::windows::WindowsLayout;

impl Layout {
    /// The plan for a target pyvenv has no rules for: its own venv builds
    /// the environment (with the user's flags, so `pyvenv.cfg` records them
    /// as it would), and pyvenv adds its activation scripts.
    pub(super) fn delegated(
        env_dir: PathBuf,
        cwd: &Path,
        options: &Options,
        python: &BaseInterpreter,
        windows_layout: Option<WindowsLayout>,
    ) -> Layout {
        let paths = EnvPaths::of(python, python.venv_scheme.is_some());
        let bin_dir = env_dir.join(&paths.scripts);
        let base_executable = python
            .base_executable
            .clone()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| python.executable.clone());
        let o = options;
        // A Windows venv copies unless told to link.
        let windows = TargetOs::of(python) == Some(TargetOs::Windows);
        let flags = [
            (windows && o.symlinks_asked, "--symlinks"),
            (!windows && !o.symlinks, "--copies"),
            (!o.with_pip, "--without-pip"),
            (o.system_site_packages, "--system-site-packages"),
            (o.clear, "--clear"),
            (o.upgrade, "--upgrade"),
            (o.upgrade_deps, "--upgrade-deps"),
            (
                !o.scm_ignore_files && python.venv_scm_flag,
                "--without-scm-ignore-files",
            ),
        ];
        let mut args: Vec<String> = vec!["-m".into(), "venv".into()];
        args.extend(flags.iter().filter(|f| f.0).map(|f| f.1.to_string()));
        if let Some(prompt) = &o.prompt {
            args.push(format!("--prompt={prompt}"));
        }
        Layout {
            root: env_dir.clone(),
            dirs: vec![env_dir.clone()],
            lib64: None,
            env_exe: bin_dir.join(paths::basename(&base_executable)),
            bin_dir,
            bin_name: paths.scripts,
            site_packages: env_dir.join(&paths.purelib),
            aliases: Vec::new(),
            symlinks: if windows {
                o.symlinks_asked
            } else {
                o.symlinks
            },
            copies_keep_links: false,
            gitignore: false,
            cfg: String::new(),
            final_cfg: None,
            prompt: script_prompt(o, cwd, &env_dir),
            write_scripts: !o.upgrade,
            clear: o.clear,
            ensurepip: None,
            upgrade_deps: None,
            venv_package: format!("python{}-venv", python.short_version()),
            short_version: python.short_version(),
            has_ensurepip: python.has_ensurepip,
            seeder: o.seeder,
            link_mode: o.link_mode,
            wheels: Vec::new(),
            bytecode: None,
            interpreter_paths: interpreter_paths(python, &base_executable),
            base_executable,
            relocatable: o.relocatable,
            delegation: Some(Delegation {
                python: python.executable.clone(),
                args,
                cwd: cwd.to_path_buf(),
            }),
            target_os: TargetOs::of(python),
            windows: windows_layout,
            env_dir,
        }
    }
}
