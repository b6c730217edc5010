//! Which version pyenv would select: `pyenv-version-file` (the nearest
//! `.python-version`), `pyenv-version-file-read`, `pyenv-version-name` and
//! `pyenv latest`'s prefix matching, each answering `None` where pyenv might
//! read the same files differently.

use std::path::{Path, PathBuf};

use super::sorted_entries;

/// `pyenv-version-file`: the nearest `.python-version` from `pyenv_dir` up,
/// then from `pwd` up.
pub(super) fn version_file(pyenv_dir: &Path, pwd: &Path) -> Option<PathBuf> {
    let nearest = |start: &Path| {
        start
            .ancestors()
            .map(|dir| dir.join(".python-version"))
            .find(|file| file.is_file())
    };
    nearest(pyenv_dir).or_else(|| (pyenv_dir != pwd).then(|| nearest(pwd)).flatten())
}

/// `pyenv-version-file-read`: the first word of each line, comments and
/// blank lines skipped, joined with `:`; empty for a missing or empty file.
/// `None` (undecided) for what pyenv would read differently from lines.
pub(super) fn read_version_file(file: &Path) -> Option<Vec<u8>> {
    let Ok(bytes) = std::fs::read(file) else {
        return Some(Vec::new());
    };
    let mut versions: Vec<&[u8]> = Vec::new();
    for line in bytes.split(|&b| b == b'\n') {
        // `read -n 1024` splits longer lines; bash drops NUL bytes.
        if line.len() >= 1024 || line.contains(&0) {
            return None;
        }
        let Some(word) = line.split(|b| b" \t\r".contains(b)).find(|w| !w.is_empty()) else {
            continue;
        };
        if word.starts_with(b"#") {
            continue;
        }
        // pyenv checks these against path traversal (and may warn).
        if word == b".." || word.contains(&b'/') {
            return None;
        }
        versions.push(word);
    }
    Some(versions.join(&b':'))
}

/// `pyenv-version-name -f`: each selected name, resolved to an installed
/// version where pyenv would (`python-3.12` and `3.12` to `3.12.1`).
pub(super) fn version_names(selected: &[u8], root: &Path) -> Option<Vec<String>> {
    let selected = std::str::from_utf8(selected).ok()?;
    if selected.is_empty() || selected == "system" {
        return Some(vec!["system".into()]);
    }
    // An unquoted expansion in bash: glob characters and empty fields
    // (other than a trailing one) are not worth imitating.
    let selected = selected.strip_suffix(':').unwrap_or(selected);
    if selected.contains(['*', '?', '[', '\n']) {
        return None;
    }
    let exists = |v: &str| root.join("versions").join(v).is_dir();
    let mut names = Vec::new();
    for version in selected.split(':') {
        if version.is_empty() || version.contains('/') || version == "." || version == ".." {
            return None;
        }
        let normalised = version.strip_prefix("python-").unwrap_or(version);
        let name = if exists(version) || version == "system" {
            version.to_string()
        } else if exists(normalised) {
            normalised.to_string()
        } else if let Some(found) = latest(root, version)? {
            found
        } else {
            latest(root, normalised)?.unwrap_or_else(|| normalised.to_string())
        };
        names.push(name);
    }
    Some(names)
}

/// `pyenv-latest`: the newest installed version named by `prefix`
/// (`3.12` for `3.12.1`); `Some(None)` when none is.
pub(super) fn latest(root: &Path, prefix: &str) -> Option<Option<String>> {
    let versions = root.join("versions");
    if versions.join(prefix).is_dir() {
        return Some(Some(prefix.to_string()));
    }
    let (prefix, suffix) = free_threaded(prefix);
    let mut candidates = Vec::new();
    for name in sorted_entries(&versions) {
        let Some(name) = name.to_str() else { continue };
        // pyenv reads the names as lines, and joins the versions it selects
        // with `:`: a newline or colon in a name splits it (found by the
        // generated test).
        if name.contains(['\n', ':']) {
            return None;
        }
        if !versions.join(name).is_dir() {
            continue;
        }
        let Some(rest) = name.strip_prefix(prefix) else {
            continue;
        };
        if !(rest.starts_with(['-', '.']) && name.ends_with(suffix)) || excluded(name, suffix) {
            continue;
        }
        // pyenv builds a different sort key for names like `miniconda3-4.7`.
        let head = name.split('-').next().unwrap_or("");
        if name.contains('-') && !head.is_empty() && head.chars().all(|c| c.is_alphanumeric()) {
            return None;
        }
        candidates.push(name.to_string());
    }
    let key = |name: &str| {
        let fields: Vec<&str> = name.split('.').collect();
        let number = |i: usize| -> Option<u128> {
            let digits: String = fields
                .get(i)
                .unwrap_or(&"")
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if digits.len() > 30 {
                return None;
            }
            Some(digits.parse().unwrap_or(0))
        };
        Some((fields[0].to_string(), number(1)?, number(2)?, number(3)?))
    };
    let mut keyed: Vec<_> = candidates
        .iter()
        .map(|c| key(c).map(|k| (k, c)))
        .collect::<Option<_>>()?;
    // `sort -t. -k1,1r -k2,2nr -k3,3nr -k4,4nr`; its last resort (the
    // whole line, by the locale) is not imitated: a tie is undecided.
    if keyed.windows(2).any(|w| w[0].0.0 != w[1].0.0) {
        return None;
    }
    keyed.sort_by(|a, b| b.0.cmp(&a.0));
    match keyed.as_slice() {
        [] => Some(None),
        [(first, _), (second, _), ..] if first == second => None,
        [(_, best), ..] => Some(Some((*best).clone())),
    }
}

/// `pyenv-prefix`: the installed version `name` stands for. pyenv asks
/// `pyenv latest -f`, which answers a name nothing matches with the name
/// itself, less a free-threaded `t` (so `3.13t` may mean `3.13`).
pub(super) fn installed(root: &Path, name: &str) -> Option<Option<String>> {
    if let Some(found) = latest(root, name)? {
        return Some(Some(found));
    }
    let (bare, _) = free_threaded(name);
    Some(
        root.join("versions")
            .join(bare)
            .is_dir()
            .then(|| bare.to_string()),
    )
}

/// A prefix asking for free-threaded builds (`3.13t`), split into the
/// prefix proper and `t`.
fn free_threaded(prefix: &str) -> (&str, &str) {
    match prefix.strip_suffix('t') {
        Some(p) if p.ends_with(|c: char| c.is_ascii_digit()) => (p, "t"),
        _ => (prefix, ""),
    }
}

/// The names `pyenv latest` leaves out: development and pre-releases, and
/// free-threaded builds unless asked for.
fn excluded(name: &str, suffix: &str) -> bool {
    if ["-dev", "-src", "-latest"]
        .iter()
        .any(|s| name.ends_with(s))
    {
        return true;
    }
    let digits = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if digits.len() < name.len() && ["a", "b", "rc"].iter().any(|tag| digits.ends_with(tag)) {
        return true;
    }
    suffix.is_empty()
        && name
            .strip_suffix('t')
            .is_some_and(|n| n.ends_with(|c: char| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(names: &[&str]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        for name in names {
            std::fs::create_dir_all(root.path().join("versions").join(name)).unwrap();
        }
        root
    }

    #[test]
    fn latest_takes_the_newest_matching_release() {
        let root = versions(&[
            "3.12.1",
            "3.12.10",
            "3.12.9",
            "3.13.0",
            "3.12-dev",
            "3.12.11rc1",
        ]);
        assert_eq!(latest(root.path(), "3.12"), Some(Some("3.12.10".into())));
        assert_eq!(latest(root.path(), "3"), Some(Some("3.13.0".into())));
        assert_eq!(latest(root.path(), "3.1"), Some(None));
        assert_eq!(latest(root.path(), "3.12.9"), Some(Some("3.12.9".into())));
    }

    #[test]
    fn latest_leaves_free_threaded_builds_alone_unless_asked() {
        let root = versions(&["3.13.0", "3.13.1t"]);
        assert_eq!(latest(root.path(), "3.13"), Some(Some("3.13.0".into())));
        assert_eq!(latest(root.path(), "3.13t"), Some(Some("3.13.1t".into())));
    }

    #[test]
    fn a_free_threaded_prefix_nothing_matches_falls_back_to_the_plain_name() {
        // Found by the generated test: `pyenv latest -f 3.11t` prints 3.11.
        let root = versions(&["3.11", "3.12.1"]);
        assert_eq!(installed(root.path(), "3.11t"), Some(Some("3.11".into())));
        assert_eq!(installed(root.path(), "3.12t"), Some(None));
        assert_eq!(installed(root.path(), "3.12"), Some(Some("3.12.1".into())));
    }

    #[test]
    fn a_tie_pyenv_would_break_by_locale_is_undecided() {
        let root = versions(&["3.12.1", "3.12.1-debug"]);
        assert_eq!(latest(root.path(), "3.12"), None);
    }

    #[test]
    fn version_files_give_the_first_word_of_each_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".python-version");
        std::fs::write(&file, "# pinned\n 3.12.1 extra\r\n\n3.11\n").unwrap();
        assert_eq!(read_version_file(&file), Some(b"3.12.1:3.11".to_vec()));
        std::fs::write(&file, "../../etc\n").unwrap();
        assert_eq!(read_version_file(&file), None);
        assert_eq!(
            read_version_file(&dir.path().join("missing")),
            Some(Vec::new())
        );
    }

    #[test]
    fn names_resolve_like_pyenv_version_name() {
        let root = versions(&["3.12.1", "3.11.7"]);
        let names = |s: &str| version_names(s.as_bytes(), root.path());
        assert_eq!(names(""), Some(vec!["system".into()]));
        assert_eq!(
            names("python-3.12:3.11.7:system:3.99"),
            Some(vec![
                "3.12.1".into(),
                "3.11.7".into(),
                "system".into(),
                "3.99".into()
            ])
        );
        assert_eq!(names("3.*"), None);
        assert_eq!(names(":3.12"), None);
    }
}
