//! `Activate.ps1` cannot be run here (PowerShell is not installable), so it
//! is read by the strongest means there is: tree-sitter's PowerShell
//! grammar parses the script rendered for every hostile environment of the
//! activation battery, and the test requires no syntax error anywhere and
//! that the values assigned to `$VenvDir` and `$Prompt` are each one
//! verbatim string literal that decodes to the environment's path and
//! prompt exactly. A value that broke out of its quotes would show up as an
//! error or as code beside the literal.
//!
//! The grammar comes from PyPI; `.ci/install-shells` puts it in
//! `/opt/pyvenv-tools` (or name another python with `PYVENV_TS_PYTHON`).
// Needs a POSIX host: named, with why, in tests/support (POSIX_ONLY).
#![cfg(unix)]

#[path = "common/activation_scripts.rs"]
mod activation_scripts;
#[path = "common/activation_harness.rs"]
mod harness;
#[path = "common/powershell_grammar.rs"]
mod powershell_grammar;

use std::process::Command;

const CHECKER: &str = r#"
import json, sys
import tree_sitter, tree_sitter_powershell

parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
out = []
for path in sys.argv[1:]:
    src = open(path, "rb").read()
    tree = parser.parse(src)
    text = lambda n: src[n.start_byte:n.end_byte].decode("utf-8")
    errors, values = [], {}
    def walk(n):
        if n.type == "ERROR" or n.is_missing:
            errors.append("%s at %d:%d" % (n.type, n.start_point[0] + 1, n.start_point[1] + 1))
        if n.type == "assignment_expression" and n.child_count >= 3:
            name = text(n.children[0]).strip()
            rhs = n.children[-1]
            node = rhs
            while node.named_child_count == 1 and node.type != "string_literal":
                node = node.named_children[0]
            whole = text(rhs).strip()
            if node.type == "string_literal" and text(node) == whole:
                kinds = [c.type for c in node.named_children]
                values[name] = {"raw": whole, "kinds": kinds}
            else:
                values[name] = {"raw": whole, "kinds": ["not one literal"]}
        for c in n.children:
            walk(c)
    walk(tree.root_node)
    out.append({"path": path, "errors": errors, "values": values})
print(json.dumps(out))
"#;

/// PowerShell's verbatim string: between single quotes (any of the four
/// characters PowerShell takes for one), where a doubled quote is one.
fn decode_verbatim(raw: &str) -> Option<String> {
    let is_quote = |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}');
    let inner = raw.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if is_quote(c) {
            // A lone quote would have ended the string: not a valid literal.
            if chars.next() != Some(c) {
                return None;
            }
        }
        out.push(c);
    }
    Some(out)
}

#[test]
fn decoding_follows_powershell_rules() {
    assert_eq!(decode_verbatim("'it''s'").as_deref(), Some("it's"));
    assert_eq!(
        decode_verbatim("'a\u{2019}\u{2019}b'").as_deref(),
        Some("a\u{2019}b")
    );
    assert_eq!(decode_verbatim("'it's'"), None);
    assert_eq!(decode_verbatim("\"x\""), None);
}

#[test]
fn activate_ps1_parses_and_holds_every_hostile_value_as_one_literal() {
    let Some(python) = powershell_grammar::grammar_python() else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    for case in harness::cases() {
        let env = scratch.path().join(case.dir);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pyvenv"));
        cmd.args(["--without-pip", "-p", "3.12"]);
        if let Some(prompt) = case.prompt {
            cmd.arg(format!("--prompt={prompt}"));
        }
        let out = cmd.arg(&env).current_dir(scratch.path()).output().unwrap();
        if !out.status.success() {
            eprintln!(
                "SKIPPED: {}: pyvenv refused it: {}",
                case.label,
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        }
        let prompt = case.prompt.unwrap_or(case.dir).to_string();
        expected.push((case.label, env, prompt));
    }
    assert!(expected.len() >= 25, "too few environments to check");
    let out = Command::new(&python)
        .arg("-c")
        .arg(CHECKER)
        .args(
            expected
                .iter()
                .map(|(_, env, _)| env.join("bin/Activate.ps1")),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut failures = Vec::new();
    for ((label, env, prompt), report) in expected.iter().zip(&reports) {
        let errors = report["errors"].as_array().unwrap();
        if !errors.is_empty() {
            failures.push(format!("{label}: syntax errors {errors:?}"));
        }
        for (name, want) in [
            ("$VenvDir", env.to_string_lossy().into_owned()),
            ("$Prompt", prompt.clone()),
        ] {
            let value = &report["values"][name];
            let raw = value["raw"].as_str().unwrap_or_default();
            let kinds = &value["kinds"];
            if *kinds != serde_json::json!(["verbatim_string_characters"]) {
                failures.push(format!(
                    "{label}: {name} = {raw} is not one verbatim string ({kinds})"
                ));
            } else if decode_verbatim(raw).as_deref() != Some(want.as_str()) {
                failures.push(format!(
                    "{label}: {name} = {raw} does not decode to {want:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
