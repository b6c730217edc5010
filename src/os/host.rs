//! Which operating system pyvenv runs on, and what it keeps about the
//! Pythons installed on it beyond PATH: the one place the stages above
//! learn the host, so that where to look for interpreters can be decided
//! in plain code that a test on any host can give any platform.

use std::path::PathBuf;

/// The kind of machine pyvenv is running on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Host {
    /// Linux and the other POSIX systems with nothing below to look in.
    #[default]
    Posix,
    /// macOS: python.org's framework installs and Homebrew's `opt` paths.
    MacOs,
    /// Windows: the `py` launcher's list and PEP 514's registry entries.
    Windows,
}

/// The host this build of pyvenv runs on.
pub const HOST: Host = if cfg!(windows) {
    Host::Windows
} else if cfg!(target_os = "macos") {
    Host::MacOs
} else {
    Host::Posix
};

/// The variable that names the user's home directory: `HOME` on POSIX,
/// `USERPROFILE` on Windows (where `HOME` is seldom set, and Python's own
/// `expanduser` has not read it since 3.8).
pub const HOME_VAR: &str = if cfg!(windows) { "USERPROFILE" } else { "HOME" };

/// One PEP 514 entry, `Software\Python\<company>\<tag>` under `HKCU` or
/// `HKLM`, as the registry holds it (nothing checked or decided yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisteredPython {
    /// The company key's name (`PythonCore` for python.org's installs).
    pub company: String,
    /// The tag key's name (`3.12`, `3.12-32`, `3.13t`, or anything).
    pub tag: String,
    /// The tag's `SysVersion` value (`3.12`), where it has one.
    pub sys_version: Option<String>,
    /// The default value of the `InstallPath` key: the install directory.
    pub install_path: Option<PathBuf>,
    /// `InstallPath`'s `ExecutablePath` value: the interpreter itself.
    pub executable_path: Option<PathBuf>,
}
