//! Random flag combinations and random directory names, hostile characters
//! included: exit 0 means a working environment whose python reports the
//! right `sys.prefix`; anything else is exit 1 or 2 with `Error:` or a
//! usage line, and no new directory left behind. Never a panic (101). A
//! name or prompt holding a line break is always refused, and no
//! `pyvenv.cfg` ever holds a line that is not one of its keys.
//!
//! `PYVENV_PROPTEST_CASES` sets the number of cases (default 24).

use std::path::PathBuf;
use std::process::Command;

use proptest::prelude::*;

mod support;

#[path = "common/refusal.rs"]
mod refusal;
use refusal::names_in;

fn python() -> Option<PathBuf> {
    support::pyenv_python(12)
}

const HOSTILE: &[char] = &[
    ' ', '\t', '\'', '"', '$', '`', ';', '&', '|', '*', '?', '[', ']', '{', '}', '~', '!', '\\',
    '%', '-', ':', '(', ')', '#', '=', 'é', '日', '\n', 'a', 'b', 'Z', '0', '.', '_', '\r',
    '\u{0b}', '\u{0c}', '\u{85}', '\u{2028}', '\u{2029}',
];

/// What `str.splitlines` breaks at: a name or prompt holding one would add
/// a line to pyvenv.cfg, so it must be refused.
fn has_line_break(text: &str) -> bool {
    text.contains([
        '\n', '\r', '\u{0b}', '\u{0c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}',
        '\u{2029}',
    ])
}

/// The keys a pyvenv.cfg may hold; any other line was added by a value.
const CFG_KEYS: &[&str] = &[
    "home",
    "include-system-site-packages",
    "version",
    "prompt",
    "executable",
    "command",
];

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(HOSTILE), 1..max)
        .prop_map(|chars| chars.into_iter().collect::<String>())
        // `.` and `..` name existing directories, not new ones.
        .prop_filter("not only dots", |s| s.chars().any(|c| c != '.'))
}

fn flags() -> impl Strategy<Value = Vec<String>> {
    (any::<[bool; 5]>(), prop::option::of(text(12))).prop_map(|(on, prompt)| {
        let names = [
            "--copies",
            "--system-site-packages",
            "--clear",
            "--upgrade",
            "--without-scm-ignore-files",
        ];
        let mut flags: Vec<String> = names
            .iter()
            .zip(on)
            .filter(|(_, on)| *on)
            .map(|(n, _)| n.to_string())
            .collect();
        if let Some(prompt) = prompt {
            flags.push(format!("--prompt={prompt}"));
        }
        flags
    })
}

fn cases() -> u32 {
    std::env::var("PYVENV_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn any_flags_and_any_name_make_a_working_env_or_nothing(
        flags in flags(),
        name in text(16),
    ) {
        let Some(py) = python() else {
            eprintln!("SKIPPED: CPython 3.12 is not installed under pyenv");
            return Ok(());
        };
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join(&name);
        let out = Command::new(env!("CARGO_BIN_EXE_pyvenv"))
            .arg("-p")
            .arg(&py)
            .arg("--without-pip")
            .args(&flags)
            .arg("--")
            .arg(&name)
            .current_dir(scratch.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        prop_assert_ne!(code, Some(101), "panic: {}", stderr);
        if code == Some(0) {
            prop_assert!(stderr.is_empty(), "success printed {}", stderr);
            let prefix = Command::new(target.join("bin/python"))
                .args(["-c", "import sys; sys.stdout.write(sys.prefix)"])
                .output()
                .unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&prefix.stdout), target.to_string_lossy());
            let cfg = std::fs::read_to_string(target.join("pyvenv.cfg")).unwrap();
            for line in cfg.split_terminator('\n') {
                let key = line.split(" = ").next().unwrap_or(line);
                prop_assert!(CFG_KEYS.contains(&key), "a line was added: {:?}", cfg);
            }
        } else {
            prop_assert!(code == Some(1) || code == Some(2), "exit {:?}: {}", code, stderr);
            if code == Some(1) {
                prop_assert!(stderr.starts_with("Error: "), "{}", stderr);
            }
            prop_assert_eq!(names_in(scratch.path()), Vec::<std::ffi::OsString>::new());
        }
        let prompt_breaks = flags.iter().any(|f| f.starts_with("--prompt=") && has_line_break(f));
        let rejected_as_expected = name.contains(':')
            || has_line_break(&name)
            || prompt_breaks
            || (flags.contains(&"--clear".to_string()) && flags.contains(&"--upgrade".to_string()));
        if rejected_as_expected {
            prop_assert_eq!(code, Some(1));
        }
    }
}
