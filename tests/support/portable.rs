//! Interpreters and environments that move: a private copy of a pyenv
//! CPython (which can then be deleted, as an upgrade or a cleanup deletes
//! one), and a tiny wheel with a console script, built here so installing
//! it needs no network and no `PIP_FIND_LINKS`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Copies pyenv's CPython 3.`minor` to `dest` with `cp -a`, leaving out its
/// test suite (half its size, and nothing an environment uses). Returns the
/// copy's `bin/python3.X`; `None` if that CPython is not installed.
pub fn copy_interpreter(minor: u32, dest: &Path) -> Option<PathBuf> {
    let exe = super::pyenv_python(minor)?;
    let root = exe.parent()?.parent()?.to_path_buf();
    let skip = root.join(format!("lib/python3.{minor}/test"));
    copy_except(&root, dest, &skip);
    Some(dest.join(format!("bin/python3.{minor}")))
}

/// `cp -a` of every entry of `src` into `dst`, recursing only into the
/// directories that hold `skip`, which is left out.
fn copy_except(src: &Path, dst: &Path, skip: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap().flatten() {
        let path = entry.path();
        if path == skip {
            continue;
        }
        let is_dir = entry.file_type().unwrap().is_dir();
        if is_dir && skip.starts_with(&path) {
            copy_except(&path, &dst.join(entry.file_name()), skip);
            continue;
        }
        let status = Command::new("cp")
            .arg("-a")
            .arg(&path)
            .arg(dst)
            .status()
            .unwrap();
        assert!(status.success(), "cp -a {}", path.display());
    }
}

/// The distribution, module and console script of [`tiny_wheel`].
pub const TINY_MODULE: &str = "pyvenv_tiny";
pub const TINY_SCRIPT: &str = "pyvenv-tiny";
/// What the console script prints: the prefix of the python running it.
pub const TINY_SAYS: &str = "tiny runs in ";

/// Builds `pyvenv_tiny-1.0-py3-none-any.whl` in `dir` with `python` (any
/// Python 3): one module, one console script that prints `sys.prefix`.
pub fn tiny_wheel(python: &Path, dir: &Path) -> PathBuf {
    let wheel = dir.join("pyvenv_tiny-1.0-py3-none-any.whl");
    let script = r#"
import base64, hashlib, sys, zipfile
files = {
    "pyvenv_tiny/__init__.py": "import sys\n\ndef main():\n    print('tiny runs in ' + sys.prefix)\n",
    "pyvenv_tiny-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: pyvenv_tiny\nVersion: 1.0\n",
    "pyvenv_tiny-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: pyvenv-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    "pyvenv_tiny-1.0.dist-info/entry_points.txt": "[console_scripts]\npyvenv-tiny = pyvenv_tiny:main\n",
}
record = []
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, text in files.items():
        data = text.encode()
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
    record.append("pyvenv_tiny-1.0.dist-info/RECORD,,")
    z.writestr("pyvenv_tiny-1.0.dist-info/RECORD", "\n".join(record) + "\n")
"#;
    let out = Command::new(python)
        .args(["-c", script])
        .arg(&wheel)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wheel
}

/// `env/bin/pip install` of a local wheel, offline, whatever the
/// machine's pip variables say.
pub fn pip_install(env: &Path, wheel: &Path) -> Output {
    Command::new(env.join("bin/pip"))
        .args(["install", "--no-index", "--no-deps", "--no-cache-dir"])
        .arg(wheel)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .output()
        .unwrap()
}

/// Runs `program` with `args`; panics with what it said unless it succeeds,
/// and returns its stdout.
pub fn run_ok(program: &Path, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {args:?} failed ({}):\n{}{}",
        program.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `cmd`; panics with what it said on stderr unless it succeeds.
pub fn succeeds(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
