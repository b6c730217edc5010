//! Where pyvenv's activation scripts match CPython's beyond the battery:
//! fish's prompt is drawn in colour, and `Activate.ps1` carries
//! comment-based help, takes `-VenvDir` and `-Prompt`, and reads the prompt
//! from `pyvenv.cfg`.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/powershell_grammar.rs"]
mod powershell_grammar;

/// An environment without pip made with `args`, or `None` (with a visible
/// skip) when CPython 3.12 is missing.
fn make_env(root: &Path, name: &str, args: &[&str]) -> Option<PathBuf> {
    let env = root.join(name);
    let out = Command::new(env!("CARGO_BIN_EXE_pyvenv"))
        .args(["--without-pip", "-p", "3.12"])
        .args(args)
        .arg(&env)
        .output()
        .unwrap();
    if !out.status.success() {
        eprintln!(
            "SKIPPED: pyvenv -p 3.12 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    Some(env)
}

/// What fish's prompt draws after activating `env`, with `TERM` as given.
fn fish_prompt(env: &Path, term: &str) -> Option<Vec<u8>> {
    let script = format!(
        "function fish_prompt; printf '$ '; end; source {:?}; fish_prompt",
        env.join("bin/activate.fish")
    );
    match Command::new("fish")
        .args(["--no-config", "-c", &script])
        .env("TERM", term)
        .output()
    {
        Ok(out) => {
            assert!(out.status.success(), "{out:?}");
            Some(out.stdout)
        }
        Err(_) => {
            eprintln!("SKIPPED: fish is not installed");
            None
        }
    }
}

/// What `set_color args` prints in fish under `TERM`.
fn fish_colour(args: &str, term: &str) -> Vec<u8> {
    Command::new("fish")
        .args(["--no-config", "-c", &format!("set_color {args}")])
        .env("TERM", term)
        .output()
        .unwrap()
        .stdout
}

#[test]
fn fish_prompt_draws_the_name_in_pythons_blue() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(env) = make_env(tmp.path(), "env", &["--prompt", "blue"]) else {
        return;
    };
    let Some(shown) = fish_prompt(&env, "xterm-256color") else {
        return;
    };
    let blue = fish_colour("4B8BBE", "xterm-256color");
    let normal = fish_colour("normal", "xterm-256color");
    assert!(!blue.is_empty() && !normal.is_empty());
    let mut want = blue;
    want.extend_from_slice(b"(blue)");
    want.extend_from_slice(&normal);
    want.extend_from_slice(b" $ ");
    assert_eq!(
        String::from_utf8_lossy(&shown),
        String::from_utf8_lossy(&want)
    );
}

#[test]
fn fish_prompt_without_colours_still_brackets_the_name() {
    // set_color prints nothing on a dumb terminal; the name must keep its
    // brackets and its place.
    let tmp = tempfile::tempdir().unwrap();
    let Some(env) = make_env(tmp.path(), "env", &["--prompt", "plain"]) else {
        return;
    };
    let Some(shown) = fish_prompt(&env, "dumb") else {
        return;
    };
    assert_eq!(String::from_utf8_lossy(&shown), "(plain) $ ");
}

/// The script's first node, and the names its `param()` block declares.
const SHAPE: &str = r#"
import json, sys, tree_sitter, tree_sitter_powershell
parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
src = open(sys.argv[1], "rb").read()
root = parser.parse(src).root_node
first = root.children[0]
params = []
def walk(n):
    if n.type == "param_block":
        for v in n.children:
            collect(v)
    for c in n.children:
        walk(c)
def collect(n):
    if n.type == "variable":
        params.append(src[n.start_byte:n.end_byte].decode())
    for c in n.children:
        collect(c)
walk(root)
print(json.dumps({"first": first.type, "first_text": src[first.start_byte:first.end_byte].decode(), "params": params, "error": root.has_error}))
"#;

#[test]
fn activate_ps1_has_comment_based_help_and_both_parameters() {
    let Some(python) = powershell_grammar::grammar_python() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let Some(env) = make_env(tmp.path(), "env", &[]) else {
        return;
    };
    let out = Command::new(&python)
        .args(["-c", SHAPE])
        .arg(env.join("bin/Activate.ps1"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let shape: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shape["error"], false);
    // Get-Help reads the block comment the script opens with.
    assert_eq!(shape["first"], "comment", "{shape}");
    let help = shape["first_text"].as_str().unwrap();
    assert!(help.starts_with("<#") && help.ends_with("#>"), "{help}");
    for keyword in [
        ".SYNOPSIS",
        ".DESCRIPTION",
        ".PARAMETER VenvDir",
        ".PARAMETER Prompt",
        ".EXAMPLE",
        ".NOTES",
    ] {
        assert!(help.contains(keyword), "{keyword} missing from the help");
    }
    assert_eq!(
        shape["params"],
        serde_json::json!(["$VenvDir", "$Prompt"]),
        "{shape}"
    );
}

#[test]
fn activate_ps1_reads_the_prompt_from_pyvenv_cfg_unless_given() {
    // The script cannot run here; what it does is read from its text: the
    // cfg's prompt comes first, then the directory's name for another
    // -VenvDir, then the name recorded when the environment was made.
    let tmp = tempfile::tempdir().unwrap();
    let Some(env) = make_env(tmp.path(), "env", &["--prompt", "from cfg"]) else {
        return;
    };
    let text = std::fs::read_to_string(env.join("bin/Activate.ps1")).unwrap();
    let cfg_read = text.find("_PyvenvCfgPrompt $VenvDir").unwrap();
    let leaf = text.find("Split-Path -Path $VenvDir -Leaf").unwrap();
    let literal = text.find("$Prompt = 'from cfg'").unwrap();
    assert!(cfg_read < leaf && leaf < literal);
    assert!(text.contains("Get-Content -LiteralPath $Cfg"));
    assert!(
        std::fs::read_to_string(env.join("pyvenv.cfg"))
            .unwrap()
            .contains("prompt = 'from cfg'")
    );
}
