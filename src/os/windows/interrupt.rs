//! Ctrl-C, Ctrl-Break and a closed console window become an orderly stop,
//! as SIGINT and SIGHUP do on POSIX.
//!
//! The console control handler only records the event, as the number of
//! the signal it stands for (Ctrl-C and Ctrl-Break: SIGINT, 2; the window
//! closed, a logoff or a shutdown: SIGHUP, 1), so the rest of pyvenv, and
//! its exit status (130, 129), is the same as on POSIX. The builder asks
//! [`check`] between steps, so an interrupted run unwinds through the same
//! code as any other failure. For a closed console Windows ends the
//! process soon after the handler returns; the handler waits a little, so
//! that the staging directory is usually removed first.

use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use windows_sys::Win32::Foundation::{FALSE, TRUE};
use windows_sys::Win32::System::Console::{
    CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT,
    SetConsoleCtrlHandler,
};
use windows_sys::core::BOOL;

use crate::error::{Error, Result};

static RECEIVED: AtomicI32 = AtomicI32::new(0);

const SIGHUP: i32 = 1;
const SIGINT: i32 = 2;

unsafe extern "system" fn record(event: u32) -> BOOL {
    match event {
        CTRL_C_EVENT | CTRL_BREAK_EVENT => {
            RECEIVED.store(SIGINT, Ordering::SeqCst);
            TRUE
        }
        CTRL_CLOSE_EVENT | CTRL_LOGOFF_EVENT | CTRL_SHUTDOWN_EVENT => {
            RECEIVED.store(SIGHUP, Ordering::SeqCst);
            // Returning ends the process; the main thread cleans up
            // meanwhile (Windows allows a few seconds in all).
            std::thread::sleep(Duration::from_secs(2));
            TRUE
        }
        _ => FALSE,
    }
}

/// Routes the console's control events to [`check`] instead of ending the
/// process. Without a console there are none, and nothing changes.
pub fn install() {
    // SAFETY: `record` has the signature the call expects and touches
    // only an atomic (and sleeps), from the thread Windows starts for it.
    unsafe {
        SetConsoleCtrlHandler(Some(record), TRUE);
    }
}

/// The signal (as its POSIX number) received so far, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Fails with [`Error::Interrupted`] once Ctrl-C, Ctrl-Break or a close
/// has arrived.
pub fn check() -> Result<()> {
    match received() {
        None => Ok(()),
        Some(signal) => Err(Error::Interrupted(signal)),
    }
}
