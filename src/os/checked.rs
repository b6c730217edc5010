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
    write_atomically(path, &with_checksum(body))
}

/// `body` behind a line holding its sha256. The sum recognises damage, not
/// a forger: whoever can write the file can recompute it, which is why a
/// cache is trusted by owner and mode ([`crate::os::trust`]).
pub fn with_checksum(body: &[u8]) -> Vec<u8> {
    let mut data = hex::encode(Sha256::digest(body)).into_bytes();
    data.push(b'\n');
    data.extend_from_slice(body);
    data
}

/// The body of a file [`write_checked`] wrote, if it is intact.
pub fn read_checked(path: &Path) -> Option<Vec<u8>> {
    checked_body(&fs::read(path).ok()?).map(<[u8]>::to_vec)
}

/// The body of `data` as [`with_checksum`] made it, if it is intact.
pub fn checked_body(data: &[u8]) -> Option<&[u8]> {
    let newline = data.iter().position(|&b| b == b'\n')?;
    let (sum, body) = (&data[..newline], &data[newline + 1..]);
    (sum == hex::encode(Sha256::digest(body)).as_bytes()).then_some(body)
}

/// Writes `data` to a temporary file beside `path` and renames it there.
pub fn write_atomically(path: &Path, data: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(Error::io("create directory", parent))?;
    }
    disk::write_file(path, data, None)
}
