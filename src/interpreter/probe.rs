//! Asking the target interpreter for the facts an environment depends on.
//!
//! This is the only module that runs the target python to ask it something.
//! It runs one small script (valid Python 2 and 3, so a Python 2 can be named
//! and refused clearly) and returns the raw answers as a [`BaseInterpreter`];
//! what those answers *mean* for a given CPython version is the layout's
//! business, so the rules stay in pure code that tests can feed any version.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::os::child::{self, Ending};

/// The script the target runs. It must stay valid Python 2.7 syntax.
const PROBE: &str = r#"
import sys, os, json
info = {"version": list(sys.version_info[:3])}
if sys.version_info >= (3, 6):
    import sysconfig
    stdlib = sysconfig.get_path("stdlib")
    info["executable"] = sys.executable
    info["base_executable"] = getattr(sys, "_base_executable", None)
    info["real_executable"] = os.path.realpath(sys.executable)
    info["is_64bit"] = sys.maxsize > 2 ** 32
    info["implementation"] = sys.implementation.name
    info["abiflags"] = getattr(sys, "abiflags", "")
    info["stdlib"] = stdlib
    info["fs_encoding"] = sys.getfilesystemencoding()
    info["platform"] = sys.platform
    info["os_name"] = os.name
    # What a venv lays out on Windows and macOS depends on these too.
    # Asked as each version's venv asks: 3.15 takes no argument.
    if sys.version_info < (3, 11):
        info["python_build"] = bool(sysconfig.is_python_build(True))
    else:
        info["python_build"] = bool(sysconfig.is_python_build())
    info["gil_disabled"] = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    if sys.platform == "darwin":
        info["pyvenv_launcher"] = os.environ.get("__PYVENV_LAUNCHER__")
    # Where and for which interpreter the bytecode pip compiles is valid.
    import importlib.util, binascii
    info["cache_tag"] = sys.implementation.cache_tag
    info["magic"] = binascii.hexlify(importlib.util.MAGIC_NUMBER).decode("ascii")
    if info["implementation"] == "pypy":
        # PyPy's venv copies these with --copies where they exist.
        home = os.path.dirname(os.path.abspath(info["base_executable"] or sys.executable))
        libs = ["libpypy%d.%d-c.%s" % (sys.version_info[0], sys.version_info[1], x) for x in ("so", "dylib")]
        info["pypy_portable"] = any(os.path.exists(os.path.join(home, x)) for x in libs) or os.path.exists(
            os.path.join(home, "..", "lib", "PYPY_PORTABLE_DEPS.txt"))
    try:
        with open(os.path.join(stdlib, "venv", "__init__.py"), "rb") as f:
            info["venv_scm_flag"] = b"--without-scm-ignore-files" in f.read()
    except Exception:
        info["venv_scm_flag"] = False
    scheme = None
    if "venv" in sysconfig.get_scheme_names():
        base = "/@PYVENV@"
        v = {"base": base, "platbase": base, "installed_base": base, "installed_platbase": base}
        scheme = {}
        for name in ("scripts", "include", "purelib", "platlib"):
            scheme[name] = os.path.relpath(sysconfig.get_path(name, scheme="venv", vars=v), base)
    info["venv_scheme"] = scheme
    info["has_ensurepip"] = os.path.exists(os.path.join(stdlib, "ensurepip", "__main__.py"))
    info["wheel_pkg_dir"] = sysconfig.get_config_var("WHEEL_PKG_DIR")
    # The wheels ensurepip itself would pick (bundled, or the distribution's
    # WHEEL_PKG_DIR), asked of ensurepip through each version's own helpers
    # unless pyvenv reads them from the disk (src/bundled_wheels.rs).
    wheels = []
    try:
        if "--wheels-from-disk" in sys.argv:
            raise ImportError("not asked")
        import ensurepip as e
        bundled = os.path.join(os.path.dirname(e.__file__), "_bundled")
        if hasattr(e, "_get_packages"):
            packages = e._get_packages()
            for name in e._PACKAGE_NAMES:
                p = packages[name]
                wheels.append(p.wheel_path or os.path.join(bundled, p.wheel_name))
        elif hasattr(e, "_get_pip_whl_path_ctx"):
            with e._get_pip_whl_path_ctx() as path:
                wheels.append(str(path))
        else:
            for project in e._PROJECTS:
                tag = project[2] if len(project) > 2 else "py2.py3"
                wheels.append(os.path.join(bundled, "%s-%s-%s-none-any.whl" % (project[0], project[1], tag)))
        wheels = [w for w in wheels if os.path.isfile(w)]
    except Exception:
        wheels = []
    info["wheels"] = wheels
sys.stdout.write(json.dumps(info))
"#;

/// How long an interpreter may take to answer before pyvenv gives up on it.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// The sysconfig `venv` scheme's paths, relative to the environment (3.11+).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenvScheme {
    /// Where executables go (`bin`).
    pub scripts: PathBuf,
    /// Where headers go (`include/python3.11` from 3.11 on).
    pub include: PathBuf,
    /// Where pure-Python packages go (`lib/python3.11/site-packages`).
    pub purelib: PathBuf,
    /// Where compiled packages go: the same as `purelib` unless
    /// `sys.platlibdir` is not `lib`. CPython 3.15's venv creates it.
    pub platlib: PathBuf,
}

/// What the target interpreter said about itself, unreinterpreted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseInterpreter {
    /// `sys.version_info[:3]`.
    pub version: (u32, u32, u32),
    /// `sys.executable`: the path as it was invoked.
    pub executable: PathBuf,
    /// `sys._base_executable`, where the interpreter has it.
    pub base_executable: Option<PathBuf>,
    /// `os.path.realpath(sys.executable)`.
    pub real_executable: PathBuf,
    /// `sys.maxsize > 2**32`.
    pub is_64bit: bool,
    /// `sys.implementation.name` (`cpython`, `pypy`).
    pub implementation: String,
    /// `sys.abiflags`.
    pub abiflags: String,
    /// The standard library directory.
    pub stdlib: PathBuf,
    /// `sys.getfilesystemencoding()`: 3.14 adds `𝜋thon` only under UTF-8.
    pub fs_encoding: String,
    /// `sys.platform` (`linux`, `darwin`, `win32`).
    pub platform: String,
    /// `os.name` (`posix`, `nt`).
    pub os_name: String,
    /// `sysconfig.is_python_build(True)`: run from a source tree, whose
    /// venv takes its launchers and DLLs from beside the executable.
    pub python_build: bool,
    /// `Py_GIL_DISABLED`: a free-threaded build, which has its own
    /// launchers on Windows.
    pub gil_disabled: bool,
    /// `__PYVENV_LAUNCHER__` on macOS: the framework stub a user ran, which
    /// 3.6's venv takes as the base executable.
    pub pyvenv_launcher: Option<PathBuf>,
    /// PyPy with its shared library beside the executable, or a portable
    /// build's `PYPY_PORTABLE_DEPS.txt`, which its venv copies.
    pub pypy_portable: bool,
    /// Its venv has `--without-scm-ignore-files`.
    pub venv_scm_flag: bool,
    /// The sysconfig `venv` scheme, where the interpreter has one.
    pub venv_scheme: Option<VenvScheme>,
    /// Whether `ensurepip` can run (Debian moves it to `python3.X-venv`).
    pub has_ensurepip: bool,
    /// The wheels ensurepip would install from.
    pub wheels: Vec<PathBuf>,
    /// `sys.implementation.cache_tag` (`cpython-312`), the middle of a
    /// `.pyc` file's name; `None`: the interpreter writes no bytecode.
    pub cache_tag: Option<String>,
    /// `importlib.util.MAGIC_NUMBER` in hex: the bytecode format.
    pub magic: String,
}

#[derive(Deserialize)]
struct RawProbe {
    version: Vec<u32>,
    executable: Option<PathBuf>,
    base_executable: Option<PathBuf>,
    real_executable: Option<PathBuf>,
    is_64bit: Option<bool>,
    implementation: Option<String>,
    abiflags: Option<String>,
    stdlib: Option<PathBuf>,
    fs_encoding: Option<String>,
    platform: Option<String>,
    os_name: Option<String>,
    python_build: Option<bool>,
    gil_disabled: Option<bool>,
    pyvenv_launcher: Option<PathBuf>,
    pypy_portable: Option<bool>,
    venv_scm_flag: Option<bool>,
    venv_scheme: Option<VenvScheme>,
    has_ensurepip: Option<bool>,
    wheels: Option<Vec<PathBuf>>,
    cache_tag: Option<String>,
    magic: Option<String>,
}

/// The one line of a failed program's stderr that says what went wrong,
/// so the error stays one line: a Python traceback's last line (the
/// exception), else the first line (`ls: invalid option -- 'E'`, before
/// its `Try 'ls --help'`).
fn telling_line(stderr: &str) -> Option<&str> {
    let mut lines = stderr.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next()?;
    if first.starts_with("Traceback (most recent call last)") {
        return lines.next_back().or(Some(first));
    }
    Some(first)
}

impl BaseInterpreter {
    /// Runs `program` and asks it for its facts, giving up after `timeout`.
    pub fn probe(program: &Path, timeout: Duration) -> Result<BaseInterpreter> {
        Self::probe_with_env(program, timeout, &[])
    }

    /// [`BaseInterpreter::probe`] with variables added to the program's
    /// environment (a pyenv shim run from `/` needs `PYENV_DIR` to know the
    /// user's directory).
    pub fn probe_with_env(
        program: &Path,
        timeout: Duration,
        env: &[(&str, &std::ffi::OsStr)],
    ) -> Result<BaseInterpreter> {
        let (mut facts, wheel_pkg_dir) = Self::ask(program, timeout, env, &["--wheels-from-disk"])?;
        let wheels = wheel_pkg_dir.and_then(|dir| {
            crate::interpreter::bundled_wheels::chosen(&facts.stdlib, dir.as_deref())
        });
        match wheels {
            Some(wheels) => {
                facts.wheels = wheels;
                Ok(facts)
            }
            // Not certain from the disk: ensurepip itself is asked.
            None => Ok(Self::ask(program, timeout, env, &[])?.0),
        }
    }

    /// Runs the probe with `args`; also returns `WHEEL_PKG_DIR` (`None`
    /// when the answer did not say, `Some(None)` when it is unset).
    fn ask(
        program: &Path,
        timeout: Duration,
        env: &[(&str, &std::ffi::OsStr)],
        args: &[&str],
    ) -> Result<(BaseInterpreter, Option<Option<String>>)> {
        let not_python = |reason: String| Error::NotAPython {
            path: program.to_path_buf(),
            reason,
        };
        // -E and -s keep the user's PYTHON* variables and user site out of
        // the answer; `/` as the working directory keeps a stray `json.py`
        // from shadowing the standard library.
        let mut command = Command::new(program);
        command
            .args(["-E", "-s", "-c", PROBE])
            .args(args)
            .current_dir("/")
            .envs(env.iter().copied());
        let mut running = child::spawn(&mut command, true)
            .map_err(|e| not_python(format!("cannot run it: {e}")))?;
        let ending = running
            .wait(Instant::now().checked_add(timeout))
            .map_err(|e| not_python(format!("cannot wait for it: {e}")))??;
        let Ending::Exited {
            status,
            stdout,
            stderr,
        } = ending
        else {
            return Err(not_python(format!(
                "it did not answer within {} seconds",
                timeout.as_secs_f64()
            )));
        };
        if !status.success() {
            return Err(Error::ProbeFailed {
                path: program.to_path_buf(),
                status: status.to_string(),
                said: telling_line(&String::from_utf8_lossy(&stderr)).map(str::to_string),
            });
        }
        let raw: RawProbe = serde_json::from_slice(&stdout)
            .map_err(|e| not_python(format!("it gave an answer pyvenv cannot read ({e})")))?;
        let wheel_pkg_dir = match serde_json::from_slice::<serde_json::Value>(&stdout) {
            Ok(answer) => match answer.get("wheel_pkg_dir") {
                Some(serde_json::Value::Null) => Some(None),
                Some(serde_json::Value::String(dir)) => Some(Some(dir.clone())),
                _ => None,
            },
            Err(_) => None,
        };
        Ok((Self::from_raw(program, raw)?, wheel_pkg_dir))
    }

    fn from_raw(program: &Path, raw: RawProbe) -> Result<BaseInterpreter> {
        let version = match raw.version[..] {
            [major, minor, micro] => (major, minor, micro),
            _ => {
                return Err(Error::NotAPython {
                    path: program.to_path_buf(),
                    reason: "it reported no version".into(),
                });
            }
        };
        if version < (3, 6, 0) {
            return Err(Error::UnsupportedPython {
                path: program.to_path_buf(),
                version: format!("{}.{}.{}", version.0, version.1, version.2),
            });
        }
        let incomplete = |what: &str| Error::NotAPython {
            path: program.to_path_buf(),
            reason: format!("it did not report {what}"),
        };
        Ok(BaseInterpreter {
            version,
            executable: raw.executable.ok_or_else(|| incomplete("sys.executable"))?,
            base_executable: raw.base_executable,
            real_executable: raw
                .real_executable
                .ok_or_else(|| incomplete("its real path"))?,
            is_64bit: raw.is_64bit.unwrap_or(true),
            implementation: raw.implementation.unwrap_or_else(|| "cpython".into()),
            abiflags: raw.abiflags.unwrap_or_default(),
            stdlib: raw
                .stdlib
                .ok_or_else(|| incomplete("its standard library"))?,
            fs_encoding: raw.fs_encoding.unwrap_or_else(|| "utf-8".into()),
            platform: raw.platform.unwrap_or_else(|| "linux".into()),
            os_name: raw.os_name.unwrap_or_else(|| "posix".into()),
            python_build: raw.python_build.unwrap_or(false),
            gil_disabled: raw.gil_disabled.unwrap_or(false),
            pyvenv_launcher: raw.pyvenv_launcher,
            pypy_portable: raw.pypy_portable.unwrap_or(false),
            venv_scm_flag: raw.venv_scm_flag.unwrap_or(false),
            venv_scheme: raw.venv_scheme,
            has_ensurepip: raw.has_ensurepip.unwrap_or(false),
            wheels: raw.wheels.unwrap_or_default(),
            cache_tag: raw.cache_tag,
            magic: raw.magic.unwrap_or_default(),
        })
    }

    /// `X.Y`, as in `lib/pythonX.Y`.
    pub fn short_version(&self) -> String {
        format!("{}.{}", self.version.0, self.version.1)
    }
}

#[cfg(test)]
mod tests {
    use super::telling_line;

    #[test]
    fn a_failure_is_told_in_its_telling_line() {
        let ls =
            "/usr/bin/ls: invalid option -- 'E'\nTry '/usr/bin/ls --help' for more information.\n";
        assert_eq!(telling_line(ls), Some("/usr/bin/ls: invalid option -- 'E'"));
        let traceback = "Traceback (most recent call last):\n  File \"<string>\", line 1\nImportError: no json\n";
        assert_eq!(telling_line(traceback), Some("ImportError: no json"));
        assert_eq!(telling_line(" \n\n"), None);
    }
}
