//! Pointing console scripts at the environment's final place.
//!
//! A new environment is built in a staging directory and renamed into
//! place. pip, when `ensurepip` runs it there, writes the staging path into
//! each console script's shebang (it uses the path of the python running
//! it). This rewrites those scripts to name the final path and updates
//! their lines in the `RECORD` files (hash and size), so the installed
//! distributions stay consistent for `pip uninstall` and `pip check`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::os::{disk, meta};
use crate::plan::layout::Layout;
use crate::seed::wheel::record::record_hash;
use crate::seed::wheel::scripts::{relative_shebang, shebang};

/// Rewrites every script in `bin` that names the staging root, and writes
/// every `/bin/sh` trampoline pip made in the form [`shebang`] gives, so a
/// path the shell would act on stays inert on this route too.
pub fn console_scripts(layout: &Layout) -> Result<()> {
    let staged = layout.root.as_os_str().as_encoded_bytes();
    let fin = layout.env_dir.as_os_str().as_encoded_bytes();
    let moved = layout.root != layout.env_dir;
    let mut changed = BTreeSet::new();
    let entries = fs::read_dir(&layout.bin_dir).map_err(Error::io("list", &layout.bin_dir))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        // Only the head is read first: bin also holds the interpreter (a
        // copy of it with --copies), which must not be read whole.
        let head = read_head(&path)?;
        let names_stage = moved && contains(&head, staged);
        if !head.starts_with(b"#!") || !(names_stage || head.starts_with(TRAMPOLINE)) {
            continue;
        }
        let bytes = fs::read(&path).map_err(Error::io("read", &path))?;
        let mut fixed = if names_stage {
            replace_in_head(&bytes, staged, fin)
        } else {
            bytes.clone()
        };
        if let Some(safe) = safe_trampoline(&fixed) {
            fixed = safe;
        }
        if fixed != bytes {
            disk::write_file(&path, &fixed, Some(0o755))?;
            changed.insert(path);
        }
    }
    if !changed.is_empty() {
        fix_records(&layout.site_packages, &changed)?;
    }
    Ok(())
}

/// After the target's own venv built the environment in the staging
/// directory: names the final place wherever a text names the staging one,
/// in `pyvenv.cfg` (its `command`) and in every other file in `bin` (the
/// target's own scripts that pyvenv did not write over).
pub fn texts(layout: &Layout) -> Result<()> {
    if layout.root == layout.env_dir {
        return Ok(());
    }
    let staged = layout.root.as_os_str().as_encoded_bytes();
    let fin = layout.env_dir.as_os_str().as_encoded_bytes();
    let mut files = vec![layout.root.join("pyvenv.cfg")];
    let entries = fs::read_dir(&layout.bin_dir).map_err(Error::io("list", &layout.bin_dir))?;
    for entry in entries.flatten() {
        // Scripts are small; a copied interpreter is not read.
        let small = entry
            .metadata()
            .is_ok_and(|m| m.is_file() && m.len() <= 1 << 20);
        if entry.file_type().is_ok_and(|t| t.is_file()) && small {
            files.push(entry.path());
        }
    }
    for path in files {
        let Ok(bytes) = fs::read(&path) else {
            continue;
        };
        if !contains(&bytes, staged) {
            continue;
        }
        let mode = meta::mode(&fs::metadata(&path).map_err(Error::io("inspect", &path))?);
        let fixed = replace_all(&bytes, staged, fin);
        disk::write_file(&path, &fixed, Some(mode))?;
    }
    Ok(())
}

/// `--relocatable`: every console script in `bin` that starts the
/// environment's python by its absolute path (pip's, and those installed
/// with it) starts it by a path relative to the script instead
/// ([`relative_shebang`]); their `RECORD` lines follow.
pub fn relative_console_scripts(layout: &Layout) -> Result<()> {
    let exe_name = crate::os::paths::basename(&layout.env_exe);
    let python = layout.env_dir.join(&layout.bin_name).join(&exe_name);
    let (Some(python), Some(exe_name)) = (python.to_str(), exe_name.to_str()) else {
        return Ok(());
    };
    let absolute = shebang(python);
    let relative = relative_shebang(exe_name);
    let mut changed = BTreeSet::new();
    let entries = fs::read_dir(&layout.bin_dir).map_err(Error::io("list", &layout.bin_dir))?;
    for entry in entries.flatten() {
        let path = entry.path();
        // Scripts are small; a copied interpreter is not read.
        let small = entry
            .metadata()
            .is_ok_and(|m| m.is_file() && m.len() <= 1 << 20);
        if !entry.file_type().is_ok_and(|t| t.is_file()) || !small {
            continue;
        }
        let bytes = fs::read(&path).map_err(Error::io("read", &path))?;
        let Some(rest) = bytes.strip_prefix(absolute.as_slice()) else {
            continue;
        };
        let mut fixed = relative.clone();
        // A one-line shebang holds its line break; after a trampoline the
        // script already starts with one.
        if absolute.ends_with(b"\n") {
            fixed.push(b'\n');
        }
        fixed.extend_from_slice(rest);
        let mode = meta::mode(&entry.metadata().map_err(Error::io("inspect", &path))?);
        disk::write_file(&path, &fixed, Some(mode))?;
        changed.insert(path);
    }
    if !changed.is_empty() {
        fix_records(&layout.site_packages, &changed)?;
    }
    Ok(())
}

fn replace_all(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// How pip's `/bin/sh` trampoline starts.
const TRAMPOLINE: &[u8] = b"#!/bin/sh\n'''exec' ";
/// How its line ends.
const TRAMPOLINE_END: &[u8] = b" \"$0\" \"$@\"\n' '''";

/// `script` with pip's trampoline rewritten as [`shebang`] writes it for
/// the same python; `None` when it has none. pip writes the path raw,
/// in double quotes when it holds a space, so the path is what lies
/// between the quotes.
fn safe_trampoline(script: &[u8]) -> Option<Vec<u8>> {
    let rest = script.strip_prefix(TRAMPOLINE)?;
    let end = rest
        .windows(TRAMPOLINE_END.len())
        .position(|w| w == TRAMPOLINE_END)?;
    let written = std::str::from_utf8(&rest[..end]).ok()?;
    if written.starts_with('\'') {
        // Already the inert form: pyvenv wrote it, or pip left it alone.
        return None;
    }
    let python = match written.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
        Some(inner) if inner.contains(' ') => inner,
        _ => written,
    };
    let mut out = shebang(python);
    out.extend_from_slice(&rest[end + TRAMPOLINE_END.len()..]);
    Some(out)
}

fn read_head(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(1024);
    fs::File::open(path)
        .and_then(|f| f.take(1024).read_to_end(&mut head))
        .map_err(Error::io("read", path))?;
    Ok(head)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Replaces `from` with `to` in the first lines (shebang, trampoline) only.
fn replace_in_head(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let head_len = bytes.len().min(1024);
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let mut i = 0;
    while i < head_len {
        if bytes[i..].starts_with(from) && i + from.len() <= head_len {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&bytes[head_len..]);
    out
}

/// Updates the hash and size of each changed file in every `RECORD`.
fn fix_records(site_packages: &Path, changed: &BTreeSet<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(site_packages).map_err(Error::io("list", site_packages))?;
    for entry in entries.flatten() {
        let record = entry.path().join("RECORD");
        let is_dist_info = entry.file_name().to_string_lossy().ends_with(".dist-info");
        if !is_dist_info || !record.is_file() {
            continue;
        }
        let text = fs::read_to_string(&record).map_err(Error::io("read", &record))?;
        let mut touched = false;
        let mut out = String::with_capacity(text.len());
        // pip ends its lines with `\r\n` (csv.writer); they are kept as
        // they are, so the file stays byte for byte what pip wrote.
        for chunk in text.split_inclusive('\n') {
            let line = chunk.trim_end_matches(['\r', '\n']);
            let fixed = record_line(site_packages, line, changed)?;
            touched |= fixed.is_some();
            out.push_str(fixed.as_deref().unwrap_or(line));
            out.push_str(&chunk[line.len()..]);
        }
        if touched {
            disk::write_file(&record, out.as_bytes(), None)?;
        }
    }
    Ok(())
}

fn record_line(
    site_packages: &Path,
    line: &str,
    changed: &BTreeSet<PathBuf>,
) -> Result<Option<String>> {
    let mut fields = line.rsplitn(3, ',');
    let (Some(_size), Some(_hash), Some(name)) = (fields.next(), fields.next(), fields.next())
    else {
        return Ok(None);
    };
    let path = crate::os::paths::normpath(&site_packages.join(name));
    if !changed.contains(&path) {
        return Ok(None);
    }
    let bytes = fs::read(&path).map_err(Error::io("read", &path))?;
    Ok(Some(format!(
        "{name},{},{}",
        record_hash(&bytes),
        bytes.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_lines_keep_pips_line_endings() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        fs::create_dir(site.join("x-1.dist-info")).unwrap();
        fs::write(site.join("a"), b"new").unwrap();
        let record = site.join("x-1.dist-info/RECORD");
        fs::write(&record, "a,sha256=old,1\r\nb/__pycache__/c.pyc,,\r\n").unwrap();
        let changed = BTreeSet::from([crate::os::paths::normpath(&site.join("a"))]);
        fix_records(site, &changed).unwrap();
        assert_eq!(
            fs::read_to_string(&record).unwrap(),
            format!("a,{},3\r\nb/__pycache__/c.pyc,,\r\n", record_hash(b"new"))
        );
    }

    #[test]
    fn only_the_head_is_rewritten() {
        let script = b"#!/s/bin/python\nprint('/s/bin/python')\n";
        let mut long = script.to_vec();
        long.extend(std::iter::repeat_n(b'#', 2000));
        long.extend_from_slice(b"/s/");
        let fixed = replace_in_head(&long, b"/s/", b"/final/");
        assert!(fixed.starts_with(b"#!/final/bin/python\nprint('/final/bin/python')"));
        assert!(fixed.ends_with(b"/s/"));
    }

    #[test]
    fn a_trampoline_pip_wrote_is_made_inert_where_the_shell_would_act() {
        let pip = b"#!/bin/sh\n'''exec' \"/t/a $(x)/bin/python\" \"$0\" \"$@\"\n' '''\nimport re\n";
        let safe = safe_trampoline(pip).unwrap();
        assert_eq!(
            safe,
            b"#!/bin/sh\n'''exec' '/t/a $(x)/bin/python' \"$0\" \"$@\"\n' '''\nimport re\n"
                .to_vec()
        );
        let plain = b"#!/bin/sh\n'''exec' \"/t/a b/bin/python\" \"$0\" \"$@\"\n' '''\nimport re\n";
        assert_eq!(safe_trampoline(plain).unwrap(), plain.to_vec());
        assert_eq!(safe_trampoline(&safe), None);
    }
}
