//! The command line, as `python -m venv` has it, plus `-p/--python` and
//! pyvenv's own flags.
//!
//! argparse's habits are kept, since scripts rely on them: a repeated flag
//! is allowed and the last one wins, and a long option may be shortened to
//! any unique prefix (an ambiguous one is a usage error naming the
//! candidates). `--symlinks` and `--copies` stay mutually exclusive.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{ArgAction, CommandFactory, Parser};

use crate::plan::options::{LinkMode, Options, RouteChoice, Seeder};

/// Creates virtual Python environments in one or more target directories.
#[derive(Debug, Parser)]
#[command(
    name = "pyvenv",
    version,
    about = "Creates virtual Python environments in one or more target directories.",
    after_help = after_help(),
    override_usage = "pyvenv [OPTIONS] ENV_DIR [ENV_DIR ...]\n       \
                      pyvenv --generate KIND\n       pyvenv --cache-clean [--cache-dir DIR]",
    args_override_self = true
)]
pub struct Cli {
    /// A directory to create the environment in.
    // Read as OsString: clap's PathBuf parser rejects "" as a usage error,
    // and pyvenv answers an empty ENV_DIR with its own clear error.
    #[arg(
        value_name = "ENV_DIR",
        required_unless_present_any = ["generate", "cache_clean"],
        num_args = 1..,
        value_parser = clap::value_parser!(OsString)
    )]
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

    /// Try to use symlinks rather than copies, when symlinks are not the
    /// default for the platform.
    #[arg(long, conflicts_with = "copies")]
    pub symlinks: bool,

    /// Try to use copies rather than symlinks, even when symlinks are the
    /// default for the platform.
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

    /// Provides an alternative prompt prefix for this environment. ("."
    /// means the current directory's name.)
    #[arg(long, value_name = "PROMPT", allow_hyphen_values = true)]
    pub prompt: Option<String>,

    /// Upgrade core dependencies (pip; and setuptools before 3.12) to the
    /// latest version in PyPI
    #[arg(long)]
    pub upgrade_deps: bool,

    /// Skips adding SCM ignore files to the environment directory (Git is
    /// supported by default). Only Python 3.13 and later write one.
    #[arg(long)]
    pub without_scm_ignore_files: bool,

    /// Make an environment that keeps working when moved or copied to
    /// another path (as uv's --relocatable): activation scripts and pip's
    /// scripts find it from where they are, and pyvenv.cfg records
    /// `relocatable = true`. Scripts pip installs later name it absolutely.
    #[arg(long)]
    pub relocatable: bool,

    /// How pip is installed: natively from the target's bundled wheels
    /// (fast, the default), or by running the target's ensurepip.
    #[arg(long, value_enum, default_value = "native", value_name = "SEEDER")]
    pub seeder: SeederArg,

    /// How pip's files come from pyvenv's wheel cache: auto (a reflink where
    /// the filesystem has it, else a hardlink, else a copy), clone (a reflink
    /// or a copy: never shared), hardlink, or copy.
    #[arg(long, value_enum, default_value = "auto", value_name = "MODE")]
    pub link_mode: LinkModeArg,

    /// Say on stderr which interpreter was chosen and how, its version, the
    /// route pip takes, the cache used, and how long each step took.
    #[arg(short = 'v', long, overrides_with = "quiet")]
    pub verbose: bool,

    /// Print nothing but errors, not even warnings.
    #[arg(short = 'q', long, overrides_with = "verbose")]
    pub quiet: bool,

    /// Read and write no cache at all (as PYVENV_NO_CACHE=1 does); the
    /// environment is the same, only slower to make.
    #[arg(long)]
    pub no_cache: bool,

    /// The cache directory (as PYVENV_CACHE_DIR sets it).
    #[arg(long, value_name = "DIR", value_parser = clap::value_parser!(PathBuf))]
    pub cache_dir: Option<PathBuf>,

    /// Empty the cache directory and exit, after any other pyvenv using it
    /// has finished; only what pyvenv put there is removed. Takes no ENV_DIR.
    #[arg(long, conflicts_with_all = ["dirs", "generate"])]
    pub cache_clean: bool,

    /// Print a man page or a shell completion script to stdout and exit.
    /// Takes no ENV_DIR.
    #[arg(long, value_enum, value_name = "KIND", conflicts_with = "dirs")]
    pub generate: Option<GenerateKind>,
}

/// `--generate`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GenerateKind {
    /// A roff man page: `pyvenv --generate man > pyvenv.1`.
    Man,
    /// Completion for bash.
    CompleteBash,
    /// Completion for zsh.
    CompleteZsh,
    /// Completion for fish.
    CompleteFish,
    /// Completion for PowerShell.
    CompletePowershell,
    /// Completion for nushell.
    CompleteNushell,
}

/// The environment variables pyvenv reads, for `--help` and the man page.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "PYVENV_PYTHON",
        "The interpreter when -p is not given (the same forms as -p).",
    ),
    (
        "PYVENV_CACHE_DIR",
        "The cache directory (an absolute path); --cache-dir overrides it.",
    ),
    (
        "XDG_CACHE_HOME",
        "The cache is $XDG_CACHE_HOME/pyvenv when PYVENV_CACHE_DIR is not set (else ~/.cache/pyvenv).",
    ),
    (
        "PYVENV_NO_CACHE",
        "1 (or true, yes, on): use no cache, as --no-cache does.",
    ),
    (
        "PYVENV_PROBE_TIMEOUT",
        "Seconds an interpreter may take to say what it is (default 20).",
    ),
    (
        "PYENV_ROOT",
        "Where pyenv's versions are looked for (default ~/.pyenv).",
    ),
];

/// The exit statuses, for the man page.
pub const EXIT_STATUS: &[(&str, &str)] = &[
    (
        "0",
        "Every environment was made (or the cache emptied, or the page printed).",
    ),
    ("1", "A failure, described on stderr after \"Error: \"."),
    (
        "2",
        "A usage error: an unknown, ambiguous or missing argument.",
    ),
    (
        "129",
        "Stopped by SIGHUP (its terminal closed); the environment being made is left as it was.",
    ),
    (
        "130",
        "Interrupted by SIGINT (Ctrl-C); the environment being made is left as it was.",
    ),
    (
        "143",
        "Stopped by SIGTERM; the environment being made is left as it was.",
    ),
];

fn after_help() -> String {
    let mut text = String::from(
        "Once an environment has been created, you may wish to activate it, e.g. by\n\
         sourcing an activate script in its bin directory.\n\nEnvironment variables:\n",
    );
    for (name, meaning) in ENVIRONMENT {
        text.push_str(&format!("  {name}\n          {meaning}\n"));
    }
    text
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
    /// Reflink, else hardlink (never as root), else copy.
    Auto,
    /// Reflink, else copy.
    Clone,
    /// Hardlink, else copy.
    Hardlink,
    /// Copy.
    Copy,
}

impl Cli {
    /// Parses `args` (the program name first); a usage error prints itself
    /// and exits 2, as argparse does.
    pub fn parse_from_os(args: impl IntoIterator<Item = OsString>) -> Cli {
        let args: Vec<OsString> = args.into_iter().collect();
        match expand_prefixes(&Cli::command(), args) {
            Ok(args) => Cli::parse_from(args),
            Err(error) => error.exit(),
        }
    }

    /// The request, independent of any directory.
    pub fn options(&self) -> Options {
        Options {
            system_site_packages: self.system_site_packages,
            symlinks: !self.copies,
            symlinks_asked: self.symlinks,
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
            relocatable: self.relocatable,
            route: RouteChoice::Auto,
        }
    }
}

/// The long options `python -m venv` itself has: where a prefix could mean
/// one of these or one of pyvenv's own (`--p`: `--prompt` or `--python`),
/// it means what it means to `python -m venv`, so scripts keep working.
const VENV_LONGS: &[&str] = &[
    "help",
    "system-site-packages",
    "symlinks",
    "copies",
    "clear",
    "upgrade",
    "without-pip",
    "prompt",
    "upgrade-deps",
    "without-scm-ignore-files",
];

/// Replaces each unique prefix of a long option by the option, as argparse
/// does; an ambiguous prefix is a usage error naming the candidates.
/// Arguments after `--` and values of options are left as they are.
pub fn expand_prefixes(
    cmd: &clap::Command,
    args: Vec<OsString>,
) -> Result<Vec<OsString>, clap::Error> {
    let mut cmd = cmd.clone();
    cmd.build();
    let mut longs: Vec<(String, bool)> = Vec::new();
    for arg in cmd.get_arguments() {
        let takes_value = arg.get_action().takes_values();
        for long in arg.get_long_and_visible_aliases().into_iter().flatten() {
            longs.push((long.to_string(), takes_value));
        }
    }
    let takes_value_short: Vec<char> = cmd
        .get_arguments()
        .filter(|a| a.get_action().takes_values())
        .filter_map(|a| a.get_short())
        .collect();
    let mut out = Vec::with_capacity(args.len());
    let mut args = args.into_iter();
    if let Some(program) = args.next() {
        out.push(program);
    }
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str().map(str::to_owned) else {
            out.push(arg);
            continue;
        };
        if text == "--" {
            out.push(arg);
            out.extend(args.by_ref());
            break;
        }
        let skip_value = if let Some(body) = text.strip_prefix("--") {
            let (name, value) = match body.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (body, None),
            };
            let (long, takes_value) = resolve_long(&cmd, &longs, name)?;
            out.push(match value {
                Some(value) => format!("--{long}={value}").into(),
                None => format!("--{long}").into(),
            });
            takes_value && value.is_none()
        } else {
            out.push(arg);
            text.len() == 2
                && text.starts_with('-')
                && text[1..].chars().all(|c| takes_value_short.contains(&c))
        };
        if skip_value && let Some(value) = args.next() {
            out.push(value);
        }
    }
    Ok(out)
}

/// The long option `name` stands for (itself when no option starts with
/// it, for clap to report), and whether it takes a value.
fn resolve_long(
    cmd: &clap::Command,
    longs: &[(String, bool)],
    name: &str,
) -> Result<(String, bool), clap::Error> {
    if let Some((long, takes)) = longs.iter().find(|(l, _)| l == name) {
        return Ok((long.clone(), *takes));
    }
    let candidates: Vec<&(String, bool)> = longs
        .iter()
        .filter(|(l, _)| !name.is_empty() && l.starts_with(name))
        .collect();
    let venv: Vec<&&(String, bool)> = candidates
        .iter()
        .filter(|(l, _)| VENV_LONGS.contains(&l.as_str()))
        .collect();
    match (candidates.as_slice(), venv.as_slice()) {
        ([], _) => Ok((name.to_string(), false)),
        ([(long, takes)], _) | (_, [(long, takes)]) => Ok((long.clone(), *takes)),
        _ => {
            let names: Vec<String> = candidates.iter().map(|(l, _)| format!("--{l}")).collect();
            Err(cmd.clone().error(
                ErrorKind::UnknownArgument,
                format!(
                    "ambiguous option: --{name} could match {}",
                    names.join(", ")
                ),
            ))
        }
    }
}

/// Whether `PYVENV_NO_CACHE`'s value asks for no cache: `1`, `true`, `yes`
/// or `on` (any case); anything else, or unset, does not.
pub fn no_cache_requested(flag: bool, env_value: Option<&std::ffi::OsStr>) -> bool {
    flag || env_value
        .and_then(|v| v.to_str())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| matches!(v.as_str(), "1" | "true" | "yes" | "on"))
}
