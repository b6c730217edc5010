//! Activation scripts: one real template per shell under `templates/`,
//! embedded in the binary, and one renderer that knows how to quote a value
//! for each shell.
//!
//! Every value a template receives (the environment's path, its prompt, the
//! name of `bin`) is inserted as a complete, quoted literal of that shell's
//! language, so no character in a path or prompt can run code or end the
//! string early. Shell-specific prompt escaping (`%` for zsh, `!` for csh)
//! is done here too, once, rather than in shell code at activation time.

use crate::disk;
use crate::error::Result;
use crate::layout::Layout;

/// A shell language a template is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// bash, zsh, dash, ksh, busybox sh, yash.
    Posix,
    /// fish.
    Fish,
    /// csh and tcsh.
    Csh,
    /// PowerShell.
    PowerShell,
}

/// One activation script: its file name in `bin`, its template, its shell.
#[derive(Debug, Clone, Copy)]
pub struct Activator {
    /// The file name in `bin`.
    pub name: &'static str,
    /// The template's text.
    pub template: &'static str,
    /// The language the values are quoted for.
    pub shell: Shell,
}

/// Every script pyvenv writes on POSIX.
pub const ACTIVATORS: &[Activator] = &[
    Activator {
        name: "activate",
        template: include_str!("../templates/activate"),
        shell: Shell::Posix,
    },
    Activator {
        name: "activate.fish",
        template: include_str!("../templates/activate.fish"),
        shell: Shell::Fish,
    },
    Activator {
        name: "activate.csh",
        template: include_str!("../templates/activate.csh"),
        shell: Shell::Csh,
    },
    Activator {
        name: "Activate.ps1",
        template: include_str!("../templates/Activate.ps1"),
        shell: Shell::PowerShell,
    },
];

/// The values a template may ask for.
#[derive(Debug, Clone)]
pub struct ScriptValues<'a> {
    /// The environment's absolute path.
    pub env_dir: &'a str,
    /// The prompt (without parentheses).
    pub prompt: &'a str,
    /// `bin`, relative to the environment.
    pub bin_name: &'a str,
}

/// Writes every activation script into the environment's `bin`.
pub fn write_scripts(layout: &Layout) -> Result<()> {
    let env_dir = layout.env_dir.to_string_lossy();
    let bin_name = layout.bin_name.to_string_lossy();
    let values = ScriptValues {
        env_dir: &env_dir,
        prompt: &layout.prompt,
        bin_name: &bin_name,
    };
    for activator in ACTIVATORS {
        let text = activator.render(&values);
        // CPython installs its scripts 0644, whatever the umask.
        disk::write_file(
            &layout.bin_dir.join(activator.name),
            text.as_bytes(),
            Some(0o644),
        )?;
    }
    Ok(())
}

impl Activator {
    /// The script's text for `values`.
    pub fn render(&self, values: &ScriptValues) -> String {
        let q = |s: &str| quote(self.shell, s);
        let prompt_prefix = format!("({}) ", values.prompt);
        let replacements = [
            ("__VIRTUAL_ENV__", q(values.env_dir)),
            ("__VIRTUAL_ENV_PROMPT__", q(values.prompt)),
            ("__BIN_NAME__", q(values.bin_name)),
            // zsh reads % escapes in PS1; bash without promptvars reads
            // backslash escapes; csh reads ! as history.
            ("__PS1_ZSH__", q(&prompt_prefix.replace('%', "%%"))),
            ("__PS1_PLAIN__", q(&prompt_prefix.replace('\\', "\\\\"))),
            ("__PS1_CSH__", q(&prompt_prefix)),
        ];
        substitute(self.template, &replacements)
    }
}

/// Replaces each placeholder in one pass, so a value that happens to hold a
/// placeholder's name is never substituted again.
fn substitute(template: &str, replacements: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("__") {
        let hit = replacements
            .iter()
            .find(|(key, _)| rest[start..].starts_with(key));
        match hit {
            Some((key, value)) => {
                out.push_str(&rest[..start]);
                out.push_str(value);
                rest = &rest[start + key.len()..];
            }
            None => {
                out.push_str(&rest[..start + 2]);
                rest = &rest[start + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `s` as one literal of `shell`'s language, quotes included.
pub fn quote(shell: Shell, s: &str) -> String {
    match shell {
        // Inside '...' nothing is special; a ' ends it, so close, add an
        // escaped quote, and reopen.
        Shell::Posix => format!("'{}'", s.replace('\'', r"'\''")),
        // fish's '...' knows two escapes: \\ and \'.
        Shell::Fish => format!("'{}'", s.replace('\\', r"\\").replace('\'', r"\'")),
        // csh expands ! even inside '...', and a newline must be escaped.
        Shell::Csh => format!(
            "'{}'",
            s.replace('\'', r"'\''")
                .replace('!', r"\!")
                .replace('\n', "\\\n")
        ),
        // PowerShell treats the typographic single quotes as quotes too;
        // each is escaped by doubling it.
        Shell::PowerShell => {
            let mut out = String::from("'");
            for c in s.chars() {
                if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
                    out.push(c);
                }
                out.push(c);
            }
            out.push('\'');
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_quoting_closes_and_reopens_around_a_quote() {
        assert_eq!(quote(Shell::Posix, "it's $HOME"), r"'it'\''s $HOME'");
    }

    #[test]
    fn fish_quoting_escapes_backslash_and_quote() {
        assert_eq!(quote(Shell::Fish, r"a\b'c"), r"'a\\b\'c'");
    }

    #[test]
    fn powershell_quoting_doubles_every_kind_of_single_quote() {
        assert_eq!(
            quote(Shell::PowerShell, "a'b\u{2019}c"),
            "'a''b\u{2019}\u{2019}c'"
        );
    }

    #[test]
    fn substitution_is_one_pass() {
        let out = substitute(
            "A=__VIRTUAL_ENV__ B=__BIN_NAME__",
            &[
                ("__VIRTUAL_ENV__", "'__BIN_NAME__'".to_string()),
                ("__BIN_NAME__", "'bin'".to_string()),
            ],
        );
        assert_eq!(out, "A='__BIN_NAME__' B='bin'");
    }

    #[test]
    fn every_placeholder_in_every_template_is_known() {
        let values = ScriptValues {
            env_dir: "/e",
            prompt: "p",
            bin_name: "bin",
        };
        for activator in ACTIVATORS {
            let text = activator.render(&values);
            for line in text.lines() {
                assert!(
                    !line.contains("__VIRTUAL")
                        && !line.contains("__PS1")
                        && !line.contains("__BIN"),
                    "{}: unreplaced placeholder in {line:?}",
                    activator.name
                );
            }
        }
    }
}
