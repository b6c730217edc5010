//! Ctrl-C, Ctrl-Break and a closed console window become an orderly stop,
//! as SIGINT and SIGHUP do on POSIX.
//!
//! The console control handler records the event as the signal it stands
//! for (Ctrl-C and Ctrl-Break: SIGINT, 2; the window closed, a logoff or a
//! shutdown: SIGHUP, 1). For a closed console Windows ends the process
//! soon after the handler returns; the handler waits a little, so that the
//! staging directory is usually removed first.

use std::time::Duration;

use windows_sys::Win32::Foundation::{FALSE, TRUE};
use windows_sys::Win32::System::Console::{
    CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT,
    SetConsoleCtrlHandler,
};
use windows_sys::core::BOOL;

const SIGHUP: i32 = 1;
const SIGINT: i32 = 2;

unsafe extern "system" fn handle(event: u32) -> BOOL {
    match event {
        CTRL_C_EVENT | CTRL_BREAK_EVENT => {
            super::record(SIGINT);
            TRUE
        }
        CTRL_CLOSE_EVENT | CTRL_LOGOFF_EVENT | CTRL_SHUTDOWN_EVENT => {
            super::record(SIGHUP);
            // Returning ends the process; the main thread cleans up
            // meanwhile (Windows allows a few seconds in all).
            std::thread::sleep(Duration::from_secs(2));
            TRUE
        }
        _ => FALSE,
    }
}

/// Routes the console's control events to [`super::check`] instead of
/// ending the process. Without a console there are none, and nothing
/// changes.
pub fn install() {
    // SAFETY: `handle` has the signature the call expects and touches
    // only an atomic (and sleeps), from the thread Windows starts for it.
    unsafe {
        SetConsoleCtrlHandler(Some(handle), TRUE);
    }
}
