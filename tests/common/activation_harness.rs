//! The activation battery's machinery, shared by the run against pyvenv
//! (`tests/activation_battery.rs`) and the opt-in run against CPython's own
//! `venv` (`tests/activation_cpython.rs`).
//!
//! A [`World`] is a set of environments with hostile directory names and
//! hostile prompts, made once per test binary. [`battery`] then runs, for
//! one shell and each environment, one non-interactive process that goes
//! through the whole activate/deactivate sequence of
//! [`activation_scripts`](super::activation_scripts) and, where the shell
//! has no prompt renderer of its own to call, one interactive process in a
//! pseudo-terminal that draws the prompt for real. It returns every
//! mismatch rather than stopping at the first, so one run shows the whole
//! picture.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use super::activation_scripts as scripts;

/// One hostile environment: a directory name and, optionally, a prompt.
pub struct Case {
    /// How failures name it.
    pub label: &'static str,
    /// The environment directory's own name.
    pub dir: &'static str,
    /// `--prompt`, if any.
    pub prompt: Option<&'static str>,
}

/// The battery's cases: every character the issue names, in a directory
/// name and in a prompt, and the prompt languages' own markers.
pub fn cases() -> Vec<Case> {
    let dir = |label, dir| Case {
        label,
        dir,
        prompt: None,
    };
    let prompt = |label, dir, prompt| Case {
        label,
        dir,
        prompt: Some(prompt),
    };
    vec![
        dir("plain", "plain"),
        dir("space", "my env"),
        dir("tab", "tab\there"),
        dir("single quote", "it's"),
        dir("double quote", "say \"hi\""),
        dir("variable", "$HOME"),
        dir("braced variable", "${HOME}x$PATH"),
        dir("command substitution", "$(touch canary-cs)"),
        dir("backquotes", "`touch canary-bq`"),
        dir("semicolon", "a;touch canary-semi"),
        dir("and-and", "a&&touch canary-and"),
        dir("pipe", "a|touch canary-pipe"),
        dir("redirection", "a>canary-redir<b"),
        dir("glob", "*?[ab]"),
        dir("braces", "{a,b}"),
        dir("tilde", "~root"),
        dir("bang", "hi!!x!$"),
        dir("backslash", "back\\slash\\n\\"),
        dir("percent", "100%d%%"),
        dir("leading dash", "-rf"),
        dir("non-ASCII", "café-日本-🐍"),
        dir("newline", "new\nline"),
        dir("hash", "#not-a-comment"),
        dir("parentheses", "(x)y)"),
        dir("caret", "^x^y"),
        dir(
            "everything",
            "'\"$(touch canary-all)`touch canary-all2`;|&!\\%*{a,b}~",
        ),
        prompt("prompt: command substitution", "p1", "$(touch canary-p1)"),
        prompt("prompt: backquotes", "p2", "`touch canary-p2`"),
        prompt("prompt: zsh escapes", "p3", "%F{red}red%f %n %#"),
        prompt("prompt: bash escapes", "p4", "\\u@\\h:\\w\\$ \\[x\\]"),
        prompt("prompt: history", "p5", "!! ! \\! !$"),
        prompt("prompt: tcsh and csh", "p6", "%~ %% ^x \\n"),
        prompt("prompt: tilde", "p7", "~"),
        prompt("prompt: quotes", "p8", "it's \"q\" ;touch canary-p8 #"),
        prompt("prompt: newline", "p9", "two\nlines"),
        prompt("prompt: variables", "p10", "$HOME ${PATH} $1 $$"),
        prompt("prompt: tab and non-ASCII", "p11", "ü\tñ"),
        prompt("prompt: leading dash", "p12", "-n"),
    ]
}

/// Which `venv` made the environments, and so whose scripts are tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Maker {
    /// This crate's binary.
    Pyvenv,
    /// `python3.13 -m venv` (CPython 3.13.0's own scripts).
    CPython,
    /// This crate's binary with `--relocatable`, each environment made
    /// elsewhere and then moved (`mv`) to its hostile path.
    PyvenvMoved,
}

/// One environment of the world.
pub struct Env {
    /// The case's label.
    pub label: &'static str,
    /// The environment's absolute path, as VIRTUAL_ENV must hold it.
    pub path: PathBuf,
    /// What VIRTUAL_ENV_PROMPT must hold.
    pub prompt: String,
    /// A symlink with a plain name to the environment.
    pub link: PathBuf,
}

impl Env {
    fn text(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }

    fn bin(&self) -> String {
        format!("{}/bin", self.text())
    }

    /// Whether csh can hold this environment's path and prompt.
    pub fn csh_can_hold(&self) -> bool {
        !self.text().contains('\n') && !self.prompt.contains('\n')
    }
}

/// The environments, made once per test binary, and where they live.
pub struct World {
    /// The root of everything the battery writes.
    pub root: PathBuf,
    /// The hostile environments.
    pub envs: Vec<Env>,
    /// A plain environment, active before the hostile one in `s7`.
    pub other: Env,
    /// Who made them.
    pub maker: Maker,
}

/// The world for `maker`, made on first use.
pub fn world(maker: Maker) -> &'static World {
    static PYVENV: OnceLock<World> = OnceLock::new();
    static CPYTHON: OnceLock<World> = OnceLock::new();
    static MOVED: OnceLock<World> = OnceLock::new();
    let cell = match maker {
        Maker::Pyvenv => &PYVENV,
        Maker::CPython => &CPYTHON,
        Maker::PyvenvMoved => &MOVED,
    };
    cell.get_or_init(|| make_world(maker))
}

fn make_world(maker: Maker) -> World {
    // A static is never dropped, so the world lives in cargo's scratch
    // directory and the next run clears what this one left.
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(match maker {
        Maker::Pyvenv => "activation-battery-pyvenv",
        Maker::CPython => "activation-battery-cpython",
        Maker::PyvenvMoved => "activation-battery-pyvenv-moved",
    });
    if root.exists() {
        fs::remove_dir_all(&root).expect("clear the last run's environments");
    }
    for sub in ["envs", "links", "cwd", "runs", "made"] {
        fs::create_dir_all(root.join(sub)).expect("make the battery's directories");
    }
    let make = |index: usize, label, name: &str, prompt: Option<&str>| {
        let path = root.join("envs").join(name);
        if maker == Maker::PyvenvMoved {
            // Made under a plain parent, then moved: the scripts' recorded
            // path is no longer where they are.
            let made = root.join("made").join(index.to_string()).join(name);
            fs::create_dir_all(made.parent().expect("a parent")).expect("make a parent");
            create_env(maker, &root.join("cwd"), &made, prompt);
            fs::rename(&made, &path).expect("move the environment");
        } else {
            create_env(maker, &root.join("cwd"), &path, prompt);
        }
        let link = root.join("links").join(index.to_string());
        std::os::unix::fs::symlink(&path, &link).expect("link the environment");
        let prompt = prompt.map_or_else(|| name.to_string(), str::to_string);
        Env {
            label,
            path,
            prompt,
            link,
        }
    };
    let cases = cases();
    let count = cases.len();
    // pyvenv refuses a line break in a name or prompt (it would add a line
    // to pyvenv.cfg), so those cases are CPython's alone; that the refusal
    // happens is tests/hardening.rs's business.
    let envs: Vec<Env> = cases
        .into_iter()
        .enumerate()
        .filter(|(_, case)| {
            let breaks = |t: &str| t.contains(['\n', '\r']);
            maker == Maker::CPython || !(breaks(case.dir) || case.prompt.is_some_and(breaks))
        })
        .map(|(i, case)| make(i, case.label, case.dir, case.prompt))
        .collect();
    let other = make(count, "other", "other-env", None);
    let canaries = canaries_under(&root);
    assert!(
        canaries.is_empty(),
        "making the environments ran code: {canaries:?}"
    );
    World {
        root,
        envs,
        other,
        maker,
    }
}

fn create_env(maker: Maker, cwd: &Path, path: &Path, prompt: Option<&str>) {
    let mut cmd = match maker {
        Maker::Pyvenv | Maker::PyvenvMoved => {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pyvenv"));
            cmd.args(["--without-pip", "-p", "3.12"]);
            if maker == Maker::PyvenvMoved {
                cmd.arg("--relocatable");
            }
            cmd
        }
        Maker::CPython => {
            let python = find_python(13).expect("python3.13 for the CPython run");
            let mut cmd = std::process::Command::new(python);
            cmd.args(["-m", "venv", "--without-pip"]);
            cmd
        }
    };
    if let Some(prompt) = prompt {
        let mut arg = OsString::from("--prompt=");
        arg.push(prompt);
        cmd.arg(arg);
    }
    let out = cmd
        .arg(path)
        .current_dir(cwd)
        .output()
        .expect("run the environment maker");
    assert!(
        out.status.success(),
        "making {path:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file or directory under `dir` whose name starts with `canary`.
pub fn canaries_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with("canary") {
                found.push(path.clone());
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            }
        }
    }
    found
}

/// The languages the battery's scripts come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `activate`, with this shell's own prompt renderer if it has one.
    Posix(Renderer),
    /// `activate.fish`.
    Fish,
    /// `activate.csh`.
    Csh,
    /// `activate.nu`.
    Nu,
}

/// How the battery sees a POSIX shell's prompt drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renderer {
    /// `${PS1@P}`, plus an interactive draw.
    Bash,
    /// `print -P`, plus an interactive draw.
    Zsh,
    /// Only an interactive draw.
    Interactive,
}

/// How a shell is started interactively to draw its prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Startup {
    /// Reads the file named by `ENV` (POSIX shells).
    EnvVar,
    /// Takes the file as `--rcfile FILE` (bash), `--rcfile=FILE` (yash).
    RcFlag(&'static str),
    /// Reads `$ZDOTDIR/.zshrc`.
    Zdotdir,
    /// Reads `~/.cshrc` or `~/.tcshrc`.
    CshHome,
    /// Not drawn in a terminal: the battery calls the renderer itself.
    None,
}

/// A shell the battery runs in.
#[derive(Debug, Clone, Copy)]
pub struct Shell {
    /// The name failures and skips use.
    pub name: &'static str,
    /// The program, looked up on PATH.
    pub program: &'static str,
    /// Arguments before the script's path.
    pub args: &'static [&'static str],
    /// Which script it sources.
    pub kind: Kind,
    /// How its prompt is drawn interactively.
    pub startup: Startup,
    /// Arguments for the interactive run.
    pub interactive_args: &'static [&'static str],
}

/// Every shell the battery knows, as `.ci/install-shells` installs them.
pub const SHELLS: &[Shell] = &[
    Shell {
        name: "bash",
        program: "bash",
        args: &["--norc", "--noprofile"],
        kind: Kind::Posix(Renderer::Bash),
        startup: Startup::RcFlag("--rcfile"),
        interactive_args: &["--noprofile", "-i"],
    },
    Shell {
        name: "zsh",
        program: "zsh",
        args: &["-f"],
        kind: Kind::Posix(Renderer::Zsh),
        startup: Startup::Zdotdir,
        interactive_args: &["-i"],
    },
    Shell {
        name: "dash",
        program: "dash",
        args: &[],
        kind: Kind::Posix(Renderer::Interactive),
        startup: Startup::EnvVar,
        interactive_args: &["-i"],
    },
    Shell {
        name: "mksh",
        program: "mksh",
        args: &[],
        kind: Kind::Posix(Renderer::Interactive),
        startup: Startup::EnvVar,
        interactive_args: &["-i"],
    },
    Shell {
        name: "ksh93",
        program: "ksh93",
        args: &[],
        kind: Kind::Posix(Renderer::Interactive),
        startup: Startup::EnvVar,
        interactive_args: &["-i"],
    },
    Shell {
        name: "yash",
        program: "yash",
        args: &[],
        kind: Kind::Posix(Renderer::Interactive),
        startup: Startup::RcFlag("--rcfile"),
        interactive_args: &["-i"],
    },
    Shell {
        name: "yash --posix",
        program: "yash",
        args: &["--posix"],
        kind: Kind::Posix(Renderer::Interactive),
        startup: Startup::EnvVar,
        interactive_args: &["--posix", "-i"],
    },
    Shell {
        name: "busybox sh",
        program: "busybox",
        args: &["sh"],
        kind: Kind::Posix(Renderer::Interactive),
        startup: Startup::EnvVar,
        interactive_args: &["sh", "-i"],
    },
    Shell {
        name: "fish",
        program: "fish",
        args: &["--no-config"],
        kind: Kind::Fish,
        startup: Startup::None,
        interactive_args: &[],
    },
    Shell {
        name: "csh",
        program: "bsd-csh",
        args: &["-f"],
        kind: Kind::Csh,
        startup: Startup::CshHome,
        interactive_args: &["-i"],
    },
    Shell {
        name: "tcsh",
        program: "tcsh",
        args: &["-f"],
        kind: Kind::Csh,
        startup: Startup::CshHome,
        interactive_args: &["-i"],
    },
    Shell {
        name: "nu",
        program: "nu",
        args: &["-n"],
        kind: Kind::Nu,
        startup: Startup::None,
        interactive_args: &[],
    },
];

/// The shell called `name`.
pub fn shell(name: &str) -> Shell {
    *SHELLS
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no shell {name} in SHELLS"))
}

/// `program` on PATH, if it is there.
pub fn find_program(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// `python3.<minor>`, found on PATH or in pyenv's versions; pyenv's shims
/// are passed over, as they only run the versions a directory selects.
pub fn find_python(minor: u32) -> Option<PathBuf> {
    let name = format!("python3.{minor}");
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|dir| !dir.to_string_lossy().contains("shims"))
        .map(|dir| dir.join(&name));
    let pyenv_root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")));
    let in_pyenv = pyenv_root
        .and_then(|root| std::fs::read_dir(root.join("versions")).ok())
        .into_iter()
        .flatten()
        .flatten()
        .map(|version| version.path().join("bin").join(&name));
    on_path.chain(in_pyenv).find(|candidate| {
        std::process::Command::new(candidate)
            .args(["-c", "pass"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Runs the battery in the shell `name` over `maker`'s world and fails with
/// every mismatch; a shell that is not installed is skipped, visibly.
pub fn assert_battery(maker: Maker, name: &str) {
    let shell = shell(name);
    let world = world(maker);
    match battery(world, shell) {
        None => eprintln!(
            "SKIPPED: {name} not installed ({} is not on PATH)",
            shell.program
        ),
        Some(failures) => assert!(
            failures.is_empty(),
            "{} of {} environments ({maker:?}) failed in {name}:\n  {}",
            failures.len(),
            world.envs.len(),
            failures.join("\n  ")
        ),
    }
}

/// Runs the battery for `shell` over every environment of `world`; every
/// mismatch, canary and crash comes back as one line. `None` when the shell
/// is not installed (the caller says so, visibly).
pub fn battery(world: &World, shell: Shell) -> Option<Vec<String>> {
    let program = find_program(shell.program)?;
    let runs = world.root.join("runs").join(shell.name.replace(' ', "_"));
    fs::create_dir_all(&runs).expect("make the shell's run directory");
    let mut failures = Vec::new();
    for (index, env) in world.envs.iter().enumerate() {
        let dir = runs.join(index.to_string());
        let out = dir.join("out");
        let home = dir.join("home");
        for d in [&out, &home] {
            fs::create_dir_all(d).expect("make a run directory");
        }
        let mut report =
            |what: String| failures.push(format!("{} [{}]: {what}", shell.name, env.label));
        run_sequence(world, shell, &program, env, &dir, &out, &home, &mut report);
        let refused = shell.kind == Kind::Csh && !env.csh_can_hold();
        if shell.startup != Startup::None && !refused {
            draw_prompt(world, shell, &program, env, &home, &mut report);
        }
    }
    for canary in canaries_under(&runs) {
        failures.push(format!("{}: code ran, it made {canary:?}", shell.name));
    }
    Some(failures)
}

/// The variables every shell process gets; nothing else leaks in from the
/// test's own environment.
fn base_env(world: &World, env: &Env, out: &Path, home: &Path) -> Vec<(String, OsString)> {
    let script = |e: &Env, name: &str, through_link: bool| {
        let base = if through_link { &e.link } else { &e.path };
        base.join("bin").join(name).into_os_string()
    };
    let name = "activate";
    vec![
        ("PATH".into(), std::env::var_os("PATH").unwrap_or_default()),
        ("HOME".into(), home.as_os_str().to_owned()),
        ("LANG".into(), "C.UTF-8".into()),
        ("TERM".into(), "dumb".into()),
        ("PYVENV_T_OUT".into(), out.as_os_str().to_owned()),
        ("PYVENV_T_ACT".into(), script(env, name, false)),
        ("PYVENV_T_LINK_ACT".into(), script(env, name, true)),
        (
            "PYVENV_T_OTHER_ACT".into(),
            script(&world.other, name, false),
        ),
    ]
}

#[allow(clippy::too_many_arguments)]
fn run_sequence(
    world: &World,
    shell: Shell,
    program: &Path,
    env: &Env,
    dir: &Path,
    out: &Path,
    home: &Path,
    report: &mut dyn FnMut(String),
) {
    let mut vars = base_env(world, env, out, home);
    let fish_name = |e: &Env, link: bool| {
        let base = if link { &e.link } else { &e.path };
        base.join("bin/activate.fish").into_os_string()
    };
    let text = match shell.kind {
        Kind::Posix(renderer) => {
            let (prologue, show, variants, unset_ps1) = match renderer {
                Renderer::Bash => (
                    "set -euo pipefail",
                    scripts::BASH_SHOW,
                    scripts::BASH_VARIANTS,
                    "unset PS1",
                ),
                // zsh always has a PS1; unsetting it is not something a
                // zsh user can do.
                Renderer::Zsh => ("set -eu", scripts::ZSH_SHOW, scripts::ZSH_VARIANTS, ""),
                Renderer::Interactive => ("set -eu", "", "", "unset PS1"),
            };
            scripts::POSIX
                .replace("@PROLOGUE@", prologue)
                .replace("@SHOW@", show)
                .replace("@VARIANTS@", variants)
                .replace("@UNSET_PS1@", unset_ps1)
        }
        Kind::Fish => {
            for (key, e, link) in [
                ("PYVENV_T_ACT", env, false),
                ("PYVENV_T_LINK_ACT", env, true),
                ("PYVENV_T_OTHER_ACT", &world.other, false),
            ] {
                vars.retain(|(k, _)| k != key);
                vars.push((key.into(), fish_name(e, link)));
            }
            scripts::FISH.to_string()
        }
        Kind::Csh => {
            let snap_csh = dir.join("snap.csh");
            let snap_sh = dir.join("snap.sh");
            write(&snap_csh, scripts::SNAP_CSH);
            write(&snap_sh, scripts::SNAP_SH);
            vars.push(("PYVENV_T_SNAP_CSH".into(), snap_csh.into_os_string()));
            vars.push(("PYVENV_T_SNAP_SH".into(), snap_sh.into_os_string()));
            let body = if env.csh_can_hold() {
                scripts::CSH.to_string()
            } else {
                csh_refusal_sequence()
            };
            body.replace("@LINK@", &plain(&env.link))
                .replace("@OTHER@", &plain(&world.other.link))
        }
        Kind::Nu => {
            let snap_sh = dir.join("snap.sh");
            write(&snap_sh, scripts::SNAP_SH);
            vars.push(("PYVENV_T_SNAP_SH".into(), snap_sh.into_os_string()));
            scripts::NU
                .replace("@LINK@", &plain(&env.link))
                .replace("@OTHER@", &plain(&world.other.link))
        }
    };
    let script = dir.join("battery");
    write(&script, &text);
    let output = assert_cmd::Command::new(program)
        .args(shell.args)
        .arg(&script)
        .env_clear()
        .envs(vars)
        .current_dir(home)
        .timeout(Duration::from_secs(20))
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) => return report(format!("could not run: {e}")),
    };
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let files = read_dir_files(out);
    let problems = if shell.kind == Kind::Csh && !env.csh_can_hold() {
        check_refusal(&files, &stderr)
    } else {
        check_sequence(shell.kind, env, &world.other, &files)
    };
    if !problems.is_empty() {
        let stderr = stderr.trim_end();
        let tail: String = stderr
            .chars()
            .rev()
            .take(600)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        report(format!(
            "{}\n      stderr: {tail:?}",
            problems.join("\n      ")
        ));
    }
}

/// For an environment csh cannot hold: sourcing must change nothing and
/// say why on stderr.
fn csh_refusal_sequence() -> String {
    r#"setenv PYTHONHOME /the/home
set prompt = '@@OLD@@'
set label = s0
source "$PYVENV_T_SNAP_CSH"
source @LINK@/bin/activate.csh
set label = s1
source "$PYVENV_T_SNAP_CSH"
sh -c 'printf ok > "$PYVENV_T_OUT/done"'
"#
    .to_string()
}

fn check_refusal(files: &BTreeMap<String, String>, stderr: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let get = |k: &str| files.get(k).cloned();
    if get("done").as_deref() != Some("ok") {
        problems.push("the script did not run to its end".to_string());
    }
    for key in ["path", "ph", "ve", "vep", "ps1"] {
        let (before, after) = (get(&format!("s0.{key}")), get(&format!("s1.{key}")));
        if before != after {
            problems.push(format!(
                "a refused activation changed {key}: {before:?} -> {after:?}"
            ));
        }
    }
    if !stderr.contains("cannot activate") {
        problems.push("a refused activation said nothing on stderr".to_string());
    }
    problems
}

/// What every snapshot of the sequence must hold.
fn check_sequence(
    kind: Kind,
    env: &Env,
    other: &Env,
    files: &BTreeMap<String, String>,
) -> Vec<String> {
    let _ = other;
    let mut problems = Vec::new();
    let get = |k: &str| files.get(k).cloned();
    let mut expect = |key: &str, want: Option<String>| {
        let got = get(key);
        if got != want {
            problems.push(format!("{key}: want {want:?}, got {got:?}"));
        }
    };
    let set = |v: &str| Some(format!("={v}"));
    let bin = env.bin();
    let prepended = |before: Option<String>| {
        before.map(|b| format!("={bin}:{}", b.strip_prefix('=').unwrap_or(&b)))
    };
    let shown = Some(format!("({}) @@OLD@@", env.prompt));
    let unset = Some(String::new());
    let deactivate = Some("deactivate".to_string());

    expect("done", Some("ok".into()));
    // s1: active.
    expect("s1.ve", set(&env.text()));
    expect("s1.vep", set(&env.prompt));
    expect("s1.path", prepended(get("s0.path")));
    expect("s1.py", Some(format!("{bin}/python")));
    expect("s1.ph", unset.clone());
    expect("s1.fn", deactivate.clone());
    if matches!(
        kind,
        Kind::Posix(Renderer::Bash | Renderer::Zsh) | Kind::Fish | Kind::Nu
    ) {
        expect("s1.shown", shown.clone());
    }
    // s2: deactivated, all as before.
    for key in ["path", "ps1", "ph"] {
        expect(&format!("s2.{key}"), get(&format!("s0.{key}")));
    }
    for key in ["ve", "vep", "fn"] {
        expect(&format!("s2.{key}"), unset.clone());
    }
    // s4: through the symlink, PYTHONHOME empty and PS1 unset before.
    expect("s4.ve", set(&env.text()));
    expect("s4.vep", set(&env.prompt));
    expect("s4.path", prepended(get("s3.path")));
    expect("s4.ph", unset.clone());
    // s5: after `deactivate nondestructive` (plain deactivate in nu).
    for key in ["path", "ps1", "ph"] {
        expect(&format!("s5.{key}"), get(&format!("s3.{key}")));
    }
    expect("s5.ve", unset.clone());
    expect(
        "s5.fn",
        if kind == Kind::Nu {
            unset.clone()
        } else {
            deactivate.clone()
        },
    );
    expect("s6.fn", unset.clone());
    // s7: another environment first, then this one: no trace of the first.
    expect("s7.ve", set(&env.text()));
    expect("s7.path", prepended(get("s6.path")));
    for key in ["path", "ps1", "ph", "ve", "vep"] {
        expect(&format!("s8.{key}"), get(&format!("s6.{key}")));
    }
    // s9: VIRTUAL_ENV_DISABLE_PROMPT leaves the prompt alone.
    expect("s9.ve", set(&env.text()));
    expect("s9.ps1", get("s6.ps1"));
    for (key, _) in files.iter().filter(|(k, _)| k.starts_with("v_")) {
        expect(key, shown.clone());
    }
    problems
}

/// Draws the prompt in a pseudo-terminal, as a person would see it.
fn draw_prompt(
    world: &World,
    shell: Shell,
    program: &Path,
    env: &Env,
    home: &Path,
    report: &mut dyn FnMut(String),
) {
    let out = home.join("unused-out");
    let _ = fs::create_dir_all(&out);
    let mut vars = base_env(world, env, &out, home);
    let mut args: Vec<OsString> = Vec::new();
    let rc = home.join("rc");
    match shell.startup {
        Startup::EnvVar => {
            write(&rc, scripts::POSIX_RC);
            vars.push(("ENV".into(), rc.clone().into_os_string()));
        }
        Startup::RcFlag(flag) if shell.program == "yash" => {
            write(&rc, scripts::POSIX_RC);
            let mut arg = OsString::from(format!("{flag}="));
            arg.push(&rc);
            args.push(arg);
        }
        Startup::RcFlag(flag) => {
            write(&rc, scripts::POSIX_RC);
            args.push(flag.into());
            args.push(rc.clone().into_os_string());
        }
        Startup::Zdotdir => {
            write(&home.join(".zshrc"), scripts::ZSH_RC);
            vars.push(("ZDOTDIR".into(), home.as_os_str().to_owned()));
        }
        Startup::CshHome => {
            let text = scripts::CSH_RC.replace("@LINK@", &plain(&env.link));
            write(&home.join(".cshrc"), &text);
            write(&home.join(".tcshrc"), &text);
        }
        Startup::None => return,
    }
    args.extend(shell.interactive_args.iter().map(OsString::from));
    let helper = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common/activation_pty.py");
    let output = assert_cmd::Command::new("python3")
        .arg(helper)
        .args(["6", "@@BEGIN@@", "@@END@@"])
        .arg(program)
        .args(&args)
        .env_clear()
        .envs(vars)
        .current_dir(home)
        .timeout(Duration::from_secs(20))
        .output();
    match output {
        Ok(o) if o.status.success() => {
            let drawn = String::from_utf8_lossy(&o.stdout).into_owned();
            let want = format!("({}) ", env.prompt);
            if drawn != want {
                report(format!(
                    "prompt drawn interactively: want {want:?}, got {drawn:?}"
                ));
            }
        }
        Ok(o) => report(format!(
            "no prompt drawn interactively: {}",
            String::from_utf8_lossy(&o.stderr)
        )),
        Err(e) => report(format!("could not draw the prompt: {e}")),
    }
}

/// A path made only of plain characters, written into a script as it is.
fn plain(path: &Path) -> String {
    let text = path.to_string_lossy().into_owned();
    assert!(
        text.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c)),
        "{text:?} is not plain enough to write into a script"
    );
    text
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).unwrap_or_else(|e| panic!("write {path:?}: {e}"));
}

fn read_dir_files(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if let Ok(bytes) = fs::read(entry.path()) {
                files.insert(
                    entry.file_name().to_string_lossy().into_owned(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                );
            }
        }
    }
    files
}
