//! `activate.bat` and `deactivate.bat` run in a real `cmd.exe` (Wine's),
//! with delayed expansion off and on, for environments whose paths and
//! prompts hold what cmd reads specially: `%`, `^`, `&`, `|`, `<`, `>`,
//! `"`, `!`, `$`, parentheses, spaces, non-ASCII, and a would-be command.
//!
//! For each, the test dumps every variable (`set`) before activating,
//! after activating and after deactivating, and requires: the values
//! arrive byte for byte (`VIRTUAL_ENV`, `VIRTUAL_ENV_PROMPT`, `PATH`,
//! `PROMPT`), the user's own `PATH`, `PROMPT` and `PYTHONHOME` (hostile
//! too) come back unchanged, nothing is left behind, no injected command
//! ran; and where cmd cannot keep a value (a `"`; a `!` under delayed
//! expansion) activation exits 1 and changes nothing.
//!
//! Wine is taken from `PATH`, or from the cross root `.ci/cross-root`
//! builds (`/var/lib/pyvenv-cross`, entered with `chroot` in a private
//! mount namespace, so nothing is mounted outside this test); without
//! either the test says SKIPPED. The Wine prefix is made once under
//! Cargo's target directory (about 30 s) and reused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use pyvenv::activation::{ACTIVATORS, ScriptValues};

/// Where `.ci/cross-root` builds its root unless `PYVENV_CROSS_ROOT` says.
const CROSS_ROOT: &str = "/var/lib/pyvenv-cross";

/// The user's own values before activation, each hostile in its way.
const BASE_PATH: &str = r"C:\windows\system32;C:\windows;C:\tools\odd!dir^x&y%z";
const BASE_PROMPT: &str = "[!q^] $P$G";
const BASE_PYTHONHOME: &str = r"C:\py!home";

/// The battery: (environment path, prompt).
const CASES: &[(&str, &str)] = &[
    (r"C:\Users\me\my env", "my env"),
    (r"C:\a%PATH%b\100%\x%%y", "50% %CD%"),
    (r"C:\caret^x\amp&y", "a^b&c|d<e>f"),
    (r"C:\paren (x86)\e)", "$P$G (x)"),
    (r"C:\Zoë\環境 🐍", "ünï 🐍"),
    (r"C:\bang!x!\y", "p"),
    (r"C:\e", "hi!there^"),
    (r"C:\e", r#"say "hi""#),
    (r"C:\e&echo x>pwned1.txt&", "&echo x>pwned2.txt&"),
    (r#"C:\q" & echo x>pwned3.txt & ""#, "p"),
];

/// How Wine is run here.
enum Wine {
    /// `wine` on PATH.
    Host(PathBuf),
    /// Wine inside the cross root.
    Chroot(PathBuf),
}

fn find_wine() -> Option<Wine> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let wine = dir.join("wine");
            if wine.is_file() {
                return Some(Wine::Host(wine));
            }
        }
    }
    let root =
        std::env::var_os("PYVENV_CROSS_ROOT").map_or(PathBuf::from(CROSS_ROOT), PathBuf::from);
    let usable = root.join(".pyvenv-cross-complete").is_file()
        // An alternatives link, absolute inside the root: not followed here.
        && root.join("usr/bin/wine").symlink_metadata().is_ok()
        && running_as_root();
    usable.then_some(Wine::Chroot(root))
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

impl Wine {
    /// Runs `cmd /c <batch>`, where `scratch` holds the prefix and the
    /// batch file (`rel`, relative to `scratch`).
    fn cmd(&self, scratch: &Path, rel: &str) -> std::process::Output {
        let mut command = match self {
            Wine::Host(wine) => {
                let mut c = Command::new(wine);
                let batch = format!(r"Z:{}\{}", scratch.display(), rel).replace('/', r"\");
                c.args(["cmd", "/c", &batch])
                    .env("WINEPREFIX", scratch.join("prefix"));
                c
            }
            Wine::Chroot(root) => {
                let mut c = Command::new("unshare");
                c.args(["--mount", "--propagation", "private", "--", "sh", "-c"])
                    .arg(
                        "mount --bind \"$1\" \"$2/tmp\" && mount -t proc proc \"$2/proc\" && \
                         exec chroot \"$2\" env -i HOME=/tmp PATH=/usr/bin:/bin \
                         WINEPREFIX=/tmp/prefix WINEDEBUG=-all XDG_RUNTIME_DIR=/tmp wine cmd /c \"$3\"",
                    )
                    .arg("sh")
                    .arg(scratch)
                    .arg(root)
                    .arg(format!(r"Z:\tmp\{}", rel.replace('/', r"\")));
                c
            }
        };
        command.env("WINEDEBUG", "-all");
        command.output().expect("wine runs")
    }
}

/// The rendered script, as pyvenv writes it for a Windows environment.
fn render(name: &str, env_dir: &str, prompt: &str) -> String {
    let activator = ACTIVATORS
        .iter()
        .find(|a| a.name == name)
        .expect("the batch pair is known");
    activator.render(&ScriptValues {
        env_dir,
        prompt,
        bin_name: "Scripts",
        site_packages: r"Lib\site-packages",
        relocatable: false,
    })
}

/// A `set` dump, read back.
fn variables(path: &Path) -> BTreeMap<String, String> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_ascii_uppercase(), v.to_string()))
        .collect()
}

/// The driver: sets the user's values with delayed expansion off, then per
/// case and mode, in its own `setlocal`, dumps, activates, dumps,
/// deactivates, dumps.
fn driver(run: &str) -> String {
    let mut out = format!("@echo off\r\ncd /d {run}\r\n");
    out.push_str(&format!(
        "set \"PATH={}\"\r\nset \"PROMPT={}\"\r\nset \"PYTHONHOME={}\"\r\n",
        BASE_PATH.replace('%', "%%"),
        BASE_PROMPT,
        BASE_PYTHONHOME
    ));
    for (n, (env_dir, prompt)) in CASES.iter().enumerate() {
        for (mode, setlocal) in [
            ("off", "DisableDelayedExpansion"),
            ("on", "EnableDelayedExpansion"),
        ] {
            let dir = format!(r"{run}\c{n}");
            out.push_str(&format!("setlocal {setlocal}\r\n"));
            // What this cmd makes of a non-ASCII value's bytes in a plain
            // `set` of its own, to hold activation's result against.
            for (name, value) in [("CONTROL_ENV", env_dir), ("CONTROL_PROMPT", prompt)] {
                if !value.is_ascii() {
                    assert!(!value.contains(['%', '"', '!', '^']), "a plain value");
                    out.push_str(&format!("set \"{name}={value}\"\r\n"));
                }
            }
            out.push_str(&format!(
                "set > {dir}\\{mode}.before\r\n\
                 call {dir}\\activate.bat\r\n\
                 > {dir}\\{mode}.rc echo %errorlevel%\r\n\
                 set > {dir}\\{mode}.active\r\n\
                 call {dir}\\deactivate.bat\r\n\
                 set > {dir}\\{mode}.after\r\n\
                 endlocal\r\n"
            ));
        }
    }
    out
}

#[test]
fn batch_pair_in_wine_cmd_keeps_every_hostile_value_and_restores_everything() {
    let Some(wine) = find_wine() else {
        eprintln!(
            "SKIPPED: no Wine (neither `wine` on PATH nor a complete cross root at \
             PYVENV_CROSS_ROOT or {CROSS_ROOT}, with root to enter it); .ci/cross-root builds one"
        );
        return;
    };
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("activation-cmd");
    let rel = format!("run-{}", std::process::id());
    let run_dir = scratch.join(&rel);
    let _ = std::fs::remove_dir_all(&run_dir);
    std::fs::create_dir_all(&run_dir).expect("scratch directory");
    let wine_run = match wine {
        Wine::Host(_) => format!("Z:{}", run_dir.display()).replace('/', r"\"),
        Wine::Chroot(_) => format!(r"Z:\tmp\{rel}"),
    };
    for (n, (env_dir, prompt)) in CASES.iter().enumerate() {
        let dir = run_dir.join(format!("c{n}"));
        std::fs::create_dir_all(&dir).expect("case directory");
        for name in ["activate.bat", "deactivate.bat"] {
            std::fs::write(dir.join(name), render(name, env_dir, prompt)).expect("script");
        }
    }
    std::fs::write(run_dir.join("driver.bat"), driver(&wine_run)).expect("driver");
    let output = wine.cmd(&scratch, &format!("{rel}/driver.bat"));
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);

    let mut failures = Vec::new();
    for (n, (env_dir, prompt)) in CASES.iter().enumerate() {
        let dir = run_dir.join(format!("c{n}"));
        for mode in ["off", "on"] {
            let case = format!("case {n} ({env_dir:?}, {prompt:?}), delayed expansion {mode}");
            let rc = std::fs::read_to_string(dir.join(format!("{mode}.rc"))).unwrap_or_default();
            let before = variables(&dir.join(format!("{mode}.before")));
            let active = variables(&dir.join(format!("{mode}.active")));
            let after = variables(&dir.join(format!("{mode}.after")));
            let refused = prompt.contains('"')
                || env_dir.contains('"')
                || (mode == "on" && (env_dir.contains('!') || prompt.contains('!')));
            let get = |vars: &BTreeMap<String, String>, k: &str| vars.get(k).cloned();
            let mut check = |what: &str, got: Option<String>, want: Option<String>| {
                if got != want {
                    failures.push(format!("{case}: {what} is {got:?}, not {want:?}"));
                }
            };
            check("PATH before", get(&before, "PATH"), Some(BASE_PATH.into()));
            check(
                "PROMPT before",
                get(&before, "PROMPT"),
                Some(BASE_PROMPT.into()),
            );
            if refused {
                check("the exit status", Some(rc.trim().into()), Some("1".into()));
                let changed: Vec<&String> = active
                    .iter()
                    .filter(|(k, v)| before.get(*k) != Some(*v))
                    .map(|(k, _)| k)
                    .collect();
                check(
                    "what refusing changed",
                    Some(format!("{changed:?}")),
                    Some("[]".into()),
                );
            } else {
                // Wine's cmd decodes a batch file in the code page it
                // started with, whatever chcp says later, so a non-ASCII
                // value is held against the same bytes in a plain `set`.
                let as_read = |value: &str, control: &str| {
                    if value.is_ascii() {
                        value.to_string()
                    } else {
                        get(&before, control).unwrap_or_default()
                    }
                };
                let env_dir = &as_read(env_dir, "CONTROL_ENV");
                let prompt = &as_read(prompt, "CONTROL_PROMPT");
                check("the exit status", Some(rc.trim().into()), Some("0".into()));
                check(
                    "VIRTUAL_ENV",
                    get(&active, "VIRTUAL_ENV"),
                    Some(env_dir.to_string()),
                );
                check(
                    "VIRTUAL_ENV_PROMPT",
                    get(&active, "VIRTUAL_ENV_PROMPT"),
                    Some(prompt.to_string()),
                );
                check(
                    "PATH",
                    get(&active, "PATH"),
                    Some(format!(r"{env_dir}\Scripts;{BASE_PATH}")),
                );
                check(
                    "PROMPT",
                    get(&active, "PROMPT"),
                    Some(format!("({}) {BASE_PROMPT}", prompt.replace('$', "$$"))),
                );
                check("PYTHONHOME", get(&active, "PYTHONHOME"), None);
            }
            for name in ["PATH", "PROMPT", "PYTHONHOME"] {
                check(
                    &format!("{name} after deactivate"),
                    get(&after, name),
                    get(&before, name),
                );
            }
            let leftovers: Vec<&String> = after
                .keys()
                .filter(|k| {
                    k.starts_with("VIRTUAL_ENV")
                        || k.starts_with("_OLD_VIRTUAL")
                        || k.starts_with("_PYVENV")
                })
                .collect();
            if !leftovers.is_empty() {
                failures.push(format!("{case}: left behind {leftovers:?}"));
            }
        }
    }
    for marker in ["pwned1.txt", "pwned2.txt", "pwned3.txt"] {
        if run_dir.join(marker).exists() {
            failures.push(format!("an injected command ran: {marker} exists"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n  {}\ncmd said:\n{said}",
        failures.len(),
        failures.join("\n  ")
    );
    let _ = std::fs::remove_dir_all(&run_dir);
}
