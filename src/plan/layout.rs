//! The plan: what an environment must contain, computed without touching
//! the disk.
//!
//! [`Layout::plan`] is a pure function of the request ([`Options`]), the
//! interpreter's facts and the working directory, so every per-version rule
//! of CPython's venv (which executable is the base, which links exist, what
//! `pyvenv.cfg` says) is unit-tested here for 3.6 to 3.13 without needing
//! those interpreters. The builder then applies the plan as it is.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::interpreter::probe::BaseInterpreter;
use crate::os::paths;
use crate::plan::options::{LinkMode, Options, RouteChoice, Seeder};
use crate::plan::pyvenv_cfg::CfgInputs;
use crate::plan::target_os::TargetOs;
use crate::plan::venv_rules::{Implementation, IncludeDir, VenvRules};
use crate::plan::windows::WindowsLayout;

/// The target's own `python -m venv`, run where pyvenv has no rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    /// The interpreter, as it was asked (its `sys.executable`).
    pub python: PathBuf,
    /// `-m venv` and the user's flags; the directory is added when run.
    pub args: Vec<String>,
    /// The working directory (`--prompt .` reads it).
    pub cwd: PathBuf,
}

/// How a command run inside the new environment is set up, which changed
/// across CPython versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStyle {
    /// The caller's environment and working directory, as they are.
    Inherit,
    /// `VIRTUAL_ENV` set, `PYTHONHOME`/`PYTHONPATH` removed, run inside the
    /// environment (CPython 3.10.13 and later).
    InsideEnv,
}

/// A command to run with the environment's python.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonCall {
    /// Arguments after the python executable.
    pub args: Vec<String>,
    /// How the process is set up.
    pub style: CallStyle,
}

/// Which `.pyc` files the target writes, and in which format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PycFormat {
    /// `sys.implementation.cache_tag`: `__pycache__/<name>.<tag>.pyc`.
    pub cache_tag: String,
    /// `importlib.util.MAGIC_NUMBER`, in hex.
    pub magic: String,
    /// The target's own `site-packages` (beside its standard library),
    /// where its installer left bytecode for the pip it installed there.
    pub installed: PathBuf,
}

impl PycFormat {
    fn of(python: &BaseInterpreter) -> Option<PycFormat> {
        Some(PycFormat {
            cache_tag: python.cache_tag.clone()?,
            magic: python.magic.clone(),
            installed: python.stdlib.join("site-packages"),
        })
    }
}

/// Everything the builder needs to make one environment.
///
/// Two kinds of path live here. `env_dir` is where the environment will be
/// used from: every text that names the environment (`pyvenv.cfg`, the
/// activation scripts, console-script shebangs) uses it. `root` and the
/// paths below it are where files are written *now*, which for a new
/// environment is a staging directory beside `env_dir` that is renamed into
/// place when complete (see [`Layout::staged_at`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The environment, absolute and normalised as `os.path.abspath` does.
    pub env_dir: PathBuf,
    /// Where the environment's files are written (`env_dir`, or a staging
    /// directory while a new environment is built).
    pub root: PathBuf,
    /// Directories to create, in order; the environment itself first.
    pub dirs: Vec<PathBuf>,
    /// `lib64`, a link to `lib`, where CPython makes one.
    pub lib64: Option<PathBuf>,
    /// The scripts directory (`bin`).
    pub bin_dir: PathBuf,
    /// The scripts directory relative to the environment.
    pub bin_name: PathBuf,
    /// `site-packages`.
    pub site_packages: PathBuf,
    /// The base interpreter the environment's python stands for.
    pub base_executable: PathBuf,
    /// `bin/<name of the base executable>`.
    pub env_exe: PathBuf,
    /// Further names for the python in `bin`, each a relative link (or copy).
    pub aliases: Vec<OsString>,
    /// Link the executables (true) or copy them.
    pub symlinks: bool,
    /// A copy of a symlink is a link to what it resolves to (PyPy).
    pub copies_keep_links: bool,
    /// Whether to write `.gitignore`.
    pub gitignore: bool,
    /// `pyvenv.cfg` as first written.
    pub cfg: String,
    /// `pyvenv.cfg` as rewritten at the end (`--system-site-packages`).
    pub final_cfg: Option<String>,
    /// The prompt the activation scripts show (3.13 semantics).
    pub prompt: String,
    /// Whether activation scripts are (re)written (not on `--upgrade`).
    pub write_scripts: bool,
    /// `--clear` was asked for.
    pub clear: bool,
    /// How pip is bootstrapped, unless `--without-pip`.
    pub ensurepip: Option<PythonCall>,
    /// The `--upgrade-deps` step.
    pub upgrade_deps: Option<PythonCall>,
    /// `X.Y` of the target.
    pub short_version: String,
    /// Debian's package holding the target's `ensurepip`.
    pub venv_package: String,
    /// Whether the target's `ensurepip` is there to run.
    pub has_ensurepip: bool,
    /// How pip gets in.
    pub seeder: Seeder,
    /// How files come from the wheel cache.
    pub link_mode: LinkMode,
    /// The wheels the target's ensurepip would install.
    pub wheels: Vec<PathBuf>,
    /// The bytecode the target's pip leaves beside what it installs;
    /// `None`: the target writes none.
    pub bytecode: Option<PycFormat>,
    /// Every path the target interpreter goes by (as invoked, resolved,
    /// base), which `--clear` must never delete.
    pub interpreter_paths: Vec<PathBuf>,
    /// `--relocatable`: scripts find the environment from where they are.
    pub relocatable: bool,
    /// Set where the target's own venv builds the environment; the fields
    /// above then serve only the scripts, relocation and `--clear`.
    pub delegation: Option<Delegation>,
    /// The platform the target's venv lays out for, where pyvenv knows it:
    /// which activation scripts the environment gets.
    pub target_os: Option<TargetOs>,
    /// What a Windows target's venv lays out, in Windows paths (its own
    /// venv builds it today; this is what pyvenv's own route will place).
    pub windows: Option<WindowsLayout>,
}

impl Layout {
    /// Plans the environment `env_dir` (as the user wrote it) for `python`:
    /// a short list of named decisions, each a function below.
    pub fn plan(
        env_dir: &Path,
        cwd: &Path,
        options: &Options,
        python: &BaseInterpreter,
    ) -> Result<Layout> {
        let env_dir = super::validate::env_dir(env_dir, cwd)?;
        let rules = match options.route {
            RouteChoice::Auto => VenvRules::for_target(python),
            RouteChoice::Delegated => None,
        };
        let Some(rules) = rules else {
            return Ok(Self::delegated(env_dir, cwd, options, python, None));
        };
        if rules.target_os == TargetOs::Windows {
            // Its launchers and DLLs are not placed by pyvenv's builder yet:
            // its own venv builds it, and the plan says what that makes.
            let env = env_dir.to_string_lossy();
            let windows = WindowsLayout::plan(&env, cwd, options, python, &rules);
            return Ok(Self::delegated(
                env_dir,
                cwd,
                options,
                python,
                Some(windows),
            ));
        }
        let short = python.short_version();
        let paths = EnvPaths::of(python, rules.uses_scheme);
        let bin_dir = env_dir.join(&paths.scripts);
        let base_executable = venv_base_executable(python, &rules)?;
        let exe_name = paths::basename(&base_executable);
        let home = base_executable.parent().unwrap_or(Path::new("/"));
        let cfg = CfgInputs {
            python,
            rules: &rules,
            options,
            cwd,
            env_dir: &env_dir,
            home,
        };
        let (ensurepip, upgrade_deps) = pip_calls(options, &rules);
        Ok(Layout {
            root: env_dir.clone(),
            dirs: directories(&env_dir, &paths, &rules),
            lib64: rules.lib64.then(|| env_dir.join("lib64")),
            env_exe: bin_dir.join(&exe_name),
            aliases: aliases(&rules, &exe_name),
            bin_dir,
            site_packages: env_dir.join(&paths.purelib),
            bin_name: paths.scripts,
            symlinks: options.symlinks,
            copies_keep_links: rules.copies_keep_links,
            gitignore: rules.gitignore && options.scm_ignore_files,
            cfg: cfg.text(false),
            final_cfg: options.system_site_packages.then(|| cfg.text(true)),
            prompt: script_prompt(options, cwd, &env_dir),
            write_scripts: !options.upgrade,
            clear: options.clear,
            ensurepip,
            upgrade_deps,
            venv_package: venv_package(&rules, &short),
            short_version: short,
            has_ensurepip: python.has_ensurepip,
            seeder: options.seeder,
            link_mode: options.link_mode,
            wheels: python.wheels.clone(),
            bytecode: PycFormat::of(python),
            interpreter_paths: interpreter_paths(python, &base_executable),
            base_executable,
            relocatable: options.relocatable,
            delegation: None,
            target_os: Some(rules.target_os),
            windows: None,
            env_dir,
        })
    }
}

/// The directories the target's venv creates, in its order: the
/// environment, `include`, site-packages, platlib where it differs, `bin`.
fn directories(env_dir: &Path, paths: &EnvPaths, rules: &VenvRules) -> Vec<PathBuf> {
    let mut dirs = vec![env_dir.to_path_buf()];
    dirs.push(env_dir.join(match rules.include {
        IncludeDir::Plain => Path::new("include"),
        IncludeDir::Scheme => &paths.include,
    }));
    dirs.push(env_dir.join(&paths.purelib));
    if rules.platlib {
        dirs.push(env_dir.join(&paths.platlib));
    }
    dirs.push(env_dir.join(&paths.scripts));
    dirs
}

/// The other names the python gets in `bin`, besides its own.
fn aliases(rules: &VenvRules, exe_name: &OsString) -> Vec<OsString> {
    rules
        .aliases
        .iter()
        .map(OsString::from)
        .filter(|alias| alias != exe_name)
        .collect()
}

/// How ensurepip and `--upgrade-deps` are run, where they are asked for.
fn pip_calls(options: &Options, rules: &VenvRules) -> (Option<PythonCall>, Option<PythonCall>) {
    let call = |args: &[&str]| PythonCall {
        args: args.iter().map(|a| a.to_string()).collect(),
        style: if rules.calls_inside_env {
            CallStyle::InsideEnv
        } else {
            CallStyle::Inherit
        },
    };
    let ensurepip = options.with_pip.then(|| {
        let flag = if rules.calls_inside_env { "-m" } else { "-Im" };
        call(&[flag, "ensurepip", "--upgrade", "--default-pip"])
    });
    let upgrade_deps = options.upgrade_deps.then(|| {
        let mut args = vec!["-m", "pip", "install", "--upgrade", "pip"];
        if rules.upgrades_setuptools {
            args.push("setuptools");
        }
        call(&args)
    });
    (ensurepip, upgrade_deps)
}

/// The distribution package that holds ensurepip on Debian, for the
/// message when it is missing.
fn venv_package(rules: &VenvRules, short: &str) -> String {
    match rules.implementation {
        Implementation::CPython => format!("python{short}-venv"),
        Implementation::PyPy => "pypy3-venv".into(),
    }
}

/// Every path the target interpreter goes by (as invoked, resolved,
/// base), which `--clear` must never delete.
pub(super) fn interpreter_paths(python: &BaseInterpreter, base_executable: &Path) -> Vec<PathBuf> {
    vec![
        python.executable.clone(),
        python.real_executable.clone(),
        base_executable.to_path_buf(),
    ]
}

/// The prompt the activation scripts show (3.13's semantics for every
/// target): `--prompt`, `.` meaning the working directory's name, else the
/// environment's name.
pub(super) fn script_prompt(options: &Options, cwd: &Path, env_dir: &Path) -> String {
    match options.prompt.as_deref() {
        Some(".") => paths::basename(cwd).to_string_lossy().into_owned(),
        Some(p) => p.to_string(),
        None => paths::basename(env_dir).to_string_lossy().into_owned(),
    }
}

/// The environment's directories relative to it: the sysconfig `venv`
/// scheme's where the target's venv reads it, else the fixed POSIX ones.
pub(super) struct EnvPaths {
    pub(super) scripts: PathBuf,
    pub(super) include: PathBuf,
    pub(super) purelib: PathBuf,
    pub(super) platlib: PathBuf,
}

impl EnvPaths {
    pub(super) fn of(python: &BaseInterpreter, uses_scheme: bool) -> EnvPaths {
        let windows = TargetOs::of(python) == Some(TargetOs::Windows);
        match (&python.venv_scheme, uses_scheme) {
            (Some(scheme), true) => EnvPaths {
                scripts: scheme.scripts.clone(),
                include: scheme.include.clone(),
                purelib: scheme.purelib.clone(),
                platlib: scheme.platlib.clone(),
            },
            _ if windows => EnvPaths {
                scripts: PathBuf::from("Scripts"),
                include: PathBuf::from("Include"),
                purelib: PathBuf::from(r"Lib\site-packages"),
                platlib: PathBuf::from(r"Lib\site-packages"),
            },
            _ => {
                let lib = Path::new("lib")
                    .join(format!("python{}", python.short_version()))
                    .join("site-packages");
                EnvPaths {
                    scripts: PathBuf::from("bin"),
                    include: PathBuf::from("include"),
                    purelib: lib.clone(),
                    platlib: lib,
                }
            }
        }
    }
}

impl Layout {
    /// The same plan, written under `root` instead of `env_dir`; text that
    /// names the environment still names `env_dir`.
    pub fn staged_at(&self, root: &Path) -> Layout {
        let rebase = |path: &Path| match path.strip_prefix(&self.root) {
            Ok(rel) if rel.as_os_str().is_empty() => root.to_path_buf(),
            Ok(rel) => root.join(rel),
            Err(_) => path.to_path_buf(),
        };
        Layout {
            root: root.to_path_buf(),
            dirs: self.dirs.iter().map(|d| rebase(d)).collect(),
            lib64: self.lib64.as_deref().map(rebase),
            bin_dir: rebase(&self.bin_dir),
            site_packages: rebase(&self.site_packages),
            env_exe: rebase(&self.env_exe),
            ..self.clone()
        }
    }
}

/// The executable the venv links to: `sys.executable` on 3.6 (or, on
/// macOS, the framework stub `__PYVENV_LAUNCHER__` names),
/// `sys._base_executable` where it exists from 3.7 on (so a venv's python or
/// a launcher resolves to the base interpreter; on macOS it is the stub).
fn venv_base_executable(python: &BaseInterpreter, rules: &VenvRules) -> Result<PathBuf> {
    let launcher = python
        .pyvenv_launcher
        .as_ref()
        .filter(|_| rules.target_os == TargetOs::Darwin);
    let chosen = if rules.base_is_base_executable {
        python
            .base_executable
            .as_ref()
            .or(Some(&python.executable))
            .filter(|p| !p.as_os_str().is_empty())
    } else {
        launcher.or(Some(&python.executable))
    };
    match chosen {
        Some(path) => Ok(paths::normpath(path)),
        None => Err(Error::NotAPython {
            path: python.executable.clone(),
            reason: "it cannot tell the path of its own executable".into(),
        }),
    }
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
