//! Where tree-sitter's PowerShell grammar is: `.ci/install-shells` puts it
//! in `/opt/pyvenv-tools`, or `PYVENV_TS_PYTHON` names another python.

use std::path::PathBuf;
use std::process::Command;

/// A python that imports the grammar, or `None` after a visible skip.
pub fn grammar_python() -> Option<PathBuf> {
    let python = std::env::var_os("PYVENV_TS_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/pyvenv-tools/bin/python"));
    let ok = Command::new(&python)
        .args(["-c", "import tree_sitter, tree_sitter_powershell"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "SKIPPED: tree-sitter's PowerShell grammar is not installed \
             (bash .ci/install-shells puts it in /opt/pyvenv-tools)"
        );
    }
    ok.then_some(python)
}
