//! The command line, as `python -m venv` has it, plus `-p/--python`.

use std::ffi::OsString;

use clap::{ArgAction, Parser};

use crate::layout::{LinkMode, Options, RouteChoice, Seeder};

/// Creates virtual Python environments in one or more target directories.
#[derive(Debug, Parser)]
#[command(
    name = "pyvenv",
    version,
    about = "Creates virtual Python environments in one or more target directories.",
    after_help = "Once an environment has been created, you may wish to activate it, \
                  e.g. by sourcing an activate script in its bin directory."
)]
pub struct Cli {
    /// A directory to create the environment in.
    // Read as OsString: clap's PathBuf parser rejects "" as a usage error,
    // and pyvenv answers an empty ENV_DIR with its own clear error.
    #[arg(value_name = "ENV_DIR", required = true, num_args = 1.., value_parser = clap::value_parser!(OsString))]
    pub dirs: Vec<OsString>,

    /// The interpreter to make the environment for: a path, a command on
    /// PATH (python3.12), or a version (3, 3.12, 3.12.1). Default: the
    /// PYVENV_PYTHON variable, then a version in the program's name
    /// (pyvenv-3.12), then python3 on PATH.
    #[arg(short = 'p', long = "python", value_name = "PYTHON")]
    pub python: Option<String>,

    /// Give the virtual environment access to the system site-packages dir.
    #[arg(long)]
    pub system_site_packages: bool,

    /// Try to use symlinks rather than copies (the default on POSIX).
    #[arg(long, conflicts_with = "copies")]
    pub symlinks: bool,

    /// Try to use copies rather than symlinks.
    #[arg(long)]
    pub copies: bool,

    /// Delete the contents of the environment directory if it already
    /// exists, before environment creation.
    #[arg(long)]
    pub clear: bool,

    /// Upgrade the environment directory to use this version of Python,
    /// assuming Python has been upgraded in-place.
    #[arg(long)]
    pub upgrade: bool,

    /// Skips installing or upgrading pip in the virtual environment (pip is
    /// bootstrapped by default).
    #[arg(long = "without-pip", action = ArgAction::SetTrue)]
    pub without_pip: bool,

    /// Provides an alternative prompt prefix for this environment ("." means
    /// the current directory's name).
    #[arg(long, value_name = "PROMPT", allow_hyphen_values = true)]
    pub prompt: Option<String>,

    /// Upgrade core dependencies (pip, and setuptools before 3.12) to the
    /// latest version in PyPI.
    #[arg(long)]
    pub upgrade_deps: bool,

    /// Skips adding SCM ignore files to the environment directory (Git is
    /// supported by default; only Python 3.13 and later write one).
    #[arg(long)]
    pub without_scm_ignore_files: bool,

    /// How pip is installed: natively from the target's bundled wheels
    /// (fast, the default), or by running the target's ensurepip.
    #[arg(long, value_enum, default_value = "native", value_name = "SEEDER")]
    pub seeder: SeederArg,

    /// How pip's files come from pyvenv's wheel cache: auto (a reflink where
    /// the filesystem has it, else a hardlink, else a copy), clone (a reflink
    /// or a copy: never shared), hardlink, or copy.
    #[arg(long, value_enum, default_value = "auto", value_name = "MODE")]
    pub link_mode: LinkModeArg,
}

/// `--seeder`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SeederArg {
    /// Install pip from the bundled wheels without running Python.
    Native,
    /// Run `python -m ensurepip` in the environment.
    Ensurepip,
}

/// `--link-mode`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LinkModeArg {
    /// Reflink, else hardlink, else copy.
    Auto,
    /// Reflink, else copy.
    Clone,
    /// Hardlink, else copy.
    Hardlink,
    /// Copy.
    Copy,
}

impl Cli {
    /// Parses `args` (the program name first).
    pub fn parse_from_os(args: impl IntoIterator<Item = OsString>) -> Cli {
        Cli::parse_from(args)
    }

    /// The request, independent of any directory.
    pub fn options(&self) -> Options {
        Options {
            system_site_packages: self.system_site_packages,
            symlinks: !self.copies,
            clear: self.clear,
            upgrade: self.upgrade,
            with_pip: !self.without_pip,
            prompt: self.prompt.clone(),
            upgrade_deps: self.upgrade_deps,
            scm_ignore_files: !self.without_scm_ignore_files,
            seeder: match self.seeder {
                SeederArg::Native => Seeder::Native,
                SeederArg::Ensurepip => Seeder::Ensurepip,
            },
            link_mode: match self.link_mode {
                LinkModeArg::Auto => LinkMode::Auto,
                LinkModeArg::Clone => LinkMode::Clone,
                LinkModeArg::Hardlink => LinkMode::Hardlink,
                LinkModeArg::Copy => LinkMode::Copy,
            },
            route: RouteChoice::Auto,
        }
    }
}
