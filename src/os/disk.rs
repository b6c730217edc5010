//! The few disk operations the builder is made of, each returning an error
//! that names its path and operation.
//!
//! Files are written beside their final name and renamed into place, so a
//! reader never sees half a `pyvenv.cfg`, and a symlink planted where a file
//! belongs is replaced rather than followed to somewhere outside the
//! environment.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::os::meta;

/// CPython's `create_if_needed`: makes `dir` (and its parents) unless it is
/// already a directory; a file or a symlink in its place is an error.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    match fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(Error::NotADirectory(dir.to_path_buf())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory => {
                    Error::NotADirectory(first_non_dir_ancestor(dir))
                }
                _ => Error::Io {
                    op: "create directory",
                    path: dir.to_path_buf(),
                    source: e,
                },
            })
        }
        Err(e) => Err(Error::io("inspect", dir)(e)),
    }
}

/// The nearest ancestor of `dir` that exists and is not a directory, for an
/// error that points at the real obstacle.
pub fn first_non_dir_ancestor(dir: &Path) -> std::path::PathBuf {
    dir.ancestors()
        .filter(|a| fs::symlink_metadata(a).is_ok())
        .find(|a| !a.is_dir())
        .unwrap_or(dir)
        .to_path_buf()
}

/// Writes `contents` to `path` through a temporary file and a rename.
/// `mode` is applied exactly; `None` leaves the umask's default (0666 less
/// the umask), as Python's `open(path, 'w')` does.
pub fn write_file(path: &Path, contents: &[u8], mode: Option<u32>) -> Result<()> {
    let tmp = unique_sibling(path, "tmp");
    let result = (|| {
        let mut file = create_exclusive(&tmp, 0o666)?;
        file.write_all(contents)
            .map_err(Error::io("write file", &tmp))?;
        if let Some(mode) = mode {
            meta::set_mode(&file, mode).map_err(Error::io("set the mode of", &tmp))?;
        }
        fs::rename(&tmp, path).map_err(Error::io("write file", path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Creates the new file `path`: never through a link, never over anything
/// already there (`O_EXCL|O_NOFOLLOW`), so a name another account planted
/// fails the write instead of steering it.
fn create_exclusive(path: &Path, mode: u32) -> Result<fs::File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    meta::with_mode(&mut options, mode);
    meta::not_through_a_link(&mut options)
        .open(path)
        .map_err(Error::io("create file", path))
}

/// `.<kind>-<name>-<random>` beside `path`: a name no other writer uses or
/// can guess, hidden, and recognisable to whoever sweeps up after a killed
/// run.
pub fn unique_sibling(path: &Path, kind: &str) -> std::path::PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{kind}-{name}-{}", crate::os::random::token()))
}

/// Makes `link` a symlink holding `target`.
pub fn symlink(target: &Path, link: &Path) -> Result<()> {
    meta::symlink(target, link).map_err(Error::io("create symlink", link))
}

/// Copies the executable `src` to `dst` (replacing a file or link there)
/// and makes it 0755. The copy is written to a new file of an unguessable
/// name, created exclusively and not through a link, then renamed over
/// `dst`: a link planted at `dst` or at any temporary name is replaced or
/// refused, never written through.
pub fn copy_executable(src: &Path, dst: &Path) -> Result<()> {
    let tmp = unique_sibling(dst, "tmp");
    let copy_error = |e| Error::Io {
        op: "copy the interpreter to",
        path: dst.to_path_buf(),
        source: e,
    };
    let result = (|| {
        let mut from = fs::File::open(src).map_err(copy_error)?;
        let mut to = create_exclusive(&tmp, 0o700)?;
        std::io::copy(&mut from, &mut to).map_err(copy_error)?;
        meta::set_mode(&to, 0o755).map_err(Error::io("set the mode of", dst))?;
        fs::rename(&tmp, dst).map_err(Error::io("write file", dst))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// What is at `path`, without following a final symlink.
pub enum Entry {
    /// Nothing.
    Missing,
    /// A symlink (dangling or not).
    Symlink,
    /// A directory.
    Dir,
    /// Anything else.
    Other,
}

/// Looks at `path` without following a final symlink.
pub fn entry(path: &Path) -> Result<Entry> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Ok(Entry::Symlink),
        Ok(m) if m.is_dir() => Ok(Entry::Dir),
        Ok(_) => Ok(Entry::Other),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Entry::Missing),
        // A parent that is a file: name it, in CPython's words.
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            Err(Error::NotADirectory(first_non_dir_ancestor(path)))
        }
        Err(e) => Err(Error::io("inspect", path)(e)),
    }
}
