//! Files a cache can recognise as damaged: a line holding the sha256 of
//! what follows. Both caches (unpacked wheels and interpreter facts) keep
//! their entries this way; neither owns the format, so it lives here.

use sha2::{Digest, Sha256};

/// `body` behind a line holding its sha256. The sum recognises damage, not
/// a forger: whoever can write the file can recompute it, which is why a
/// cache is trusted by owner and mode ([`crate::os::trust`]).
pub fn with_checksum(body: &[u8]) -> Vec<u8> {
    let mut data = hex::encode(Sha256::digest(body)).into_bytes();
    data.push(b'\n');
    data.extend_from_slice(body);
    data
}

/// The body of `data` as [`with_checksum`] made it, if it is intact.
pub fn checked_body(data: &[u8]) -> Option<&[u8]> {
    let newline = data.iter().position(|&b| b == b'\n')?;
    let (sum, body) = (&data[..newline], &data[newline + 1..]);
    (sum == hex::encode(Sha256::digest(body)).as_bytes()).then_some(body)
}
