//! Names no one can guess: the system's random bytes, as hex.
//!
//! A name another account could predict is a name it can take first (a
//! directory that makes pyvenv fail with `File exists`) or plant a link at
//! (a file pyvenv then writes through): every temporary name pyvenv makes
//! in a directory someone else may write to carries [`token`].
//!
//! The bytes come from the `getrandom` crate, which asks each platform's
//! own source (`getrandom(2)` with its `/dev/urandom` fallback on Linux,
//! `getentropy` on macOS, `ProcessPrng` on Windows), so this file needs no
//! implementation per platform.

/// 16 hex digits (64 random bits).
pub fn token() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return fallback();
    }
    hex::encode(bytes)
}

/// Only when the system has no random source at all: unique, though not
/// secret. The names are still created exclusively, so a name taken first
/// makes the creation fail, never write elsewhere.
fn fallback() -> String {
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
