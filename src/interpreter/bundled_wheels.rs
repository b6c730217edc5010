//! The wheels a target's `ensurepip` would install, read from the disk
//! instead of importing `ensurepip` (which imports `subprocess`, `tempfile`
//! and more: about half of a cold probe's time).
//!
//! `ensurepip` has had three shapes, and each is recognised by the lines
//! that decide the choice, not by version number, so a distribution's
//! patched copy is either one of them or not trusted:
//!
//! - 3.6 to 3.9: `_PROJECTS` names each wheel in `ensurepip/_bundled`;
//! - 3.10 to 3.12 (and Debian's 3.11): `_get_packages()` takes every
//!   package from `WHEEL_PKG_DIR` (Debian: `/usr/share/python-wheels`) when
//!   all are there, the last by name of each, else the bundled ones;
//! - 3.13 on: the last `pip-*.whl` by name in the resolved `WHEEL_PKG_DIR`,
//!   else the bundled `pip-{_PIP_VERSION}-py3-none-any.whl`.
//!
//! Anything else (a source this does not recognise, names that are not
//! UTF-8) is `None`, and the probe asks `ensurepip` itself as before.

use std::path::{Path, PathBuf};

/// The wheels `ensurepip` under `stdlib` would install, in its order, when
/// certain. `wheel_pkg_dir` is sysconfig's `WHEEL_PKG_DIR`.
pub fn chosen(stdlib: &Path, wheel_pkg_dir: Option<&str>) -> Option<Vec<PathBuf>> {
    let package = stdlib.join("ensurepip");
    let source = match std::fs::read_to_string(package.join("__init__.py")) {
        Ok(source) => source,
        // No ensurepip at all: nothing to install, as the import would find.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !package.exists() => {
            return Some(Vec::new());
        }
        Err(_) => return None,
    };
    let bundled = package.join("_bundled");
    let wheels = if is_pip_only(&source) {
        pip_only(&source, &bundled, wheel_pkg_dir)?
    } else if is_packages(&source) {
        packages(&source, &bundled, wheel_pkg_dir)?
    } else if is_projects(&source) {
        projects(&source)?
            .into_iter()
            .map(|(name, version, tag)| {
                bundled.join(format!("{name}-{version}-{tag}-none-any.whl"))
            })
            .collect()
    } else {
        return None;
    };
    // The probe keeps only wheels that are there, as pyvenv installs them.
    Some(wheels.into_iter().filter(|w| w.is_file()).collect())
}

fn has_all(source: &str, lines: &[&str]) -> bool {
    lines
        .iter()
        .all(|line| source.lines().any(|l| l.trim() == *line))
}

/// 3.13's shape.
fn is_pip_only(source: &str) -> bool {
    has_all(
        source,
        &[
            "_WHEEL_PKG_DIR = Path(_pkg_dir).resolve()",
            "dist_matching_wheels = _WHEEL_PKG_DIR.glob('pip-*.whl')",
            "last_matching_dist_wheel = sorted(dist_matching_wheels)[-1]",
            "return nullcontext(last_matching_dist_wheel)",
            "/ f'pip-{_PIP_VERSION}-py3-none-any.whl'",
        ],
    ) && !source.contains("_PROJECTS")
}

/// 3.10 to 3.12's shape.
fn is_packages(source: &str) -> bool {
    has_all(
        source,
        &[
            "_WHEEL_PKG_DIR = sysconfig.get_config_var('WHEEL_PKG_DIR')",
            "filenames = sorted(filenames)",
            "if not filename.endswith(\".whl\"):",
            "prefix = name + '-'",
            "if filename.startswith(prefix):",
            "wheel_path = os.path.join(path, filename)",
            "packages[name] = _Package(version, None, wheel_path)",
            "wheel_name = f\"{name}-{version}-{py_tag}-none-any.whl\"",
            "if _WHEEL_PKG_DIR:",
            "dir_packages = _find_packages(_WHEEL_PKG_DIR)",
            "if all(name in dir_packages for name in _PACKAGE_NAMES):",
            "packages = dir_packages",
        ],
    )
}

/// 3.6 to 3.9's shape.
fn is_projects(source: &str) -> bool {
    let three = has_all(
        source,
        &[
            "for project, version, py_tag in _PROJECTS:",
            "wheel_name = \"{}-{}-{}-none-any.whl\".format(project, version, py_tag)",
        ],
    );
    let two = has_all(
        source,
        &[
            "for project, version in _PROJECTS:",
            "wheel_name = \"{}-{}-py2.py3-none-any.whl\".format(project, version)",
        ],
    );
    (three || two) && !source.contains("WHEEL_PKG_DIR")
}

fn pip_only(source: &str, bundled: &Path, wheel_pkg_dir: Option<&str>) -> Option<Vec<PathBuf>> {
    if let Some(dir) = wheel_pkg_dir {
        // `Path(dir).resolve()`: a relative directory (pyenv's builds say
        // '') is taken from the probe's working directory, `/`.
        let resolved = match std::fs::canonicalize(Path::new("/").join(dir)) {
            Ok(resolved) => Some(resolved),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(_) => return None,
        };
        if let Some(resolved) = resolved {
            let names = names_in(&resolved)?;
            let last = names
                .iter()
                .filter(|n| n.starts_with("pip-") && n.ends_with(".whl"))
                .max();
            if let Some(last) = last {
                return Some(vec![resolved.join(last)]);
            }
        }
    }
    let version = assigned(source, "_PIP_VERSION")?;
    Some(vec![
        bundled.join(format!("pip-{version}-py3-none-any.whl")),
    ])
}

fn packages(source: &str, bundled: &Path, wheel_pkg_dir: Option<&str>) -> Option<Vec<PathBuf>> {
    let names = package_names(source)?;
    if let Some(dir) = wheel_pkg_dir.filter(|d| !d.is_empty()) {
        if !dir.starts_with('/') {
            return None;
        }
        // `os.listdir` failing is "no packages there" to ensurepip.
        let mut sorted = match std::fs::read_dir(dir) {
            Ok(_) => names_in(Path::new(dir))?,
            Err(_) => Vec::new(),
        };
        sorted.sort();
        let found: Vec<Option<&String>> = names
            .iter()
            .map(|name| {
                sorted
                    .iter()
                    .rfind(|f| f.ends_with(".whl") && f.starts_with(&format!("{name}-")))
            })
            .collect();
        if found.iter().all(Option::is_some) {
            return Some(
                found
                    .into_iter()
                    .flatten()
                    .map(|f| python_join(dir, f))
                    .collect(),
            );
        }
    }
    let projects = projects(source)?;
    names
        .iter()
        .map(|name| {
            let (_, version, tag) = projects.iter().find(|(n, _, _)| n == name)?;
            Some(bundled.join(format!("{name}-{version}-{tag}-none-any.whl")))
        })
        .collect()
}

/// `os.path.join(dir, name)` for a relative `name`.
fn python_join(dir: &str, name: &str) -> PathBuf {
    if dir.ends_with('/') {
        PathBuf::from(format!("{dir}{name}"))
    } else {
        PathBuf::from(format!("{dir}/{name}"))
    }
}

/// Every name in `dir`; `None` if one is not UTF-8 (Python would sort it
/// by its surrogate escapes, which is not imitated).
fn names_in(dir: &Path) -> Option<Vec<String>> {
    std::fs::read_dir(dir)
        .ok()?
        .map(|e| e.ok()?.file_name().into_string().ok())
        .collect()
}

/// The string a top-level `NAME = "value"` line assigns.
fn assigned(source: &str, name: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.trim_start().strip_prefix('=')?;
        quoted(value.trim())
    })
}

/// The text of one Python string literal without escapes.
fn quoted(text: &str) -> Option<String> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains([quote, '\\'])).then(|| inner.to_string())
}

/// `_PACKAGE_NAMES = ('setuptools', 'pip')`.
fn package_names(source: &str) -> Option<Vec<String>> {
    let line = source
        .lines()
        .find_map(|l| l.strip_prefix("_PACKAGE_NAMES = ("))?;
    let inner = line.trim_end().strip_suffix(')')?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(quoted)
        .collect()
}

/// `_PROJECTS`: (name, version, tag) for each, the tag `py2.py3` where the
/// tuple has none (3.6).
fn projects(source: &str) -> Option<Vec<(String, String, String)>> {
    let mut lines = source.lines().skip_while(|l| l.trim() != "_PROJECTS = [");
    lines.next()?;
    let mut out = Vec::new();
    for line in lines {
        let line = line.trim();
        if line == "]" {
            return Some(out);
        }
        let inner = line.strip_prefix('(')?.strip_suffix("),")?;
        let items: Vec<&str> = inner.split(',').map(str::trim).collect();
        let value = |item: &str| quoted(item).or_else(|| assigned(source, item));
        let (name, version, tag) = match items[..] {
            [name, version] => (value(name)?, value(version)?, "py2.py3".to_string()),
            [name, version, tag] => (value(name)?, value(version)?, value(tag)?),
            _ => return None,
        };
        out.push((name, version, tag));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECTS_36: &str = "_SETUPTOOLS_VERSION = \"40.6.2\"\n\n_PIP_VERSION = \"18.1\"\n\n\
        _PROJECTS = [\n    (\"setuptools\", _SETUPTOOLS_VERSION),\n    (\"pip\", _PIP_VERSION),\n]\n";

    #[test]
    fn projects_read_versions_and_tags() {
        assert_eq!(
            projects(PROJECTS_36),
            Some(vec![
                ("setuptools".into(), "40.6.2".into(), "py2.py3".into()),
                ("pip".into(), "18.1".into(), "py2.py3".into()),
            ])
        );
        let odd = PROJECTS_36.replace("_PIP_VERSION),", "_PIP_VERSION + \"a\"),");
        assert_eq!(projects(&odd), None);
    }

    #[test]
    fn package_names_in_order() {
        assert_eq!(
            package_names("_PACKAGE_NAMES = ('setuptools', 'pip')\n"),
            Some(vec!["setuptools".into(), "pip".into()])
        );
        assert_eq!(
            package_names("_PACKAGE_NAMES = ('pip',)\n"),
            Some(vec!["pip".into()])
        );
    }

    #[test]
    fn an_unrecognised_ensurepip_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("ensurepip")).unwrap();
        std::fs::write(
            dir.path().join("ensurepip/__init__.py"),
            format!("{PROJECTS_36}\ndef _bootstrap():\n    return _choose_somehow()\n"),
        )
        .unwrap();
        assert_eq!(chosen(dir.path(), None), None);
    }
}
