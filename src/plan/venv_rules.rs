//! Which targets pyvenv knows the venv of, and what that venv does.
//!
//! pyvenv builds an environment itself only where it knows, rule by rule,
//! what the target's own `venv` module would make: CPython 3.6 to 3.15 on
//! Linux, macOS and Windows, and PyPy 3.11 on Linux. Anything else (a
//! CPython newer than the rules, another PyPy, GraalPy, another platform, a
//! PyPy whose `--copies` would copy its shared libraries) is not guessed
//! at: [`VenvRules::for_target`]
//! answers `None`, and the builder lets the target's own venv do the work.
//! Pure code over the interpreter's facts, so each rule is unit-tested
//! without the interpreter.

use crate::interpreter::probe::BaseInterpreter;
use crate::plan::target_os::TargetOs;

/// The newest CPython whose venv pyvenv has rules for.
pub const NEWEST_CPYTHON: (u32, u32) = (3, 15);

/// The implementations pyvenv has rules for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implementation {
    /// CPython's own `Lib/venv`.
    CPython,
    /// PyPy's `venv`: CPython 3.11's, plus its own links and copies.
    PyPy,
}

/// Where the environment's `include` directory goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeDir {
    /// `include` (before 3.11, and again from 3.14).
    Plain,
    /// The sysconfig `venv` scheme's `include` (`include/python3.11`).
    Scheme,
}

/// What one target's venv does, in the points where targets differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenvRules {
    /// Whose venv this is.
    pub implementation: Implementation,
    /// The platform the venv branches on.
    pub target_os: TargetOs,
    /// Paths come from sysconfig's `venv` scheme (3.11 on).
    pub uses_scheme: bool,
    /// Where `include` goes.
    pub include: IncludeDir,
    /// `lib64 -> lib` is made (64-bit POSIX but macOS, before 3.15).
    pub lib64: bool,
    /// The scheme's `platlib` directory is made (3.15 on).
    pub platlib: bool,
    /// Names for the python in `bin` beside the base executable's own
    /// (none on Windows, whose names come with its launchers).
    pub aliases: Vec<String>,
    /// With `--copies`, a copy of a symlink is a link to what it resolves to
    /// (PyPy's copier).
    pub copies_keep_links: bool,
    /// A `.gitignore` is written unless `--without-scm-ignore-files`.
    pub gitignore: bool,
    /// `--prompt` is written to `pyvenv.cfg` (3.8 on).
    pub cfg_prompt: bool,
    /// `--prompt .` means the working directory's name (3.9 on).
    pub prompt_dot: bool,
    /// `pyvenv.cfg` has `executable` and `command` (3.11 on).
    pub cfg_command: bool,
    /// `command` records `--without-scm-ignore-files` (3.13 on).
    pub records_scm_flag: bool,
    /// `sys._base_executable` is the base (3.7 on).
    pub base_is_base_executable: bool,
    /// Commands run in the environment with `-m`, `VIRTUAL_ENV` set and
    /// inside it (3.10.13 on); else `-Im` with the caller's surroundings.
    pub calls_inside_env: bool,
    /// `--upgrade-deps` upgrades setuptools too (before 3.12; PyPy 3.11).
    pub upgrades_setuptools: bool,
}

impl VenvRules {
    /// The rules for `python`'s venv; `None` where pyvenv has none.
    pub fn for_target(python: &BaseInterpreter) -> Option<VenvRules> {
        let version = python.version;
        let minor = (version.0, version.1);
        let target_os = TargetOs::of(python)?;
        let implementation = match python.implementation.as_str() {
            "cpython" if ((3, 6)..=NEWEST_CPYTHON).contains(&minor) => Implementation::CPython,
            // PyPy's venv copies its shared libraries with --copies where
            // they sit beside the executable: not modelled, so not guessed.
            "pypy" if minor == (3, 11) && !python.pypy_portable && target_os == TargetOs::Linux => {
                Implementation::PyPy
            }
            _ => return None,
        };
        let windows = target_os == TargetOs::Windows;
        let cpython = implementation == Implementation::CPython;
        let mut aliases: Vec<String> = vec!["python".into(), "python3".into()];
        if version >= (3, 9, 0) {
            aliases.push(format!("python3.{}", version.1));
        }
        if cpython && minor == (3, 14) && python.fs_encoding.eq_ignore_ascii_case("utf-8") {
            aliases.push("\u{1d70b}thon".into());
        }
        if !cpython {
            aliases.extend(["pypy3".into(), "pypy".into()]);
        }
        if windows {
            aliases.clear();
        }
        Some(VenvRules {
            implementation,
            target_os,
            uses_scheme: version >= (3, 11, 0) && python.venv_scheme.is_some(),
            include: if version >= (3, 11, 0) && !(cpython && minor >= (3, 14)) {
                IncludeDir::Scheme
            } else {
                IncludeDir::Plain
            },
            lib64: python.is_64bit
                && target_os == TargetOs::Linux
                && !(cpython && minor >= (3, 15)),
            platlib: cpython && minor >= (3, 15),
            aliases,
            copies_keep_links: !cpython,
            gitignore: cpython && version >= (3, 13, 0),
            cfg_prompt: version >= (3, 8, 0),
            prompt_dot: version >= (3, 9, 0),
            cfg_command: version >= (3, 11, 0),
            records_scm_flag: cpython && version >= (3, 13, 0),
            base_is_base_executable: version >= (3, 7, 0),
            calls_inside_env: version >= (3, 10, 13),
            upgrades_setuptools: version < (3, 12, 0),
        })
    }
}

#[cfg(test)]
#[path = "venv_rules_tests.rs"]
mod tests;
