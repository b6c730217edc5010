//! Python's `repr()` of a `str`, which CPython's venv writes in two places:
//! the `prompt = '...'` line of `pyvenv.cfg` (3.8+) and the
//! `Unable to create directory '...'` error. Matching it keeps `pyvenv.cfg`
//! byte-identical to the one `python -m venv` writes.

/// Renders `s` the way Python 3's `repr(s)` does.
///
/// The quote is `'` unless the text holds `'` and no `"`; backslash, the
/// quote, `\t`, `\n` and `\r` are escaped; other characters Python does not
/// consider printable become `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let n = c as u32;
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable()` for one character: false for the control,
/// format, separator (except the ASCII space), private-use and noncharacter
/// code points. Unassigned code points that Python also escapes are not
/// tracked here; they do not occur in real prompts.
fn is_printable(c: char) -> bool {
    let n = c as u32;
    !matches!(n,
        0x00..=0x1f | 0x7f..=0xa0 | 0xad
        | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890..=0x891 | 0x8e2
        | 0x1680 | 0x180e
        | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064 | 0x2066..=0x206f
        | 0x3000 | 0xd800..=0xf8ff | 0xfeff | 0xfff0..=0xfffb | 0xfffe..=0xffff
        | 0x110bd | 0x110cd | 0x13430..=0x1343f
        | 0x1bca0..=0x1bca3 | 0x1d173..=0x1d17a
        | 0xe0000..=0xe0fff | 0xf0000..=0x10ffff)
}

#[cfg(test)]
mod tests {
    use super::py_repr;

    #[test]
    fn plain_text_gets_single_quotes() {
        assert_eq!(py_repr("two words"), "'two words'");
    }

    #[test]
    fn a_single_quote_switches_to_double_quotes() {
        assert_eq!(py_repr("it's"), "\"it's\"");
    }

    #[test]
    fn both_quotes_escape_the_single_one() {
        assert_eq!(py_repr("it's \"x\""), "'it\\'s \"x\"'");
    }

    #[test]
    fn backslashes_and_whitespace_controls_are_escaped() {
        assert_eq!(py_repr("a\\b\tc\nd\re"), "'a\\\\b\\tc\\nd\\re'");
    }

    #[test]
    fn other_controls_use_hex_escapes() {
        assert_eq!(py_repr("\u{1b}[0m\u{7f}\u{a0}"), "'\\x1b[0m\\x7f\\xa0'");
        assert_eq!(py_repr("\u{200b}\u{feff}"), "'\\u200b\\ufeff'");
    }

    #[test]
    fn printable_non_ascii_is_kept() {
        assert_eq!(py_repr("café ñ 日本 🐍"), "'café ñ 日本 🐍'");
    }
}
