//! Starting pyvenv as an interactive shell starts a job, whoever runs the
//! tests: a test run in the background of a script (`cargo test &`)
//! inherits SIGINT (and SIGQUIT) ignored, which pyvenv rightly keeps, as a
//! shell means it; a test of what Ctrl-C does must undo that for pyvenv.

use std::os::unix::process::CommandExt;
use std::process::Command;

/// `command` with SIGINT at its default, as an interactive shell starts a
/// job.
pub fn as_a_terminal_job(command: &mut Command) -> &mut Command {
    // SAFETY: between fork and exec only the async-signal-safe `signal`.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        })
    }
}
