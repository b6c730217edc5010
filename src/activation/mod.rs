//! Activation scripts: one real template per shell under `templates/`,
//! embedded in the binary, and one renderer that fills in the values an
//! environment is made with.
//!
//! Every value a template receives (the environment's path, its prompt, the
//! name of `bin`) is inserted as a complete literal of that script's
//! language (see [`quote`]), so no character in a path or prompt can run
//! code or end a string early. A prompt prefix is also escaped here, once,
//! for each prompt language the template may meet (bash, zsh, ksh, csh,
//! tcsh, ...); the template only chooses among the versions at activation
//! time, by asking the running shell which language it speaks.
//!
//! Where a script's language cannot hold a character of a value at all (a
//! newline in csh), the script is replaced by one that says so and changes
//! nothing: activation fails loudly instead of doing something else.
//!
//! The stage renders and writes scripts into the `bin` directory the plan
//! names, and nothing else: it decides no paths and runs no process.

pub mod quote;

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::os::disk;
use crate::plan::layout::Layout;
use crate::plan::target_os::TargetOs;
use quote::{Lang, Unholdable};

/// Where a script belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Every environment, as CPython's `common` scripts.
    Any,
    /// POSIX layouts only.
    Posix,
    /// Windows layouts only (`Scripts\`).
    Windows,
}

/// One activation script: its file name in `bin`, its template, its language.
#[derive(Debug, Clone, Copy)]
pub struct Activator {
    /// The file name in `bin`.
    pub name: &'static str,
    /// The template's text.
    pub template: &'static str,
    /// What stands on the template's `__RELOCATABLE__` line with
    /// `--relocatable`: code that finds the environment from where the
    /// script is when it runs. `None`: this language cannot learn that
    /// (csh), and the script keeps the path it was made at.
    pub relocatable: Option<&'static str>,
    /// The language the values are quoted for.
    pub lang: Lang,
    /// Which layouts get it.
    pub platform: Platform,
}

/// Every script pyvenv knows how to write.
pub const ACTIVATORS: &[Activator] = &[
    Activator {
        name: "activate",
        template: include_str!("../../templates/activate"),
        relocatable: Some(include_str!("../../templates/relocatable/activate")),
        lang: Lang::Posix,
        platform: Platform::Any,
    },
    Activator {
        name: "activate.fish",
        template: include_str!("../../templates/activate.fish"),
        relocatable: Some(include_str!("../../templates/relocatable/activate.fish")),
        lang: Lang::Fish,
        platform: Platform::Any,
    },
    Activator {
        name: "activate.csh",
        template: include_str!("../../templates/activate.csh"),
        relocatable: None,
        lang: Lang::Csh,
        platform: Platform::Posix,
    },
    Activator {
        name: "Activate.ps1",
        template: include_str!("../../templates/Activate.ps1"),
        relocatable: Some(include_str!("../../templates/relocatable/Activate.ps1")),
        lang: Lang::PowerShell,
        platform: Platform::Any,
    },
    Activator {
        name: "activate.nu",
        template: include_str!("../../templates/activate.nu"),
        relocatable: Some(include_str!("../../templates/relocatable/activate.nu")),
        lang: Lang::Nu,
        platform: Platform::Any,
    },
    Activator {
        name: "activate_this.py",
        template: include_str!("../../templates/activate_this.py"),
        relocatable: Some(include_str!("../../templates/relocatable/activate_this.py")),
        lang: Lang::Python,
        platform: Platform::Any,
    },
    Activator {
        name: "activate.bat",
        template: include_str!("../../templates/activate.bat"),
        relocatable: None,
        lang: Lang::Cmd,
        platform: Platform::Windows,
    },
    Activator {
        name: "deactivate.bat",
        template: include_str!("../../templates/deactivate.bat"),
        relocatable: None,
        lang: Lang::Cmd,
        platform: Platform::Windows,
    },
];

/// The values a template may ask for.
#[derive(Debug, Clone)]
pub struct ScriptValues<'a> {
    /// The environment's absolute path, as the user will see it.
    pub env_dir: &'a str,
    /// The prompt (without parentheses).
    pub prompt: &'a str,
    /// `bin` (or `Scripts`), relative to the environment.
    pub bin_name: &'a str,
    /// `site-packages`, relative to the environment.
    pub site_packages: &'a str,
    /// `--relocatable`: the scripts find the environment where they are.
    pub relocatable: bool,
}

/// Writes every activation script the environment's platform gets into its
/// `bin` (`Scripts` on Windows).
pub fn write_scripts(layout: &Layout) -> Result<()> {
    let env_dir = layout.env_dir.to_string_lossy();
    let bin_name = layout.bin_name.to_string_lossy();
    let site_packages = relative_site_packages(layout);
    let site_packages = site_packages.to_string_lossy();
    let values = ScriptValues {
        env_dir: &env_dir,
        prompt: &layout.prompt,
        bin_name: &bin_name,
        site_packages: &site_packages,
        relocatable: layout.relocatable,
    };
    for activator in activators_for(layout.target_os) {
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

/// The scripts an environment for `target_os` gets: CPython's `common`
/// ones everywhere, and the `posix` or the `nt` ones.
pub fn activators_for(target_os: Option<TargetOs>) -> impl Iterator<Item = &'static Activator> {
    let skipped = match target_os {
        Some(TargetOs::Windows) => Platform::Posix,
        _ => Platform::Windows,
    };
    ACTIVATORS.iter().filter(move |a| a.platform != skipped)
}

/// `site-packages` relative to the environment. The layout's paths may sit
/// under a staging directory while the environment is built, so the prefix
/// is found as the directory `bin` hangs from rather than `env_dir`.
fn relative_site_packages(layout: &Layout) -> PathBuf {
    layout
        .bin_dir
        .ancestors()
        .find(|root| root.join(&layout.bin_name) == layout.bin_dir)
        .and_then(|root| layout.site_packages.strip_prefix(root).ok())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| {
            Path::new("lib")
                .join(format!("python{}", layout.short_version))
                .join("site-packages")
        })
}

impl Activator {
    /// The script's text for `values`, or a script that refuses to activate
    /// if a value holds a character this script's language cannot hold.
    pub fn render(&self, values: &ScriptValues) -> String {
        match self.try_render(values) {
            Ok(text) => text,
            Err((what, unholdable)) => self.refusal(what, unholdable),
        }
    }

    fn try_render(&self, values: &ScriptValues) -> Result<String, (&'static str, Unholdable)> {
        let lit = |what: &'static str, s: &str| quote::literal(self.lang, s).map_err(|e| (what, e));
        let prefix = format!("({}) ", values.prompt);
        let prompt_lit = |s: String| lit("prompt", &s);
        let replacements = [
            ("__VIRTUAL_ENV__", lit("path", values.env_dir)?),
            ("__VIRTUAL_ENV_PROMPT__", lit("prompt", values.prompt)?),
            ("__BIN_NAME__", lit("path", values.bin_name)?),
            ("__SITE_PACKAGES__", lit("path", values.site_packages)?),
            // The prompt prefix, escaped for each prompt language; the
            // templates say which shell reads which.
            ("__PS1_PREFIX__", prompt_lit(prefix.clone())?),
            (
                "__PS1_PREFIX_BANG__",
                prompt_lit(quote::double(&prefix, &['!']))?,
            ),
            (
                "__PS1_PREFIX_BACKSLASH__",
                prompt_lit(quote::double(&prefix, &['\\']))?,
            ),
            (
                "__PS1_PREFIX_PERCENT__",
                prompt_lit(quote::double(&prefix, &['%']))?,
            ),
            (
                "__PS1_PREFIX_PERCENT_BANG__",
                prompt_lit(quote::double(&prefix, &['%', '!']))?,
            ),
            ("__PROMPT_CSH__", prompt_lit(quote::csh_prompt(&prefix))?),
            ("__PROMPT_TCSH__", prompt_lit(quote::tcsh_prompt(&prefix))?),
            ("__PROMPT_CMD__", prompt_lit(quote::cmd_prompt(&prefix))?),
            // cmd with delayed expansion cannot keep a `!` of a value written
            // into the script; activate.bat refuses then, and only then.
            (
                "__CMD_BANG__",
                if values.env_dir.contains('!') || values.prompt.contains('!') {
                    "1".to_string()
                } else {
                    String::new()
                },
            ),
        ];
        let template = self.with_relocation(values.relocatable);
        let text = substitute(&template, &replacements);
        // cmd reads a batch file line by line and expects CRLF; the values
        // it gets can hold no line break, so this touches only the template.
        Ok(match self.lang {
            Lang::Cmd => text.replace('\n', "\r\n"),
            _ => text,
        })
    }

    /// The template with its `__RELOCATABLE__` line replaced by the
    /// relocation code (indented as the line is), or removed whole.
    fn with_relocation(&self, relocatable: bool) -> String {
        let mut out = String::with_capacity(self.template.len() + 1024);
        for line in self.template.split_inclusive('\n') {
            if line.trim() != "__RELOCATABLE__" {
                out.push_str(line);
                continue;
            }
            let Some(code) = self.relocatable.filter(|_| relocatable) else {
                continue;
            };
            let indent = &line[..line.len() - line.trim_start().len()];
            for code_line in code.split_inclusive('\n') {
                if code_line.trim().is_empty() {
                    out.push_str(code_line);
                } else {
                    out.push_str(indent);
                    out.push_str(code_line);
                }
            }
        }
        out
    }

    /// A script in this language that prints why it cannot activate and
    /// changes nothing. Its text is fixed, so it is safe in every language.
    fn refusal(&self, what: &str, unholdable: Unholdable) -> String {
        let message = format!(
            "{}: cannot activate this environment: its {what} holds {}, which this shell \
             cannot hold in a variable. Use another shell, or make the environment with \
             another {what}.",
            self.name,
            unholdable.describe(),
        );
        match self.lang {
            Lang::Csh => format!("echo \"{message}\" >& /dev/stderr\nfalse\n"),
            Lang::Cmd => format!(
                "@echo off\r\necho {} 1>&2\r\nexit /b 1\r\n",
                message.replace('(', "^(").replace(')', "^)")
            ),
            // The other languages hold every character a path or prompt
            // can carry; a refusal there is a bug, and says so loudly too.
            _ => format!("# {message}\nexit 1\n"),
        }
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

#[cfg(test)]
mod tests;
