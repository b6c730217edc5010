//! Finding and asking a real Windows CPython: python.org's embeddable
//! 3.13 (fetched by `.ci/python-embed`), run under Wine by
//! `.ci/cross-check`, which names its `python.exe` (a Windows path) in
//! `PYVENV_TEST_WINDOWS_PYTHON`. The probe's facts must be Windows' (`nt`,
//! `win32`, `Scripts`), and `-p 3.13` must find it by PATH and by a PEP 514
//! registry entry the test writes with Wine's `reg`. Elsewhere (no such
//! interpreter) every test says SKIPPED.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use pyvenv::interpreter::discovery::{PythonRequest, SearchPath};
use pyvenv::interpreter::probe::BaseInterpreter;

/// Wine starts slowly the first time in a prefix; the probe is given room.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The embeddable python.exe, or `None` (said on stderr) where there is none.
fn embeddable() -> Option<PathBuf> {
    match std::env::var_os("PYVENV_TEST_WINDOWS_PYTHON") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => {
            eprintln!(
                "SKIPPED: no Windows CPython (PYVENV_TEST_WINDOWS_PYTHON is set by \
                 .ci/cross-check, under Wine, from .ci/python-embed)"
            );
            None
        }
    }
}

fn search(path: Option<OsString>) -> SearchPath {
    SearchPath {
        path,
        cwd: std::env::current_dir().unwrap_or_default(),
        timeout: TIMEOUT,
        host: pyvenv::os::host::HOST,
        ..SearchPath::default()
    }
}

/// Windows names one file in any case: compared as Windows compares them.
fn same_path(a: &Path, b: &Path) -> bool {
    a.to_string_lossy().to_lowercase() == b.to_string_lossy().to_lowercase()
}

fn assert_is_the_embeddable(found: &BaseInterpreter, python: &Path) {
    assert_eq!(found.os_name, "nt");
    assert_eq!(found.platform, "win32");
    assert_eq!((found.version.0, found.version.1), (3, 13));
    assert_eq!(found.implementation, "cpython");
    let scheme = found.venv_scheme.as_ref().expect("3.13 has a venv scheme");
    assert_eq!(scheme.scripts, Path::new("Scripts"));
    assert_eq!(scheme.purelib, Path::new(r"Lib\site-packages"));
    assert!(
        same_path(&found.executable, python),
        "{} is not {}",
        found.executable.display(),
        python.display()
    );
}

#[test]
fn a_windows_path_is_probed_as_windows_python() {
    let Some(python) = embeddable() else { return };
    let text = python.to_string_lossy();
    let request = PythonRequest::parse(&text);
    assert_eq!(
        request,
        PythonRequest::Path(python.clone()),
        "C:\\... is a path"
    );
    let found = search(None).find(Some(&request)).unwrap();
    assert_is_the_embeddable(&found, &python);
}

#[test]
fn a_version_is_found_as_python_exe_on_path() {
    let Some(python) = embeddable() else { return };
    let dir = python.parent().unwrap().as_os_str().to_owned();
    let found = search(Some(dir))
        .find(Some(&PythonRequest::parse("3.13")))
        .unwrap();
    assert_is_the_embeddable(&found, &python);
    let wrong = search(Some(python.parent().unwrap().as_os_str().to_owned()))
        .find(Some(&PythonRequest::parse("3.12")));
    assert!(wrong.is_err(), "a 3.13 is not taken for 3.12");
}

/// A PEP 514 entry for the embeddable, under `HKCU`, removed when dropped.
struct RegistryEntry(&'static str);

impl RegistryEntry {
    fn add(key: &'static str, python: &Path) -> RegistryEntry {
        let entry = RegistryEntry(key);
        let install = format!(r"{key}\InstallPath");
        let dir = python.parent().unwrap().to_string_lossy().into_owned();
        reg(&["add", key, "/v", "SysVersion", "/d", "3.13", "/f"]);
        reg(&["add", &install, "/ve", "/d", &dir, "/f"]);
        entry
    }
}

impl Drop for RegistryEntry {
    fn drop(&mut self) {
        let company = self
            .0
            .rsplit_once('\\')
            .map_or(self.0, |(company, _)| company);
        let _ = Command::new("reg").args(["delete", company, "/f"]).output();
    }
}

fn reg(args: &[&str]) {
    let out = Command::new("reg").args(args).output().unwrap();
    assert!(out.status.success(), "reg {args:?}: {out:?}");
}

#[test]
fn a_version_is_found_by_its_pep_514_registry_entry() {
    let Some(python) = embeddable() else { return };
    let key = r"HKCU\Software\Python\PyvenvTest\3.13";
    let _ = Command::new("reg")
        .args(["delete", r"HKCU\Software\Python\PyvenvTest", "/f"])
        .output();
    // No PATH: before the entry nothing is found, after it the entry is.
    let before = search(None).find(Some(&PythonRequest::parse("3.13")));
    assert!(before.is_err(), "found without the entry: {before:?}");
    let _entry = RegistryEntry::add(key, &python);
    let found = search(None)
        .find(Some(&PythonRequest::parse("3.13")))
        .unwrap();
    assert_is_the_embeddable(&found, &python);
    // The entry's directory holds python.exe: the default request finds
    // it too, as what `py` would run where PATH has no python.
    let default = search(None).find(None).unwrap();
    assert_is_the_embeddable(&default, &python);
}
