//! The `RECORD` file of an installed distribution: its CSV dialect, its
//! hashes, and the order pip writes its rows in.
//!
//! pip reads the wheel's `RECORD` with Python's `csv` module and writes the
//! installed one with `csv.writer` (minimal quoting, `\r\n` line endings),
//! rows sorted as `(path, hash, size)` string tuples. pyvenv writes the same
//! bytes, so a `RECORD` it made is indistinguishable from pip's (bytecode
//! rows aside, which pyvenv does not write because it compiles nothing).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// One row: a path relative to site-packages, `sha256=<urlsafe b64>` (or
/// empty) and the size in bytes (or empty).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RecordRow {
    /// The path, `/`-separated, relative to site-packages.
    pub path: String,
    /// `sha256=...`, or empty.
    pub hash: String,
    /// The size in decimal, or empty.
    pub size: String,
}

impl RecordRow {
    /// The row for a file pyvenv wrote with `contents`.
    pub fn for_contents(path: String, contents: &[u8]) -> RecordRow {
        RecordRow {
            path,
            hash: record_hash(contents),
            size: contents.len().to_string(),
        }
    }
}

/// `sha256=` and the urlsafe base64 of the digest, without padding (PEP 376
/// as pip writes it).
pub fn record_hash(contents: &[u8]) -> String {
    let digest = Sha256::digest(contents);
    format!("sha256={}", urlsafe_b64_nopad(&digest))
}

/// Base64 with the URL-safe alphabet and no `=` padding (the `base64`
/// crate: as fast as the hand-written loop it replaced, and kept by others).
pub fn urlsafe_b64_nopad(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Splits CSV text as Python's `csv.reader` does for the default dialect:
/// `"` quotes a field, `""` inside quotes is one `"`.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', true) => quoted = false,
                ('"', false) if field.is_empty() => quoted = true,
                (',', false) => fields.push(std::mem::take(&mut field)),
                (c, _) => field.push(c),
            }
        }
        fields.push(field);
        rows.push(fields);
    }
    rows
}

/// Renders rows as pip's `csv.writer` does, sorted as pip sorts them.
pub fn render(mut rows: Vec<RecordRow>) -> String {
    rows.sort();
    let mut out = String::with_capacity(rows.len() * 80);
    for row in &rows {
        for (i, field) in [&row.path, &row.hash, &row.size].into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_field(&mut out, field);
        }
        out.push_str("\r\n");
    }
    out
}

/// `csv.QUOTE_MINIMAL`: quote a field holding the delimiter, the quote
/// character or a line break.
fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_pips_urlsafe_base64_without_padding() {
        // The INSTALLER and REQUESTED lines every ensurepip RECORD holds.
        assert_eq!(
            record_hash(b"pip\n"),
            "sha256=zuuue4knoyJ-UwPPXg8fezS7VCrXJQrAP7zeNuwvFQg"
        );
        assert_eq!(
            record_hash(b""),
            "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
        assert_eq!(urlsafe_b64_nopad(b"\xfb\xff"), "-_8");
        assert_eq!(urlsafe_b64_nopad(b"a"), "YQ");
    }

    #[test]
    fn csv_quoting_round_trips() {
        let rows = parse_csv("a,b,1\r\n\"x,\"\"y\"\"\",,\n");
        assert_eq!(rows[0], ["a", "b", "1"]);
        assert_eq!(rows[1], ["x,\"y\"", "", ""]);
        let row = RecordRow {
            path: "x,\"y\"".into(),
            hash: String::new(),
            size: String::new(),
        };
        assert_eq!(render(vec![row]), "\"x,\"\"y\"\"\",,\r\n");
    }

    #[test]
    fn rows_sort_by_path_before_the_line_text() {
        // As tuples, "a" sorts before "a+b"; as lines "a+b," would not.
        let row = |p: &str| RecordRow {
            path: p.into(),
            hash: "h".into(),
            size: "1".into(),
        };
        assert_eq!(render(vec![row("a+b"), row("a")]), "a,h,1\r\na+b,h,1\r\n");
    }
}
