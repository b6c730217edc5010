//! SIGINT and SIGTERM become an orderly stop.
//!
//! The handler only records the signal; the builder asks [`check`] between
//! steps (and while it waits for a child process), so an interrupted run
//! unwinds through the same code as any other failure: the half-built
//! staging directory is removed and the target is left as it was. The
//! signal is process-wide state by nature, which is why this one module
//! holds a static.

use std::sync::atomic::{AtomicI32, Ordering};

use crate::error::{Error, Result};

static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn record(signal: libc::c_int) {
    // Only an atomic store: nothing else is async-signal-safe here.
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// Routes SIGINT and SIGTERM to [`check`] instead of killing the process,
/// and takes back SIGCHLD's default: a parent that ignored it (which
/// survives exec) would have the kernel reap pyvenv's children before
/// pyvenv could learn how they ended.
pub fn install() {
    // SAFETY: restoring a signal's default disposition has no handler.
    unsafe {
        libc::signal(libc::SIGCHLD, libc::SIG_DFL);
    }
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: `record` is an `extern "C"` function that only performs
        // an atomic store, which is async-signal-safe.
        let before = unsafe { libc::signal(signal, record as *const () as libc::sighandler_t) };
        // A signal the parent ignored stays ignored, as a shell means it
        // for a job in the background (`pyvenv env &`) and CPython
        // honours it for SIGINT: Ctrl-C meant for the shell is not ours.
        if before == libc::SIG_IGN {
            // SAFETY: putting back the disposition the process started with.
            unsafe { libc::signal(signal, libc::SIG_IGN) };
        }
    }
}

/// The signal received so far, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Fails with [`Error::Interrupted`] once SIGINT or SIGTERM has arrived.
pub fn check() -> Result<()> {
    match received() {
        None => Ok(()),
        Some(signal) => Err(Error::Interrupted(signal)),
    }
}
