//! Targets as their probes would describe them, for the plan's tests: one
//! place that fills every fact of a [`BaseInterpreter`], so a fact added
//! to the probe is added to the tests once, and each test file says only
//! how its target differs.

use std::path::{Path, PathBuf};

use crate::interpreter::probe::{BaseInterpreter, VenvScheme};
use crate::os::paths;

/// A CPython (or `implementation`) on Linux: `exe` is `sys.executable`,
/// reported as `sys._base_executable` too from 3.7; `lib` names its
/// directory under `lib/` (`python3.12`), which the `venv` scheme (reported
/// from 3.11) puts site-packages and the include directory under.
pub fn posix(
    implementation: &str,
    version: (u32, u32, u32),
    exe: &str,
    stdlib: &str,
    lib: &str,
) -> BaseInterpreter {
    let exe = PathBuf::from(exe);
    BaseInterpreter {
        version,
        executable: exe.clone(),
        base_executable: (version >= (3, 7, 0)).then(|| exe.clone()),
        real_executable: exe,
        is_64bit: true,
        implementation: implementation.into(),
        abiflags: String::new(),
        stdlib: PathBuf::from(stdlib),
        fs_encoding: "utf-8".into(),
        platform: "linux".into(),
        os_name: "posix".into(),
        python_build: false,
        gil_disabled: false,
        pyvenv_launcher: None,
        pypy_portable: false,
        venv_scm_flag: implementation == "cpython" && version >= (3, 13, 0),
        venv_scheme: (version >= (3, 11, 0)).then(|| posix_scheme(lib)),
        has_ensurepip: true,
        wheels: Vec::new(),
        cache_tag: Some("cpython-3x".into()),
        magic: String::new(),
    }
}

/// The POSIX `venv` scheme of a target whose directory under `lib/` is
/// `lib`.
pub fn posix_scheme(lib: &str) -> VenvScheme {
    VenvScheme {
        scripts: "bin".into(),
        include: format!("include/{lib}").into(),
        purelib: format!("lib/{lib}/site-packages").into(),
        platlib: format!("lib/{lib}/site-packages").into(),
    }
}

/// A python.org CPython installed in `C:\Program Files\Python3X`.
pub fn windows(version: (u32, u32, u32)) -> BaseInterpreter {
    let home = format!(r"C:\Program Files\Python3{}", version.1);
    let exe = format!(r"{home}\python.exe");
    let lib = format!("python3.{}", version.1);
    let mut python = posix("cpython", version, &exe, &format!(r"{home}\Lib"), &lib);
    python.platform = "win32".into();
    python.os_name = "nt".into();
    python.venv_scheme = (version >= (3, 11, 0)).then(|| VenvScheme {
        scripts: "Scripts".into(),
        include: "Include".into(),
        purelib: r"Lib\site-packages".into(),
        platlib: r"Lib\site-packages".into(),
    });
    python
}

/// A python.org framework CPython on macOS, run as the framework's
/// `bin/python3.X` stub: the probe sees the app inside the framework.
pub fn mac(version: (u32, u32, u32)) -> BaseInterpreter {
    let short = format!("3.{}", version.1);
    let framework = format!("/Library/Frameworks/Python.framework/Versions/{short}");
    let real = format!("{framework}/Resources/Python.app/Contents/MacOS/Python");
    let stub = PathBuf::from(format!("{framework}/bin/python{short}"));
    let lib = format!("python{short}");
    let stdlib = format!("{framework}/lib/{lib}");
    let mut python = posix("cpython", version, &real, &stdlib, &lib);
    python.platform = "darwin".into();
    python.base_executable = (version >= (3, 7, 0)).then(|| stub.clone());
    python.pyvenv_launcher = (version < (3, 8, 0)).then_some(stub);
    python
}

/// An absolute path written POSIX-style in a test, as the host spells the
/// plan's paths: itself on POSIX; on Windows, on the current drive
/// (`/w/env` is `Z:\w\env` under Wine), since `ntpath.abspath` adds it.
pub fn host_abs(posix: &str) -> PathBuf {
    paths::absolute(Path::new("/"), Path::new(posix))
}

/// A path as `pyvenv.cfg`'s `home` records it (normalised by the host's
/// rules): itself on POSIX, `\opt\py\bin` on Windows.
pub fn host_norm(posix: &str) -> String {
    paths::normpath(Path::new(posix)).display().to_string()
}
