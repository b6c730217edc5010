//! The wheels pyvenv reads from the disk are exactly the ones each
//! interpreter's own `ensurepip` would choose: for every CPython on this
//! machine, as installed and with a distribution's wheel directory
//! (`WHEEL_PKG_DIR`, Debian's `/usr/share/python-wheels`) holding various
//! sets of wheels.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use pyvenv::interpreter::bundled_wheels;
use pyvenv::interpreter::probe::{BaseInterpreter, PROBE_TIMEOUT};

/// ensurepip's own choice, through each version's own helpers, with
/// `WHEEL_PKG_DIR` replaced when an argument is given.
const ENSUREPIP_SAYS: &str = r#"
import sys, os, json, sysconfig
if len(sys.argv) > 1:
    real = sysconfig.get_config_var
    sysconfig.get_config_var = lambda name: sys.argv[1] if name == "WHEEL_PKG_DIR" else real(name)
import ensurepip as e
bundled = os.path.join(os.path.dirname(e.__file__), "_bundled")
if hasattr(e, "_get_packages"):
    packages = e._get_packages()
    wheels = [packages[n].wheel_path or os.path.join(bundled, packages[n].wheel_name) for n in e._PACKAGE_NAMES]
elif hasattr(e, "_get_pip_whl_path_ctx"):
    with e._get_pip_whl_path_ctx() as path:
        wheels = [str(path)]
else:
    wheels = [os.path.join(bundled, "%s-%s-%s-none-any.whl" % (p[0], p[1], p[2] if len(p) > 2 else "py2.py3")) for p in e._PROJECTS]
print(json.dumps({
    "wheels": [w for w in wheels if os.path.isfile(w)],
    "stdlib": sysconfig.get_path("stdlib"),
    "wheel_pkg_dir": sysconfig.get_config_var("WHEEL_PKG_DIR"),
}))
"#;

struct Answer {
    wheels: Vec<PathBuf>,
    stdlib: PathBuf,
    wheel_pkg_dir: Option<String>,
}

fn ensurepip_says(python: &Path, wheel_dir: Option<&Path>) -> Answer {
    let out = Command::new(python)
        .args(["-E", "-s", "-c", ENSUREPIP_SAYS])
        .args(wheel_dir)
        .current_dir("/")
        .output()
        .unwrap();
    assert!(out.status.success(), "{python:?}: {out:?}");
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Answer {
        wheels: answer["wheels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| PathBuf::from(w.as_str().unwrap()))
            .collect(),
        stdlib: PathBuf::from(answer["stdlib"].as_str().unwrap()),
        wheel_pkg_dir: answer["wheel_pkg_dir"].as_str().map(String::from),
    }
}

#[test]
fn the_wheels_read_from_disk_are_the_ones_ensurepip_chooses() {
    for python in support::interpreters() {
        let theirs = ensurepip_says(&python, None);
        let ours = bundled_wheels::chosen(&theirs.stdlib, theirs.wheel_pkg_dir.as_deref());
        assert_eq!(ours.as_ref(), Some(&theirs.wheels), "{python:?}");
        assert!(!theirs.wheels.is_empty(), "{python:?} bundles no wheel");
        // And the probe as a whole gives the same answer.
        let probed = BaseInterpreter::probe(&python, PROBE_TIMEOUT).unwrap();
        assert_eq!(probed.wheels, theirs.wheels, "{python:?}");
    }
}

#[test]
fn a_distributions_wheel_directory_is_read_as_ensurepip_reads_it() {
    let sets: &[&[&str]] = &[
        &[],
        &["pip-23.0.1-py3-none-any.whl", "pip-9.0.0-py3-none-any.whl"],
        &[
            "pip-23.0.1-py3-none-any.whl",
            "setuptools-66.1.1-py3-none-any.whl",
            "setuptools-7.0-py3-none-any.whl",
            "README",
        ],
    ];
    for python in support::interpreters() {
        for set in sets {
            let dir = tempfile::tempdir().unwrap();
            for name in *set {
                std::fs::write(dir.path().join(name), b"").unwrap();
            }
            // Debian's value ends in a slash; both spellings are compared.
            for spelling in [
                dir.path().to_path_buf(),
                PathBuf::from(format!("{}/", dir.path().display())),
            ] {
                let theirs = ensurepip_says(&python, Some(&spelling));
                let ours = bundled_wheels::chosen(&theirs.stdlib, theirs.wheel_pkg_dir.as_deref());
                assert_eq!(ours.as_ref(), Some(&theirs.wheels), "{python:?} {set:?}");
            }
        }
    }
}
