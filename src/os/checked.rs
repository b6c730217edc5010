//! Files a cache can trust or recognise as damaged: written beside their
//! final name and renamed into place, behind a line holding the sha256 of
//! what follows. Both caches (unpacked wheels and interpreter facts) keep
//! their entries this way; neither owns the format, so it lives here.

use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::os::disk;

/// Writes `body` behind a line holding its sha256, so a damaged file is
/// recognised rather than trusted.
pub fn write_checked(path: &Path, body: &[u8]) -> Result<()> {
    let mut data = hex::encode(Sha256::digest(body)).into_bytes();
    data.push(b'\n');
    data.extend_from_slice(body);
    write_atomically(path, &data)
}

/// The body of a file [`write_checked`] wrote, if it is intact.
pub fn read_checked(path: &Path) -> Option<Vec<u8>> {
    let data = fs::read(path).ok()?;
    let newline = data.iter().position(|&b| b == b'\n')?;
    let (sum, body) = (&data[..newline], &data[newline + 1..]);
    (sum == hex::encode(Sha256::digest(body)).as_bytes()).then(|| body.to_vec())
}

/// Writes `data` to a temporary file beside `path` and renames it there.
pub fn write_atomically(path: &Path, data: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(Error::io("create directory", parent))?;
    }
    disk::write_file(path, data, None)
}
