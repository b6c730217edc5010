//! Literals of each script language, and the escaping each shell's prompt
//! language needs, for values only known when an environment is made.
//!
//! Two layers, kept apart because they fail differently. A *literal* makes
//! the script's parser read a value back byte for byte; getting it wrong
//! runs code at `source` time. *Prompt escaping* makes a prompt renderer
//! (bash's `\u`, zsh's `%F`, csh's `!`) show text as it is; getting it wrong
//! runs code, or garbles the prompt, each time the prompt is drawn. A prompt
//! prefix goes through both: first escaped for the prompt language, then
//! quoted as a literal.
//!
//! Where a language cannot hold a character at all, [`literal`] says so with
//! [`Unholdable`] rather than producing something that reads back different.

/// A script language values are quoted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// bash, zsh, dash, ksh, mksh, yash, busybox sh.
    Posix,
    /// fish.
    Fish,
    /// csh and tcsh.
    Csh,
    /// PowerShell.
    PowerShell,
    /// nushell.
    Nu,
    /// Python source (`activate_this.py`).
    Python,
    /// cmd.exe batch files, inside `set "NAME=..."`.
    Cmd,
}

/// A character a language has no way to hold in a literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unholdable {
    /// The character.
    pub character: char,
}

impl Unholdable {
    /// How a person would name the character in an error message.
    pub fn describe(&self) -> String {
        match self.character {
            '\n' => "a newline".to_string(),
            '\r' => "a carriage return".to_string(),
            '"' => "a double quote".to_string(),
            c => format!("the character {c:?}"),
        }
    }
}

/// `s` as one literal of `lang`, read back byte for byte by that language's
/// parser, with nothing in it expanded or run.
pub fn literal(lang: Lang, s: &str) -> Result<String, Unholdable> {
    match lang {
        // Inside '...' nothing is special; a ' ends it, so close, add an
        // escaped quote, and reopen.
        Lang::Posix => Ok(format!("'{}'", s.replace('\'', r"'\''"))),
        // fish's '...' knows two escapes: \\ and \'.
        Lang::Fish => Ok(format!("'{}'", s.replace('\\', r"\\").replace('\'', r"\'"))),
        Lang::Csh => csh_literal(s),
        Lang::PowerShell => Ok(powershell_literal(s)),
        Lang::Nu => Ok(nu_literal(s)),
        Lang::Python => Ok(python_literal(s)),
        Lang::Cmd => cmd_literal(s),
    }
}

/// csh reads history (`!`) before anything else, even inside '...', so each
/// `!` is escaped for that pass; a backslash is literal inside '...'
/// otherwise. A newline cannot be held: csh's quoting of one differs between
/// csh and tcsh, and neither keeps it through `"$var:q"`.
fn csh_literal(s: &str) -> Result<String, Unholdable> {
    if let Some(c) = s.chars().find(|c| matches!(c, '\n' | '\r')) {
        return Err(Unholdable { character: c });
    }
    Ok(format!(
        "'{}'",
        s.replace('\'', r"'\''").replace('!', r"\!")
    ))
}

/// PowerShell's '...' has one escape, doubling the quote, and it treats the
/// typographic single quotes as quotes too.
fn powershell_literal(s: &str) -> String {
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

/// nushell's raw string `r#'...'#` holds anything but its own terminator,
/// `'` followed by as many `#` as opened it; one more `#` than the longest
/// run after a `'` in `s` can never occur in it. nushell looks for the
/// terminator from the opening quote on, so a run of `#` that starts `s`
/// counts too.
fn nu_literal(s: &str) -> String {
    let mut longest = 0;
    let mut run: Option<usize> = Some(0);
    for c in s.chars() {
        run = match (c, run) {
            ('\'', _) => Some(0),
            ('#', Some(n)) => Some(n + 1),
            _ => None,
        };
        if let Some(n) = run {
            longest = longest.max(n);
        }
    }
    let hashes = "#".repeat(longest + 1);
    format!("r{hashes}'{s}'{hashes}")
}

/// A Python string literal in plain ASCII: `exec(open(p).read())` decodes
/// the file with the locale's encoding, which may be ASCII on an old
/// Python, so every other character is written as an escape.
fn python_literal(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('\'');
    out
}

/// The text between the quotes of a batch file's `set "NAME=..."`: inside
/// those quotes `^ & | < >` are literal, a `%` must be doubled, and a `"`
/// would end the quoting early, letting what follows run as a command; a
/// line break ends the command. Neither of those can be held.
fn cmd_literal(s: &str) -> Result<String, Unholdable> {
    if let Some(c) = s.chars().find(|c| matches!(c, '\n' | '\r' | '"')) {
        return Err(Unholdable { character: c });
    }
    Ok(s.replace('%', "%%"))
}

/// `text` with each of `specials` doubled, which is how most prompt
/// languages escape their own markers (`%%` in zsh, `!!` in ksh, `\\`).
pub fn double(text: &str, specials: &[char]) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if specials.contains(&c) {
            out.push(c);
        }
        out.push(c);
    }
    out
}

/// bsd csh's prompt: `!` is the event number and `\!` a literal `!`; no
/// other character is special.
pub fn csh_prompt(text: &str) -> String {
    text.replace('!', r"\!")
}

/// tcsh's prompt: `%` starts a sequence, `\` and `^` start an escape, `!`
/// is the event number; a backslash makes each of them literal except `%`,
/// which is doubled.
pub fn tcsh_prompt(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '%' => out.push_str("%%"),
            '\\' | '^' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// cmd's `PROMPT` reads `$` codes (`$P`, `$G`); `$$` is a literal `$`.
pub fn cmd_prompt(text: &str) -> String {
    text.replace('$', "$$")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_literal_closes_and_reopens_around_a_quote() {
        assert_eq!(
            literal(Lang::Posix, "it's $HOME").unwrap(),
            r"'it'\''s $HOME'"
        );
    }

    #[test]
    fn fish_literal_escapes_backslash_and_quote() {
        assert_eq!(literal(Lang::Fish, r"a\b'c").unwrap(), r"'a\\b\'c'");
    }

    #[test]
    fn csh_literal_escapes_history_and_refuses_a_newline() {
        assert_eq!(literal(Lang::Csh, "a!b'c").unwrap(), r"'a\!b'\''c'");
        assert_eq!(
            literal(Lang::Csh, "a\nb"),
            Err(Unholdable { character: '\n' })
        );
    }

    #[test]
    fn powershell_literal_doubles_every_kind_of_single_quote() {
        assert_eq!(
            literal(Lang::PowerShell, "a'b\u{2019}c").unwrap(),
            "'a''b\u{2019}\u{2019}c'"
        );
    }

    #[test]
    fn nu_raw_string_outlasts_every_quote_and_hash_run() {
        assert_eq!(literal(Lang::Nu, "plain").unwrap(), "r#'plain'#");
        assert_eq!(literal(Lang::Nu, "a'#b").unwrap(), "r##'a'#b'##");
        assert_eq!(literal(Lang::Nu, "x'##'").unwrap(), "r###'x'##''###");
        assert_eq!(literal(Lang::Nu, "#x").unwrap(), "r##'#x'##");
    }

    #[test]
    fn python_literal_is_ascii_whatever_it_holds() {
        let lit = literal(Lang::Python, "caf\u{e9}'\\\n\u{65e5}\u{1f40d}").unwrap();
        assert_eq!(lit, r"'caf\xe9\'\\\x0a\u65e5\U0001f40d'");
        assert!(lit.is_ascii());
    }

    #[test]
    fn cmd_literal_doubles_percent_and_refuses_quote_and_newline() {
        assert_eq!(literal(Lang::Cmd, "100% & <x>|^").unwrap(), "100%% & <x>|^");
        assert_eq!(literal(Lang::Cmd, "a\"b").unwrap_err().character, '"');
        assert_eq!(literal(Lang::Cmd, "a\r\nb").unwrap_err().character, '\r');
    }

    #[test]
    fn prompt_escapes_for_each_prompt_language() {
        assert_eq!(double("50% !x", &['%', '!']), "50%% !!x");
        assert_eq!(csh_prompt(r"a\!b"), r"a\\!b");
        assert_eq!(tcsh_prompt(r"%~\!^"), r"%%~\\\!\^");
        assert_eq!(cmd_prompt("$P$G"), "$$P$$G");
    }
}
