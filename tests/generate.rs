//! `pyvenv --generate KIND`: each completion script is loaded by its real
//! shell and asked to complete, and the man page is rendered by groff and
//! man with every warning turned on.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::cargo_bin;

#[path = "common/powershell_grammar.rs"]
mod powershell_grammar;

/// What `pyvenv --generate kind` prints; it must succeed without an ENV_DIR.
fn generated(kind: &str) -> String {
    let out = Command::new(cargo_bin("pyvenv"))
        .args(["--generate", kind])
        .output()
        .unwrap();
    assert!(out.status.success(), "--generate {kind}: {out:?}");
    assert!(out.stderr.is_empty(), "--generate {kind} wrote to stderr");
    String::from_utf8(out.stdout).unwrap()
}

/// `--generate kind` written to `dir/name`.
fn generated_file(kind: &str, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, generated(kind)).unwrap();
    path
}

/// Runs `program args`, with pyvenv's directory first on PATH; `None` (and
/// a visible skip) when the program is not installed.
fn shell(program: &str, args: &[&str]) -> Option<Output> {
    let bin_dir = cargo_bin("pyvenv").parent().unwrap().to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    match Command::new(program).args(args).env("PATH", path).output() {
        Ok(out) => Some(out),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("SKIPPED: {program} is not installed");
            None
        }
        Err(e) => panic!("cannot run {program}: {e}"),
    }
}

fn stdout_of(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn bash_completion_registers_and_completes_long_options() {
    let tmp = tempfile::tempdir().unwrap();
    let script = generated_file("complete-bash", tmp.path(), "pyvenv.bash");
    let program = format!(
        "source {:?}; complete -p pyvenv; \
         COMP_WORDS=(pyvenv --sy); COMP_CWORD=1; _pyvenv pyvenv --sy pyvenv; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script
    );
    let Some(out) = shell("bash", &["--norc", "--noprofile", "-c", &program]) else {
        return;
    };
    let text = stdout_of(&out);
    assert!(text.contains("-F _pyvenv pyvenv"), "{text}");
    assert!(
        text.lines().any(|l| l == "--system-site-packages"),
        "{text}"
    );
    assert!(text.lines().any(|l| l == "--symlinks"), "{text}");
}

#[test]
fn fish_completion_completes_a_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let script = generated_file("complete-fish", tmp.path(), "pyvenv.fish");
    let program = format!("source {:?}; complete -C 'pyvenv --sy'", script);
    let Some(out) = shell("fish", &["--no-config", "-c", &program]) else {
        return;
    };
    let text = stdout_of(&out);
    let offered: Vec<&str> = text
        .lines()
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    assert!(offered.contains(&"--system-site-packages"), "{text}");
    assert!(offered.contains(&"--symlinks"), "{text}");
    assert!(!offered.contains(&"--copies"), "{text}");
}

#[test]
fn fish_completion_offers_generate_kinds() {
    let tmp = tempfile::tempdir().unwrap();
    let script = generated_file("complete-fish", tmp.path(), "pyvenv.fish");
    let program = format!("source {:?}; complete -C 'pyvenv --generate '", script);
    let Some(out) = shell("fish", &["--no-config", "-c", &program]) else {
        return;
    };
    let text = stdout_of(&out);
    for kind in ["man", "complete-bash", "complete-nushell"] {
        assert!(text.lines().any(|l| l.starts_with(kind)), "{kind}: {text}");
    }
}

#[test]
fn zsh_completion_is_found_by_compinit() {
    let tmp = tempfile::tempdir().unwrap();
    generated_file("complete-zsh", tmp.path(), "_pyvenv");
    // The way users install it: a file named _pyvenv in a directory on
    // fpath, picked up by compinit.
    let program = format!(
        "fpath=({:?} $fpath); autoload -U compinit; compinit -u -D; \
         print -r -- $_comps[pyvenv]; autoload -U +X _pyvenv && print loaded",
        tmp.path()
    );
    let Some(out) = shell("zsh", &["-f", "-c", &program]) else {
        return;
    };
    let text = stdout_of(&out);
    assert_eq!(text, "_pyvenv\nloaded\n", "{text}");
}

#[test]
fn nushell_completion_declares_the_options() {
    let tmp = tempfile::tempdir().unwrap();
    let script = generated_file("complete-nushell", tmp.path(), "pyvenv.nu");
    let program = format!("use {:?} *; help pyvenv", script);
    let Some(out) = shell("nu", &["--no-config-file", "-c", &program]) else {
        return;
    };
    let text = stdout_of(&out);
    for flag in ["--system-site-packages", "--no-cache", "--generate"] {
        assert!(text.contains(flag), "{flag}: {text}");
    }
}

#[test]
fn powershell_completion_parses() {
    let tmp = tempfile::tempdir().unwrap();
    let script = generated_file("complete-powershell", tmp.path(), "pyvenv.ps1");
    let Some(python) = powershell_grammar::grammar_python() else {
        return;
    };
    // The grammar lacks one valid construct clap's script uses, the
    // `.Where{ ... }` method call with a script block; an error anywhere
    // else is a real one.
    let checker = "import sys, tree_sitter, tree_sitter_powershell\n\
        p = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))\n\
        src = open(sys.argv[1], 'rb').read()\n\
        bad = []\n\
        def walk(n):\n\
        \x20   if (n.type == 'ERROR' or n.is_missing) and not src[n.start_byte:].startswith(b'Where{'):\n\
        \x20       bad.append(n.start_point)\n\
        \x20   for c in n.children: walk(c)\n\
        walk(p.parse(src).root_node)\n\
        print('errors %s' % bad if bad else 'clean')";
    let out = Command::new(&python)
        .args(["-c", checker])
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), "clean\n");
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.contains("Register-ArgumentCompleter"));
    assert!(text.contains("--system-site-packages"));
}

#[test]
fn man_page_renders_without_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let page = generated_file("man", tmp.path(), "pyvenv.1");
    let Some(out) = shell("groff", &["-man", "-ww", "-z", page.to_str().unwrap()]) else {
        return;
    };
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn man_page_names_every_flag_variable_and_exit_status() {
    let tmp = tempfile::tempdir().unwrap();
    let page = generated_file("man", tmp.path(), "pyvenv.1");
    let Some(out) = shell("man", &["-l", page.to_str().unwrap()]) else {
        return;
    };
    let text = stdout_of(&out);
    // man may hyphenate or embolden; compare on the plain text.
    let text = text.replace("\u{2010}", "-");
    let mut wanted: Vec<&str> = vec![
        "--system-site-packages",
        "--symlinks",
        "--copies",
        "--clear",
        "--upgrade",
        "--without-pip",
        "--prompt",
        "--upgrade-deps",
        "--without-scm-ignore-files",
        "--python",
        "--verbose",
        "--quiet",
        "--no-cache",
        "--cache-dir",
        "--cache-clean",
        "--generate",
    ];
    wanted.extend(["PYVENV_PYTHON", "PYVENV_CACHE_DIR", "PYVENV_NO_CACHE"]);
    wanted.extend(["ENVIRONMENT", "EXIT STATUS", "SYNOPSIS"]);
    for word in wanted {
        assert!(text.contains(word), "{word} missing from:\n{text}");
    }
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    // Every status pyvenv exits with: success, failure, usage error, and
    // 128 + the signal for SIGHUP, SIGINT and SIGTERM.
    let (_, statuses) = text.split_once("EXIT STATUS").unwrap();
    let statuses = statuses.split("SEE ALSO").next().unwrap_or(statuses);
    let named: Vec<&str> = statuses
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|word| word.chars().all(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(named, ["0", "1", "2", "129", "130", "143"], "{statuses}");
    for signal in ["SIGHUP", "SIGINT", "SIGTERM"] {
        assert!(
            statuses.contains(signal),
            "{signal} missing from:\n{statuses}"
        );
    }
}
