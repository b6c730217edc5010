//! A target interpreter and where its commands run: on this machine, or
//! inside the Debian unstable root (`.ci/sid-root`) that holds the newest
//! interpreters (CPython 3.13 to 3.15, the 3.14 debug build, PyPy 3.11).
//!
//! Inside the root, both `T -m venv` and pyvenv (its binary copied in) run
//! under `chroot`, so every path they see and write is the one a user of
//! that system would see; the tests read the result from outside.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// One interpreter to compare against, and the root it lives in.
#[derive(Debug, Clone)]
pub struct Target {
    /// The interpreter, as commands see it.
    pub python: PathBuf,
    /// The root commands run in; `None`: this machine.
    pub root: Option<PathBuf>,
}

impl Target {
    /// An interpreter of this machine.
    pub fn host(python: PathBuf) -> Target {
        Target { python, root: None }
    }

    /// A short name for failure messages.
    pub fn label(&self) -> String {
        match &self.root {
            None => self.python.display().to_string(),
            Some(_) => format!("sid:{}", self.python.display()),
        }
    }

    /// Where `inside` (a path as commands see it) is on this machine.
    pub fn outside(&self, inside: &Path) -> PathBuf {
        match &self.root {
            None => inside.to_path_buf(),
            Some(root) => root.join(inside.strip_prefix("/").unwrap_or(inside)),
        }
    }

    /// Where `outside` (a path on this machine) is, as commands see it.
    pub fn inside(&self, outside: &Path) -> PathBuf {
        match &self.root {
            None => outside.to_path_buf(),
            Some(root) => Path::new("/").join(
                outside
                    .strip_prefix(root)
                    .expect("a path inside the target's root"),
            ),
        }
    }

    /// A scratch directory the target's commands can reach.
    pub fn scratch(&self) -> tempfile::TempDir {
        match &self.root {
            None => tempfile::tempdir().unwrap(),
            Some(root) => tempfile::tempdir_in(root.join("tmp")).unwrap(),
        }
    }

    /// `program` (a path as commands see it), run in `cwd` (likewise).
    pub fn command(&self, program: impl AsRef<OsStr>, cwd: &Path) -> Command {
        let mut command = Command::new(program.as_ref());
        match &self.root {
            None => {
                command.current_dir(cwd);
            }
            Some(root) => super::chroot::enter(&mut command, root, cwd),
        }
        command
    }

    /// The pyvenv binary under test, as commands see it.
    pub fn pyvenv(&self) -> PathBuf {
        let built = PathBuf::from(env!("CARGO_BIN_EXE_pyvenv"));
        match &self.root {
            None => built,
            Some(root) => copied_into(root, &built),
        }
    }

    /// `sys.version_info[1]` of the target.
    pub fn minor(&self) -> u32 {
        let out = self
            .command(&self.python, Path::new("/"))
            .args(["-c", "import sys; print(sys.version_info[1])"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    /// `sys.implementation.name` of the target.
    pub fn implementation(&self) -> String {
        let out = self
            .command(&self.python, Path::new("/"))
            .args(["-c", "import sys; print(sys.implementation.name)"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// The Debian unstable root, when it is complete (`.ci/sid-root` makes it);
/// its `/proc` mounted. `None`, said on stderr, when there is none.
pub fn sid_root() -> Option<PathBuf> {
    static ROOT: OnceLock<Option<PathBuf>> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = std::env::var_os("PYVENV_SID_ROOT")
            .map_or_else(|| PathBuf::from("/var/lib/pyvenv-sid"), PathBuf::from);
        if !root.join(".pyvenv-sid-complete").exists() {
            eprintln!(
                "SKIPPED: no Debian unstable root at {} (CPython 3.13-3.15, PyPy); \
                 `bash .ci/sid-root` makes one where Debian's packages can be reached",
                root.display()
            );
            return None;
        }
        if !root.join("proc/self").exists() {
            let status = Command::new("mount")
                .args(["-t", "proc", "proc"])
                .arg(root.join("proc"))
                .status()
                .unwrap();
            assert!(status.success(), "cannot mount proc in {}", root.display());
        }
        Some(root)
    })
    .clone()
}

/// The interpreters of the Debian unstable root.
pub fn sid_targets() -> Vec<Target> {
    let Some(root) = sid_root() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for name in [
        "python3.13",
        "python3.14",
        "python3.15",
        "python3.14d",
        "pypy3",
    ] {
        let python = Path::new("/usr/bin").join(name);
        if root.join(python.strip_prefix("/").unwrap()).exists() {
            found.push(Target {
                python,
                root: Some(root.clone()),
            });
        } else {
            eprintln!("SKIPPED: the Debian unstable root has no {name}");
        }
    }
    found
}

/// Copies the pyvenv binary into `root` once per build (named by its size
/// and time, renamed into place so concurrent test binaries agree). The copy
/// is made by `cp`, so no thread of this process ever holds the file open
/// for writing: a child forked meanwhile would inherit that descriptor and
/// make running the file fail with "Text file busy".
fn copied_into(root: &Path, built: &Path) -> PathBuf {
    static COPIED: OnceLock<PathBuf> = OnceLock::new();
    COPIED
        .get_or_init(|| {
            let meta = std::fs::metadata(built).unwrap();
            let (secs, nanos) = pyvenv::os::meta::mtime(&meta);
            let name = format!("pyvenv-{}-{}", meta.len(), nanos ^ secs);
            let inside = Path::new("/opt/pyvenv-test").join(name);
            let outside = root.join(inside.strip_prefix("/").unwrap());
            if !outside.exists() {
                std::fs::create_dir_all(outside.parent().unwrap()).unwrap();
                let tmp = outside.with_extension(format!("tmp{}", std::process::id()));
                let status = Command::new("cp").arg(built).arg(&tmp).status().unwrap();
                assert!(
                    status.success(),
                    "cannot copy pyvenv into {}",
                    root.display()
                );
                std::fs::rename(&tmp, &outside).unwrap();
            }
            inside
        })
        .clone()
}
