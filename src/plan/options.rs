//! What the user asked for, in the plan's vocabulary: the flags of
//! `python -m venv` and pyvenv's own, independent of any directory or
//! interpreter. The command line fills it in; the plan reads it.

/// What the user asked for, independent of any directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `--system-site-packages`.
    pub system_site_packages: bool,
    /// `--symlinks` (the POSIX default) rather than `--copies`.
    pub symlinks: bool,
    /// `--symlinks` was given: a Windows venv links only when told to.
    pub symlinks_asked: bool,
    /// `--clear`.
    pub clear: bool,
    /// `--upgrade`.
    pub upgrade: bool,
    /// Not `--without-pip`.
    pub with_pip: bool,
    /// `--prompt`, as given.
    pub prompt: Option<String>,
    /// `--upgrade-deps`.
    pub upgrade_deps: bool,
    /// Not `--without-scm-ignore-files`.
    pub scm_ignore_files: bool,
    /// `--seeder`: how pip gets in.
    pub seeder: Seeder,
    /// `--link-mode`: how files come from the wheel cache.
    pub link_mode: LinkMode,
    /// `--relocatable`: the environment keeps working when moved.
    pub relocatable: bool,
    /// Whether pyvenv may build from its own rules (a test-only switch
    /// forces the target's own venv).
    pub route: RouteChoice,
}

/// Who builds the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RouteChoice {
    /// pyvenv, where it has rules for the target; else the target's venv.
    #[default]
    Auto,
    /// The target's own venv, whatever the target.
    Delegated,
}

/// How pip is installed into a new environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seeder {
    /// Unpacked from the target's bundled wheels by pyvenv itself.
    #[default]
    Native,
    /// The target's `python -m ensurepip`, exactly as its venv runs it.
    Ensurepip,
}

/// How files are placed from the wheel cache into an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkMode {
    /// A reflink where the filesystem has it, else a hardlink (not when
    /// the effective user is root: see `seed::cache::link`), else a copy.
    #[default]
    Auto,
    /// A reflink, else a copy: never shares a file with the cache.
    Clone,
    /// A hardlink, else a copy.
    Hardlink,
    /// Always a copy.
    Copy,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            system_site_packages: false,
            symlinks: true,
            symlinks_asked: false,
            clear: false,
            upgrade: false,
            with_pip: true,
            prompt: None,
            upgrade_deps: false,
            scm_ignore_files: true,
            seeder: Seeder::Native,
            link_mode: LinkMode::Auto,
            relocatable: false,
            route: RouteChoice::Auto,
        }
    }
}
