//! A wheel (PEP 427) read without Python: which distribution it holds,
//! where each of its files goes, its `RECORD` and its entry points.
//!
//! [`WheelPlan`] is everything pyvenv needs to install the wheel into any
//! environment, independent of that environment, so the wheel cache can
//! keep it beside the unpacked files and never open the zip again. The
//! rules are pip's (`pip/_internal/operations/install/wheel.py`): root files
//! go to purelib or platlib as `Root-Is-Purelib` says, `<name>.data/<key>/`
//! files to that scheme key, `.data/scripts` that merely wrap an entry point
//! are dropped, and a script starting `#!python` gets the environment's
//! python instead.

pub mod record;
pub mod scripts;

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use zip::ZipArchive;

use crate::error::{Error, Result};
use crate::os::meta;
use crate::seed::bytecode::Compiler;
use crate::seed::wheel::record::parse_csv;
use crate::seed::wheel::scripts::ScriptStyle;

/// Where a file of a wheel is installed (pip's scheme keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scheme {
    /// site-packages, pure-Python side.
    Purelib,
    /// site-packages, platform side (the same directory in a venv).
    Platlib,
    /// `bin`.
    Scripts,
    /// `include/site/pythonX.Y/<name>`.
    Headers,
    /// The environment's root.
    Data,
}

impl Scheme {
    /// The name of the directory a cache entry keeps this scheme's files in.
    pub fn dir_name(self) -> &'static str {
        match self {
            Scheme::Purelib => "purelib",
            Scheme::Platlib => "platlib",
            Scheme::Scripts => "scripts",
            Scheme::Headers => "headers",
            Scheme::Data => "data",
        }
    }

    fn from_key(key: &str) -> Option<Scheme> {
        Some(match key {
            "purelib" => Scheme::Purelib,
            "platlib" => Scheme::Platlib,
            "scripts" => Scheme::Scripts,
            "headers" => Scheme::Headers,
            "data" => Scheme::Data,
            _ => return None,
        })
    }
}

/// One file the wheel installs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WheelFile {
    /// Its name in the zip (and in the wheel's `RECORD`).
    pub zip_name: String,
    /// The scheme it goes to.
    pub scheme: Scheme,
    /// Its path below the scheme's directory, `/`-separated.
    pub path: String,
    /// The zip marks it executable.
    pub executable: bool,
    /// A `.data/scripts` file whose first line is `#!python`, which pip
    /// rewrites for each environment.
    pub rewrite_shebang: bool,
    /// Not in the wheel: bytecode compiled from one of its files, which
    /// `RECORD` lists without hash or size, as pip lists it.
    #[serde(default)]
    pub compiled: bool,
}

/// What a wheel installs, independent of the environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WheelPlan {
    /// The project name, as the `.dist-info` directory spells it.
    pub name: String,
    /// Its version.
    pub version: String,
    /// `<name>-<version>.dist-info`.
    pub dist_info: String,
    /// The files to install, in zip order.
    pub files: Vec<WheelFile>,
    /// The wheel's own `RECORD` rows, as written (path, hash, size).
    pub record: Vec<[String; 3]>,
    /// `console_scripts` entry points, in file order.
    pub console: Vec<(String, String)>,
    /// `gui_scripts` entry points, in file order.
    pub gui: Vec<(String, String)>,
    /// How this wheel, if it is pip, writes console scripts.
    pub script_style: Option<ScriptStyle>,
}

impl WheelPlan {
    /// Reads the plan of the wheel at `path`; the open archive is returned
    /// too, for [`WheelPlan::unpack`].
    pub fn read(path: &Path) -> Result<(WheelPlan, ZipArchive<File>)> {
        let bad = |reason: String| Error::BadWheel {
            path: path.to_path_buf(),
            reason,
        };
        let file = File::open(path).map_err(Error::io("open", path))?;
        let mut zip = ZipArchive::new(file).map_err(|e| bad(format!("not a zip file ({e})")))?;
        let names: Vec<String> = zip
            .file_names()
            .map(|n| n.map(|n| n.into_owned()))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| bad(format!("unreadable file name ({e})")))?;
        let (name, version, dist_info) = find_dist_info(path, &names).map_err(bad)?;
        let wheel_meta = read_text(&mut zip, &format!("{dist_info}/WHEEL")).map_err(bad)?;
        let root = if header(&wheel_meta, "Root-Is-Purelib")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            Scheme::Purelib
        } else {
            Scheme::Platlib
        };
        let record_text = read_text(&mut zip, &format!("{dist_info}/RECORD")).map_err(bad)?;
        let record = parse_csv(&record_text)
            .into_iter()
            .map(|mut row| {
                row.resize(3, String::new());
                [row[0].clone(), row[1].clone(), row[2].clone()]
            })
            .collect();
        let entry_points =
            read_text(&mut zip, &format!("{dist_info}/entry_points.txt")).unwrap_or_default();
        let console = entry_point_group(&entry_points, "console_scripts");
        let gui = entry_point_group(&entry_points, "gui_scripts");
        let is_wrapper = |file_name: &str| {
            let lower = file_name.to_ascii_lowercase();
            let stem = [".exe", "-script.py", ".pya"]
                .iter()
                .find_map(|suffix| {
                    lower
                        .ends_with(suffix)
                        .then(|| &file_name[..file_name.len() - suffix.len()])
                })
                .unwrap_or(file_name);
            console.iter().chain(&gui).any(|(name, _)| name == stem)
        };

        let mut files = Vec::new();
        for (index, zip_name) in names.iter().enumerate() {
            if zip_name.ends_with('/') {
                continue;
            }
            let (scheme, rel) = place(zip_name, root).map_err(bad)?;
            if scheme == Scheme::Scripts && is_wrapper(rel.rsplit('/').next().unwrap_or(&rel)) {
                continue;
            }
            let mut entry = zip
                .by_index(index)
                .map_err(|e| bad(format!("cannot read {zip_name} ({e})")))?;
            let executable = entry
                .unix_mode()
                .is_some_and(|m| m & 0o170000 == 0o100000 && m & 0o111 != 0);
            let mut rewrite_shebang = false;
            if scheme == Scheme::Scripts {
                let mut head = [0u8; 8];
                let n = read_up_to(&mut entry, &mut head)
                    .map_err(|e| bad(format!("cannot read {zip_name} ({e})")))?;
                rewrite_shebang = &head[..n] == b"#!python";
            }
            files.push(WheelFile {
                zip_name: zip_name.clone(),
                scheme,
                path: rel,
                executable,
                rewrite_shebang,
                compiled: false,
            });
        }
        let script_style = (normalize(&name) == "pip")
            .then(|| ScriptStyle::detect(|member| read_text(&mut zip, member).ok()))
            .flatten();
        let plan = WheelPlan {
            name,
            version,
            dist_info,
            files,
            record,
            console,
            gui,
            script_style,
        };
        Ok((plan, zip))
    }

    /// Adds the bytecode `compiler` makes from the plan's modules, which
    /// sit below `root_of(scheme)`.
    pub fn compile(
        &mut self,
        compiler: &Compiler,
        root_of: &dyn Fn(Scheme) -> PathBuf,
    ) -> Result<()> {
        for scheme in [Scheme::Purelib, Scheme::Platlib] {
            let sources: Vec<&str> = self
                .files
                .iter()
                .filter(|f| f.scheme == scheme && !f.compiled)
                .map(|f| f.path.as_str())
                .collect();
            let made = compiler.compile(&root_of(scheme), &sources)?;
            self.files.extend(made.into_iter().map(|path| WheelFile {
                zip_name: String::new(),
                scheme,
                path,
                executable: false,
                rewrite_shebang: false,
                compiled: true,
            }));
        }
        Ok(())
    }

    /// Writes every file of the plan below `root_of(scheme)`, with the modes
    /// pip gives them under `umask`.
    pub fn unpack(
        &self,
        zip: &mut ZipArchive<File>,
        wheel: &Path,
        root_of: &dyn Fn(Scheme) -> PathBuf,
        umask: u32,
    ) -> Result<()> {
        let mut made_dirs = std::collections::HashSet::new();
        for file in self.files.iter().filter(|f| !f.compiled) {
            let dest = root_of(file.scheme).join(&file.path);
            if let Some(parent) = dest.parent()
                && made_dirs.insert(parent.to_path_buf())
            {
                std::fs::create_dir_all(parent).map_err(Error::io("create directory", parent))?;
            }
            let mut entry = zip.by_name(&file.zip_name).map_err(|e| Error::BadWheel {
                path: wheel.to_path_buf(),
                reason: format!("cannot read {} ({e})", file.zip_name),
            })?;
            write_member(&mut entry, &dest, file.executable, umask)?;
        }
        Ok(())
    }
}

/// Writes one member as pip does: `open(path, "wb")`, then `chmod` to
/// `0o777 & ~umask | 0o111` if the zip marks it executable.
fn write_member(entry: &mut impl Read, dest: &Path, executable: bool, umask: u32) -> Result<()> {
    // pip unlinks first, so a hardlink or symlink in the way is replaced,
    // never written through.
    match std::fs::remove_file(dest) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            return Err(Error::io("replace", dest)(e));
        }
        _ => {}
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    // The wheel cache stores files under a narrower umask than the
    // process's: never writable by group or others.
    let mut out = meta::with_mode(&mut options, 0o666 & !umask)
        .open(dest)
        .map_err(Error::io("create file", dest))?;
    io::copy(entry, &mut out).map_err(Error::io("write file", dest))?;
    out.flush().map_err(Error::io("write file", dest))?;
    if executable {
        let mode = (0o777 & !umask) | 0o111;
        meta::set_mode(&out, mode).map_err(Error::io("set the mode of", dest))?;
    }
    Ok(())
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// The text of one member, if it is there and UTF-8.
fn read_text(zip: &mut ZipArchive<File>, member: &str) -> std::result::Result<String, String> {
    let mut entry = zip
        .by_name(member)
        .map_err(|e| format!("it has no {member} ({e})"))?;
    let mut text = String::new();
    entry
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {member} ({e})"))?;
    Ok(text)
}

/// PEP 503 normalisation, as pip's `canonicalize_name`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_sep {
                out.push('-');
            }
            last_sep = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_sep = false;
        }
    }
    out
}

/// The one top-level `.dist-info` directory matching the file name's project.
fn find_dist_info(
    wheel: &Path,
    names: &[String],
) -> std::result::Result<(String, String, String), String> {
    let file_name = wheel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let project = normalize(file_name.split('-').next().unwrap_or(""));
    let mut found: Vec<&str> = names
        .iter()
        .filter_map(|n| n.split('/').next())
        .filter(|top| top.ends_with(".dist-info"))
        .collect();
    found.sort_unstable();
    found.dedup();
    let matching: Vec<&str> = found
        .into_iter()
        .filter(|d| normalize(d.split('-').next().unwrap_or("")) == project)
        .collect();
    let [dist_info] = matching[..] else {
        return Err(format!(
            "expected one {project}-*.dist-info directory, found {}",
            matching.len()
        ));
    };
    let stem = &dist_info[..dist_info.len() - ".dist-info".len()];
    let (name, version) = stem
        .split_once('-')
        .ok_or_else(|| format!("{dist_info} names no version"))?;
    Ok((name.to_string(), version.to_string(), dist_info.to_string()))
}

/// Where a zip member goes: `(scheme, path below it)`; refuses any path
/// that would escape its directory, as pip does.
fn place(zip_name: &str, root: Scheme) -> std::result::Result<(Scheme, String), String> {
    let unsafe_path = Path::new(zip_name)
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if unsafe_path || zip_name.contains('\\') {
        return Err(format!(
            "{zip_name} would be installed outside its directory"
        ));
    }
    let (top, rest) = zip_name.split_once('/').unwrap_or((zip_name, ""));
    if !top.ends_with(".data") {
        return Ok((root, zip_name.to_string()));
    }
    let (key, sub) = rest
        .split_once('/')
        .filter(|(_, sub)| !sub.is_empty())
        .ok_or_else(|| format!("{zip_name}: .data files must be named <scheme>/<path>"))?;
    let scheme =
        Scheme::from_key(key).ok_or_else(|| format!("{zip_name}: unknown scheme key {key}"))?;
    Ok((scheme, sub.to_string()))
}

/// A header's value in an email-style metadata file.
fn header<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// `name = value` pairs of one `[group]` of `entry_points.txt`, lines
/// stripped as pip strips them.
fn entry_point_group(text: &str, group: &str) -> Vec<(String, String)> {
    let mut in_group = false;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') && line.ends_with(']') {
            in_group = line[1..line.len() - 1].trim() == group;
        } else if in_group
            && !line.starts_with(['#', ';'])
            && let Some((name, value)) = line.split_once('=')
        {
            out.retain(|(n, _): &(String, String)| n != name.trim());
            out.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests;
