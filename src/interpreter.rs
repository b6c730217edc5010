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

use crate::child::{self, Ending};
use crate::error::{Error, Result};
use crate::interpreter_cache::FactsCache;

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
    scheme = None
    if "venv" in sysconfig.get_scheme_names():
        base = "/@PYVENV@"
        v = {"base": base, "platbase": base, "installed_base": base, "installed_platbase": base}
        scheme = {}
        for name in ("scripts", "include", "purelib"):
            scheme[name] = os.path.relpath(sysconfig.get_path(name, scheme="venv", vars=v), base)
    info["venv_scheme"] = scheme
    info["has_ensurepip"] = os.path.exists(os.path.join(stdlib, "ensurepip", "__main__.py"))
    # The wheels ensurepip itself would pick (bundled, or the distribution's
    # WHEEL_PKG_DIR), asked of ensurepip through each version's own helpers.
    wheels = []
    try:
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
    /// The sysconfig `venv` scheme, where the interpreter has one.
    pub venv_scheme: Option<VenvScheme>,
    /// Whether `ensurepip` can run (Debian moves it to `python3.X-venv`).
    pub has_ensurepip: bool,
    /// The wheels ensurepip would install from.
    pub wheels: Vec<PathBuf>,
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
    venv_scheme: Option<VenvScheme>,
    has_ensurepip: Option<bool>,
    wheels: Option<Vec<PathBuf>>,
}

impl BaseInterpreter {
    /// Runs `program` and asks it for its facts, giving up after `timeout`.
    pub fn probe(program: &Path, timeout: Duration) -> Result<BaseInterpreter> {
        let not_python = |reason: String| Error::NotAPython {
            path: program.to_path_buf(),
            reason,
        };
        // -E and -s keep the user's PYTHON* variables and user site out of
        // the answer; `/` as the working directory keeps a stray `json.py`
        // from shadowing the standard library.
        let mut command = Command::new(program);
        command.args(["-E", "-s", "-c", PROBE]).current_dir("/");
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
            let said = String::from_utf8_lossy(&stderr);
            let said = said.trim();
            return Err(not_python(format!(
                "asking it for its version failed ({status}){}",
                if said.is_empty() {
                    String::new()
                } else {
                    format!(": {said}")
                }
            )));
        }
        let raw: RawProbe = serde_json::from_slice(&stdout)
            .map_err(|e| not_python(format!("it gave an answer pyvenv cannot read ({e})")))?;
        Self::from_raw(program, raw)
    }

    /// [`BaseInterpreter::probe`], through the facts cache under
    /// `cache_dir` when there is one.
    pub fn probe_cached(
        program: &Path,
        timeout: Duration,
        cache_dir: Option<&Path>,
    ) -> Result<BaseInterpreter> {
        let Some(cache) = cache_dir.map(FactsCache::new) else {
            return Self::probe(program, timeout);
        };
        if let Some(facts) = cache.get(program) {
            return Ok(facts);
        }
        let facts = Self::probe(program, timeout)?;
        cache.put(program, &facts);
        Ok(facts)
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
            venv_scheme: raw.venv_scheme,
            has_ensurepip: raw.has_ensurepip.unwrap_or(false),
            wheels: raw.wheels.unwrap_or_default(),
        })
    }

    /// `X.Y`, as in `lib/pythonX.Y`.
    pub fn short_version(&self) -> String {
        format!("{}.{}", self.version.0, self.version.1)
    }
}
