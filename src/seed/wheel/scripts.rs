//! Console scripts, written byte for byte as the pip being installed would
//! write them when ensurepip runs it.
//!
//! What pip writes changed across its versions (its own template until
//! 19.2, distlib's after, its own again from 25.1 without `re`; distlib 0.2
//! added a blank line after the shebang; `REQUESTED` from 20.2). Rather
//! than keep a table of versions, pyvenv reads those facts from the pip
//! wheel itself, once, when it first unpacks it: the template pip hands to
//! distlib, distlib's shebang handling, and whether pip's installer writes
//! `REQUESTED`. Each is read only in a form pyvenv knows exactly; a pip
//! written any other way gets no style, and ensurepip installs it instead. The script names are the
//! ones pip gives ensurepip's wheels (`pip`, `pip3`, `pip3.X`, and
//! setuptools' `easy_install`, `easy_install-3.X` where it has them).

use serde::{Deserialize, Serialize};

/// How one pip version writes a console script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptStyle {
    /// The Python `%`-template, with `module`, `import_name` and `func`.
    pub template: String,
    /// distlib 0.2 puts a newline after the shebang even though it ends
    /// with one.
    pub blank_line_after_shebang: bool,
    /// This pip writes an empty `REQUESTED` for what it was asked to install.
    pub writes_requested: bool,
}

impl ScriptStyle {
    /// Reads the style from pip's own sources; `read` returns a member of
    /// the pip wheel. `None` when the sources are not as expected.
    pub fn detect(mut read: impl FnMut(&str) -> Option<String>) -> Option<ScriptStyle> {
        let installer = read("pip/_internal/operations/install/wheel.py")
            .or_else(|| read("pip/_internal/wheel.py"))?;
        let distlib = read("pip/_vendor/distlib/scripts.py")?;
        let template = match pip_template(&installer) {
            Some(template) => template,
            // A pip that sets a template in a form not read above: unknown.
            None if installer.contains("script_template") => return None,
            None => between(&distlib, "SCRIPT_TEMPLATE = r'''", "'''")?,
        };
        // The template must render with the three keys pip passes.
        render_template(&template, "m", "f", "f")?;
        Some(ScriptStyle {
            template,
            blank_line_after_shebang: blank_line_after_shebang(&distlib)?,
            writes_requested: installer.contains("\"REQUESTED\""),
        })
    }

    /// The bytes of the script for entry point `value` (`module:func`),
    /// run by `python`.
    pub fn script(&self, python: &str, value: &str) -> Option<Vec<u8>> {
        let callable = value.split('[').next().unwrap_or("").trim();
        let (module, func) = callable.split_once(':')?;
        let valid = |s: &str| {
            !s.is_empty()
                && s.split('.').all(|part| {
                    !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '_')
                })
        };
        if !valid(module) || !valid(func) {
            return None;
        }
        let import_name = func.split('.').next().unwrap_or(func);
        let text = render_template(&self.template, module, import_name, func)?;
        let mut out = shebang(python);
        if self.blank_line_after_shebang || !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.extend_from_slice(text.as_bytes());
        Some(out)
    }
}

/// distlib's shebang for `python`: `#!<python>`, or, when the line would
/// be longer than Linux allows (127 bytes) or the path holds a space, a
/// `/bin/sh` line that execs the (quoted) python on the script.
///
/// Deliberately unlike pip: where pip's quoting would let the shell act on
/// the path (`$(...)`, a backquote, `\`, or `;` left unquoted) or let a
/// quote end the Python string the trampoline hides in, the path is written
/// inert instead (see [`inert`]); every other path gets pip's exact bytes.
pub fn shebang(python: &str) -> Vec<u8> {
    let quoted = python.contains(' ') && !python.starts_with('"');
    let executable = if quoted {
        format!("\"{python}\"")
    } else {
        python.to_string()
    };
    if !executable.contains(' ') && executable.len() + 3 <= 127 {
        return format!("#!{executable}\n").into_bytes();
    }
    let as_pip_writes_it_is_safe = if quoted {
        !python.contains(['$', '`', '\\', '"', '\''])
    } else {
        python
            .chars()
            .all(|c| !c.is_ascii() || c.is_ascii_alphanumeric() || "/._+,@%=-".contains(c))
    };
    let executable = if as_pip_writes_it_is_safe {
        executable
    } else {
        inert(python)
    };
    format!("#!/bin/sh\n'''exec' {executable} \"$0\" \"$@\"\n' '''").into_bytes()
}

/// The `/bin/sh` trampoline of a relocatable environment's console script:
/// it starts `python` (a file name in `bin`) from the directory the script
/// itself is in, wherever the environment has been moved or copied to. The
/// script's path is resolved first (`realpath`, where there is one), so a
/// link to the script from elsewhere still finds its environment.
///
/// Safe whatever the path holds: the path is only ever expanded inside
/// double quotes, so the shell neither splits it nor acts on anything in
/// it; `python` is written [`inert`]; and the line holds no backslash and
/// no three quotes in a row, so to Python it stays one string.
pub fn relative_shebang(python: &str) -> Vec<u8> {
    let here = r#""$(dirname -- "$(realpath -- "$0" 2>/dev/null || printf %s "$0")")""#;
    format!(
        "#!/bin/sh\n'''exec' {here}/{} \"$0\" \"$@\"\n' '''",
        inert(python)
    )
    .into_bytes()
}

/// `path` as one shell word nothing in it can act on, which is also safe
/// inside the Python `'''...'''` string the trampoline line is: single
/// quotes, a quote written `'"'"'` (never three quotes in a row, which
/// would end the Python string) and a backslash `'"\\"'` (an escaped
/// backslash to Python, so no escape sequence forms).
pub fn inert(path: &str) -> String {
    let mut out = String::from("'");
    for c in path.chars() {
        match c {
            '\'' => out.push_str(r#"'"'"'"#),
            '\\' => out.push_str(r#"'"\\"'"#),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `path` as a shell word: as it is where no character in it means
/// anything to a shell, else [`inert`].
pub fn inert_if_needed(path: &str) -> String {
    let plain = !path.is_empty()
        && path
            .chars()
            .all(|c| !c.is_ascii() || c.is_ascii_alphanumeric() || "/._+,@%=-".contains(c));
    if plain { path.to_string() } else { inert(path) }
}

/// The scripts pip writes for a wheel's entry points when ensurepip runs it
/// with `--default-pip`: `(file name, entry point)`, pip's and
/// easy_install's versioned names made for this Python (`short` is `X.Y`).
pub fn script_specs(
    console: &[(String, String)],
    gui: &[(String, String)],
    short: &str,
) -> Vec<(String, String)> {
    let major = short.split('.').next().unwrap_or(short);
    let mut console: Vec<(String, String)> = console.to_vec();
    let take = |name: &str, console: &mut Vec<(String, String)>| {
        let i = console.iter().position(|(n, _)| n == name)?;
        Some(console.remove(i).1)
    };
    let mut out = Vec::new();
    if let Some(pip) = take("pip", &mut console) {
        out.push(("pip".to_string(), pip.clone()));
        out.push((format!("pip{major}"), pip.clone()));
        out.push((format!("pip{short}"), pip));
        console.retain(|(n, _)| !is_versioned(n, "pip", ""));
    }
    if let Some(easy) = take("easy_install", &mut console) {
        out.push(("easy_install".to_string(), easy.clone()));
        out.push((format!("easy_install-{short}"), easy));
        console.retain(|(n, _)| !is_versioned(n, "easy_install", "-"));
    }
    out.extend(console);
    out.extend(gui.iter().cloned());
    out
}

/// `pip(\d+(\.\d+)?)?$` or `easy_install(-\d+\.\d+)?$`, as pip matches them.
fn is_versioned(name: &str, stem: &str, sep: &str) -> bool {
    let Some(rest) = name.strip_prefix(stem) else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let Some(version) = rest.strip_prefix(sep) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match version.split_once('.') {
        Some((a, b)) => digits(a) && digits(b),
        None => sep.is_empty() && digits(version),
    }
}

/// Python's `template % {"module": ..., "import_name": ..., "func": ...}`.
fn render_template(template: &str, module: &str, import_name: &str, func: &str) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('%') {
            out.push('%');
            rest = after;
            continue;
        }
        let inner = rest.strip_prefix('(')?;
        let (key, after) = inner.split_once(")s")?;
        out.push_str(match key {
            "module" => module,
            "import_name" => import_name,
            "func" => func,
            _ => return None,
        });
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

/// The template pip sets itself: a raw string handed to the maker (19.2 to
/// 25.0), or a class attribute `textwrap.dedent` makes (from 25.1).
fn pip_template(installer: &str) -> Option<String> {
    if let Some(raw) = between(installer, "maker.script_template = r\"\"\"", "\"\"\"") {
        return Some(raw);
    }
    let body = between(
        installer,
        "script_template = textwrap.dedent(\"\"\"\\\n",
        "\"\"\")",
    )?;
    // Not a raw string: an escape would need Python to read it.
    if body.contains('\\') {
        return None;
    }
    Some(dedent(&body))
}

/// Python's `textwrap.dedent` for text indented with spaces: the indent
/// every non-blank line shares is removed, and blank lines become empty.
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            if line.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(&line[indent..]);
        }
    }
    out
}

/// Whether distlib leaves a blank line between a shebang and the script:
/// 0.2 always added a line break, 0.3 only where the shebang lacks one, and
/// 0.4 ends its `/bin/sh` trampoline with one itself (0.3 and 0.4 write the
/// same bytes). `None`: a distlib pyvenv does not know.
fn blank_line_after_shebang(distlib: &str) -> Option<bool> {
    if distlib.contains("script_bytes = shebang + linesep + script_bytes") {
        Some(true)
    } else if distlib.contains("if not shebang.endswith(linesep)")
        || (distlib.contains("result += b\"' '''\\n\"")
            && distlib.contains("script_bytes = shebang + script_bytes"))
    {
        Some(false)
    } else {
        None
    }
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(text[from..from + len].to_string())
}

#[cfg(test)]
#[path = "scripts_tests.rs"]
mod tests;
