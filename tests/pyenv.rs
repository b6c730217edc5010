//! pyvenv reads pyenv's shims by pyenv's own rules: for every way pyenv
//! selects a version, the environment is the one `python3 -m venv` makes
//! through the real shim, byte for byte in `pyvenv.cfg`, and the shim is not
//! run at all unless a hook or an unknown shim makes the choice uncertain.
//!
//! Each test builds a private `$PYENV_ROOT` whose `versions/` entries are
//! symlinks to this machine's pyenv CPythons, with shims written by the real
//! `pyenv rehash` of a copy of this machine's pyenv, whose `pyenv-exec`
//! notes every time a shim runs.
// Needs a POSIX host: named, with why, in tests/support (POSIX_ONLY).
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

#[path = "pyenv/generated.rs"]
mod generated;

/// This machine's `$PYENV_ROOT` (default `~/.pyenv`).
fn real_root() -> Option<PathBuf> {
    let home = PathBuf::from(std::env::var_os("HOME")?);
    Some(
        std::env::var_os("PYENV_ROOT")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(|| home.join(".pyenv")),
    )
}

/// This machine's pyenv installation, if it is a release pyvenv reads the
/// shims of (2.6.18 to 2.6.x; others are run, which other tests cover); a
/// visible skip otherwise.
fn pyenv_install() -> Option<PathBuf> {
    let install = std::fs::canonicalize(real_root()?.join("libexec/pyenv"))
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.to_path_buf()));
    let Some(install) = install else {
        eprintln!("SKIPPED: pyenv is not installed");
        return None;
    };
    let release =
        std::fs::read_to_string(install.join("libexec/pyenv---version")).unwrap_or_default();
    let known = release.lines().any(|l| {
        l.strip_prefix("version=\"2.6.")
            .and_then(|rest| rest.trim_end_matches('"').parse::<u32>().ok())
            .is_some_and(|patch| patch >= 18)
    });
    if !known {
        eprintln!("SKIPPED: this pyenv is not a release pyvenv reads (2.6.18 to 2.6.x)");
        return None;
    }
    Some(install)
}

struct Pyenv {
    tmp: tempfile::TempDir,
    /// The fake `$PYENV_ROOT`.
    root: PathBuf,
    /// The installed versions linked into it: a 3.11 and a 3.12.
    v311: String,
    v312: String,
}

/// One way of running: working directory and extra variables.
#[derive(Clone, Default)]
struct Run {
    cwd: Option<PathBuf>,
    env: Vec<(String, String)>,
    args: Vec<String>,
}

impl Run {
    fn in_dir(mut self, dir: &Path) -> Run {
        self.cwd = Some(dir.to_path_buf());
        self
    }
    fn var(mut self, name: &str, value: &str) -> Run {
        self.env.push((name.into(), value.into()));
        self
    }
    fn arg(mut self, arg: &str) -> Run {
        self.args.push(arg.into());
        self
    }
}

/// What an environment's interpreter choice left on disk, or the error.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Made { cfg: String, python: PathBuf },
    Failed(String),
}

impl Pyenv {
    fn new() -> Option<Pyenv> {
        let install = pyenv_install()?;
        let real_root = real_root()?;
        let installed = |minor: u32| {
            let mut names: Vec<String> = std::fs::read_dir(real_root.join("versions"))
                .ok()?
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| {
                    n.starts_with(&format!("3.{minor}."))
                        && real_root
                            .join(format!("versions/{n}/bin/python3.{minor}"))
                            .exists()
                })
                .collect();
            names.sort();
            names.pop()
        };
        let (Some(v311), Some(v312)) = (installed(11), installed(12)) else {
            eprintln!("SKIPPED: pyenv has no CPython 3.11 and 3.12 installed");
            return None;
        };
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        std::fs::create_dir_all(root.join("versions")).unwrap();
        for v in [&v311, &v312] {
            std::os::unix::fs::symlink(
                real_root.join("versions").join(v),
                root.join("versions").join(v),
            )
            .unwrap();
        }
        // A copy of pyenv whose `pyenv-exec` notes that a shim ran.
        let copy = tmp.path().join("pyenv");
        std::fs::create_dir(&copy).unwrap();
        for dir in ["libexec", "pyenv.d"] {
            let ok = Command::new("cp")
                .arg("-R")
                .arg(install.join(dir))
                .arg(&copy)
                .status()
                .unwrap()
                .success();
            assert!(ok, "copying pyenv's {dir}");
        }
        let exec = copy.join("libexec/pyenv-exec");
        let text = std::fs::read_to_string(&exec).unwrap();
        let marked = text.replacen(
            "\n",
            "\n[ -n \"$SHIM_RAN\" ] && echo ran >>\"$SHIM_RAN\"\n",
            1,
        );
        std::fs::write(&exec, marked).unwrap();
        let rehash = Command::new(copy.join("libexec/pyenv"))
            .arg("rehash")
            .env_clear()
            .env("PYENV_ROOT", &root)
            .env("HOME", tmp.path())
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap();
        assert!(rehash.status.success(), "{rehash:?}");
        std::fs::write(root.join("version"), format!("{v311}\n")).unwrap();
        std::fs::create_dir(tmp.path().join("work")).unwrap();
        Some(Pyenv {
            tmp,
            root,
            v311,
            v312,
        })
    }

    fn work(&self) -> PathBuf {
        self.tmp.path().join("work")
    }

    fn marker(&self) -> PathBuf {
        self.tmp.path().join("shim-ran")
    }

    /// A process with only the variables a pyenv user's shell would pass.
    fn command(&self, program: &Path, run: &Run) -> Command {
        let cwd = run.cwd.clone().unwrap_or_else(|| self.work());
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", self.tmp.path())
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.root.join("shims").display()),
            )
            .env("PWD", &cwd)
            .env("SHIM_RAN", self.marker())
            .env("PYVENV_CACHE_DIR", self.tmp.path().join("cache"))
            .current_dir(&cwd);
        for (k, v) in &run.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// `python3 -m venv` (or the command `-p` names) through the real shim.
    fn reference(&self, run: &Run, command: &str) -> Outcome {
        let env = self.work().join("env");
        let out = self
            .command(&self.root.join("shims").join(command), run)
            .args(["-m", "venv", "--without-pip"])
            .arg(&env)
            .output()
            .unwrap();
        self.outcome(&env, out)
    }

    /// pyvenv with `run`'s arguments; whether it ran a shim is returned too.
    fn pyvenv(&self, run: &Run) -> (Outcome, bool) {
        let _ = std::fs::remove_file(self.marker());
        let env = self.work().join("env");
        let out = self
            .command(
                Path::new(Command::cargo_bin("pyvenv").unwrap().get_program()),
                run,
            )
            .arg("--without-pip")
            .args(&run.args)
            .arg(&env)
            .output()
            .unwrap();
        let ran = self.marker().exists();
        (self.outcome(&env, out), ran)
    }

    fn outcome(&self, env: &Path, out: std::process::Output) -> Outcome {
        let result = if out.status.success() {
            Outcome::Made {
                cfg: std::fs::read_to_string(env.join("pyvenv.cfg")).unwrap(),
                python: std::fs::read_link(env.join("bin/python")).unwrap(),
            }
        } else {
            Outcome::Failed(String::from_utf8_lossy(&out.stderr).into_owned())
        };
        let _ = std::fs::remove_dir_all(env);
        result
    }

    /// pyvenv made what the shim makes, without running the shim.
    fn same_without_the_shim(&self, run: &Run, command: &str) -> String {
        let expected = self.reference(run, command);
        let (ours, ran) = self.pyvenv(run);
        assert_eq!(ours, expected);
        assert!(!ran, "pyvenv ran the shim");
        match expected {
            Outcome::Made { cfg, .. } => cfg,
            Outcome::Failed(e) => panic!("the reference failed: {e}"),
        }
    }

    /// [`Pyenv::same_without_the_shim`], and the version is `version`.
    fn chooses(&self, run: &Run, command: &str, version: &str) {
        let cfg = self.same_without_the_shim(run, command);
        assert!(cfg.contains(&format!("version = {version}\n")), "{cfg}");
    }

    /// pyvenv ran the shim (its choice being uncertain) and made the same.
    fn same_through_the_shim(&self, run: &Run, command: &str) {
        let expected = self.reference(run, command);
        assert!(matches!(expected, Outcome::Made { .. }), "{expected:?}");
        let (ours, ran) = self.pyvenv(run);
        assert_eq!(ours, expected);
        assert!(ran, "pyvenv did not run the shim");
    }
}

fn version_line(cfg: &str) -> &str {
    cfg.lines().find(|l| l.starts_with("version")).unwrap()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn the_global_version_file_chooses_the_default_python3() {
    let Some(p) = Pyenv::new() else { return };
    p.chooses(&Run::default(), "python3", &p.v311);
}

#[test]
fn pyenv_version_wins_over_the_version_files() {
    let Some(p) = Pyenv::new() else { return };
    write(&p.work().join(".python-version"), &format!("{}\n", p.v311));
    let run = Run::default().var("PYENV_VERSION", &p.v312);
    p.chooses(&run, "python3", &p.v312);
}

#[test]
fn the_nearest_python_version_file_wins_at_any_depth() {
    let Some(p) = Pyenv::new() else { return };
    let deep = p.work().join("a/b/c/d");
    std::fs::create_dir_all(&deep).unwrap();
    let run = Run::default().in_dir(&deep);
    write(
        &p.work().join("a/.python-version"),
        &format!("{}\n", p.v312),
    );
    p.chooses(&run, "python3", &p.v312);
    // Nearer, with a comment, and as a prefix pyenv resolves itself.
    let short = p.v311.rsplit_once('.').unwrap().0;
    write(
        &p.work().join("a/b/c/.python-version"),
        &format!("# pinned for this project\n  python-{short}  \n"),
    );
    p.chooses(&run, "python3", &p.v311);
}

#[test]
fn a_change_of_python_version_is_seen_on_the_very_next_run() {
    let Some(p) = Pyenv::new() else { return };
    let file = p.work().join(".python-version");
    write(&file, &p.v312);
    let first = p.same_without_the_shim(&Run::default(), "python3");
    write(&file, &p.v311);
    let second = p.same_without_the_shim(&Run::default(), "python3");
    assert_ne!(version_line(&first), version_line(&second));
    std::fs::remove_file(&file).unwrap();
    std::fs::write(p.root.join("version"), &p.v312).unwrap();
    let third = p.same_without_the_shim(&Run::default(), "python3");
    assert_eq!(version_line(&first), version_line(&third));
}

#[test]
fn several_versions_are_tried_in_order_for_the_command_asked_for() {
    let Some(p) = Pyenv::new() else { return };
    let both = Run::default().var("PYENV_VERSION", &format!("{}:{}", p.v312, p.v311));
    p.chooses(&both, "python3", &p.v312);
    p.chooses(
        &both.clone().arg("-p").arg("python3.11"),
        "python3.11",
        &p.v311,
    );
    // A version request reads the same shim.
    p.chooses(&both.clone().arg("-p").arg("3.11"), "python3.11", &p.v311);
}

#[test]
fn system_means_the_next_python_on_path() {
    let Some(p) = Pyenv::new() else { return };
    if !Path::new("/usr/bin/python3").exists() {
        eprintln!("SKIPPED: no /usr/bin/python3 for pyenv's system version");
        return;
    }
    let run = Run::default().var("PYENV_VERSION", "system");
    let cfg = p.same_without_the_shim(&run, "python3");
    assert!(cfg.contains("home = /usr/bin"), "{cfg}");
}

#[test]
fn a_version_that_is_not_installed_gives_pyenvs_own_error() {
    let Some(p) = Pyenv::new() else { return };
    let run = Run::default()
        .var("PYENV_VERSION", "3.99")
        .arg("-p")
        .arg("python3.12");
    let Outcome::Failed(theirs) = p.reference(&run, "python3.12") else {
        eprintln!("SKIPPED: the system has a python3.12, which pyenv runs for 3.99");
        return;
    };
    assert!(theirs.contains("3.99' is not installed"), "{theirs}");
    let (ours, _) = p.pyvenv(&run);
    let Outcome::Failed(ours) = ours else {
        panic!("pyvenv found a python3.12 for 3.99");
    };
    assert!(ours.starts_with("Error: "), "{ours}");
    // One line, with pyenv's first (the one that says why).
    assert_eq!(ours.lines().count(), 1, "{ours}");
    let why = theirs.lines().next().unwrap_or_default();
    assert!(ours.contains(why), "{ours}\nwanted:\n{theirs}");
    // For python3, pyenv itself falls back to the system's.
    if Path::new("/usr/bin/python3").exists() {
        p.same_without_the_shim(&Run::default().var("PYENV_VERSION", "3.99"), "python3");
    }
}

#[test]
fn a_version_request_passes_over_shims_that_cannot_answer() {
    let Some(p) = Pyenv::new() else { return };
    // The global version has no python3.12: its shim is skipped, unrun, and
    // the 3.12 under $PYENV_ROOT/versions is found.
    let (ours, ran) = p.pyvenv(
        &Run::default()
            .var("PYENV_ROOT", p.root.to_str().unwrap())
            .arg("-p")
            .arg("3.12"),
    );
    assert!(!ran, "pyvenv ran a shim that could not answer");
    let Outcome::Made { cfg, .. } = ours else {
        panic!("{ours:?}");
    };
    // (A system python3.12 after the shims would be pyenv's choice too.)
    assert!(cfg.contains("version = 3.12."), "{cfg}");
}

#[test]
fn a_plugins_exec_hook_leaves_the_choice_to_the_shim() {
    let Some(p) = Pyenv::new() else { return };
    write(
        &p.root.join("plugins/example/etc/pyenv.d/exec/example.bash"),
        "# may change PYENV_COMMAND_PATH\n",
    );
    // The shim is run from /: it must still see the user's directory.
    write(&p.work().join(".python-version"), &p.v312);
    p.same_through_the_shim(&Run::default(), "python3");
}

#[test]
fn a_hook_on_pyenv_hook_path_leaves_the_choice_to_the_shim() {
    let Some(p) = Pyenv::new() else { return };
    let hooks = p.tmp.path().join("hooks");
    write(
        &hooks.join("which/example.bash"),
        "# may change the choice\n",
    );
    let run = Run::default().var("PYENV_HOOK_PATH", hooks.to_str().unwrap());
    p.same_through_the_shim(&run, "python3");
}

#[test]
fn a_shim_that_is_not_pyenvs_template_is_run() {
    let Some(p) = Pyenv::new() else { return };
    let shim = p.root.join("shims/python3");
    let text = std::fs::read_to_string(&shim).unwrap();
    std::fs::remove_file(&shim).unwrap();
    std::fs::write(&shim, text.replace("set -e\n", "set -e\n# edited\n")).unwrap();
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    write(&p.work().join(".python-version"), &p.v312);
    p.same_through_the_shim(&Run::default(), "python3");
}

/// `-v` says the default python3 was pyenv's shim, read rather than run,
/// and which interpreter it names; a shim that must run is said to be run.
#[test]
fn verbose_output_says_how_the_shim_was_taken() {
    let Some(p) = Pyenv::new() else { return };
    let verbose = |run: &Run| {
        let env = p.work().join("env-v");
        let out = p
            .command(
                Path::new(Command::cargo_bin("pyvenv").unwrap().get_program()),
                run,
            )
            .args(["-v", "--without-pip"])
            .arg(&env)
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&env);
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let said = verbose(&Run::default());
    let shim = p.root.join("shims/python3");
    let real = p.root.join(format!("versions/{}/bin/python3", p.v311));
    assert!(
        said.contains(&format!(
            "{} is pyenv's shim, read by pyenv's rules without running it: it runs {}",
            shim.display(),
            real.display()
        )),
        "{said}"
    );
    write(
        &p.root.join("plugins/example/etc/pyenv.d/exec/example.bash"),
        "# may change PYENV_COMMAND_PATH\n",
    );
    let said = verbose(&Run::default());
    assert!(
        said.contains(&format!("{} is a script", shim.display())),
        "{said}"
    );
}
