//! Ctrl-C, `kill`, and a closed terminal or console become an orderly
//! stop.
//!
//! The platform's handler (`interrupt/unix.rs`: signals;
//! `windows/interrupt.rs`: the console's control events) only records
//! what arrived, as the number of the POSIX signal it stands for, so the
//! rest of pyvenv, and its exit status (128 + the number), is the same
//! everywhere. The builder asks [`check`] between steps (and while it
//! waits for a child process or a lock), so an interrupted run unwinds
//! through the same code as any other failure: the half-built staging
//! directory is removed and the target is left as it was. What arrived is
//! process-wide state by nature, which is why this one module holds a
//! static.

use std::sync::atomic::{AtomicI32, Ordering};

use crate::error::{Error, Result};

#[cfg_attr(unix, path = "interrupt/unix.rs")]
#[cfg_attr(windows, path = "windows/interrupt.rs")]
mod platform;

pub use platform::install;

static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// Notes that `signal` (a POSIX signal's number) arrived. Only an atomic
/// store, so a signal handler may call it.
fn record(signal: i32) {
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// The signal received so far, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Fails with [`Error::Interrupted`] once a stopping signal (or console
/// event) has arrived.
pub fn check() -> Result<()> {
    match received() {
        None => Ok(()),
        Some(signal) => Err(Error::Interrupted(signal)),
    }
}
