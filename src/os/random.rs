//! Names no one can guess: the kernel's random bytes, as hex.
//!
//! A name another account could predict is a name it can take first (a
//! directory that makes pyvenv fail with `File exists`) or plant a link at
//! (a file pyvenv then writes through): every temporary name pyvenv makes
//! in a directory someone else may write to carries [`token`].

use rustix::rand::{GetRandomFlags, getrandom};

/// 16 hex digits (64 random bits).
pub fn token() -> String {
    let mut bytes = [0u8; 8];
    let mut filled = 0;
    while filled < bytes.len() {
        match getrandom(&mut bytes[filled..], GetRandomFlags::empty()) {
            Ok(n) => filled += n,
            // Interrupted by a signal: the caller checks for it soon enough.
            Err(rustix::io::Errno::INTR) => {}
            // No getrandom (a kernel before 3.17): /dev/urandom.
            Err(_) => return fallback(),
        }
    }
    hex::encode(bytes)
}

fn fallback() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 8];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_ok()
    {
        return hex::encode(bytes);
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mixed = (nanos as u64) ^ (u64::from(std::process::id()) << 40);
    format!("{mixed:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_sixteen_hex_digits_and_differ() {
        let (a, b) = (token(), token());
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
