//! Running a child process (the target python, the environment's python)
//! so that nothing it starts outlives what pyvenv needs of it.
//!
//! The platform's half (`child/unix.rs`: a process group, the
//! parent-death signal and a watchdog; `windows/child.rs`: Job objects)
//! starts the child with its whole tree of descendants held together, so
//! that one call kills them all, and so that they die with pyvenv even
//! when pyvenv is killed outright. What is the same everywhere is here:
//!
//! - a time limit holds whatever the child's own children do: output is
//!   read on threads (`pipes.rs`) while the caller's thread watches the
//!   clock, and a background process that keeps the pipe open cannot make
//!   pyvenv wait for an end of file that never comes;
//! - when the child ends, is too slow, or pyvenv is interrupted, the whole
//!   tree is killed, so no process is left behind;
//! - an interruption (Ctrl-C reaches pyvenv alone: the child is not in the
//!   terminal's foreground group, or the console's) makes pyvenv stop the
//!   child itself and report the interruption, rather than a child
//!   "killed by signal 2".

use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::os::interrupt;
use crate::os::pipes::{Capture, finished};
pub use crate::os::pipes::{Ending, Finished};

#[cfg_attr(unix, path = "child/unix.rs")]
#[cfg_attr(windows, path = "windows/child.rs")]
mod platform;

/// A child with its descendants held together, its output read on threads.
pub struct Running {
    child: Child,
    reaped: bool,
    tree: platform::Tree,
    stdout: Capture,
    stderr: Capture,
}

/// Starts `command` with stdin from the null device, its descendants held
/// together and bound to pyvenv's life; stdout and stderr are captured
/// when `capture`.
pub fn spawn(command: &mut Command, capture: bool) -> std::io::Result<Running> {
    if capture {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let (mut child, tree) = platform::start(command.stdin(Stdio::null()))?;
    let stdout = Capture::start(child.stdout.take());
    let stderr = Capture::start(child.stderr.take());
    Ok(Running {
        child,
        reaped: false,
        tree,
        stdout,
        stderr,
    })
}

impl Running {
    /// Waits until the child exits, `deadline` passes (`None`: no limit)
    /// or pyvenv is interrupted. The child's whole tree is killed in every
    /// case; an interruption is [`Error::Interrupted`].
    pub fn wait(&mut self, deadline: Option<Instant>) -> std::io::Result<Result<Ending>> {
        let mut pause = Duration::from_micros(500);
        loop {
            if platform::has_exited(&mut self.child)? {
                let status = self.stop()?;
                // The tree is gone, so the pipes end promptly; the grace
                // only matters for a process that escaped it.
                let grace = Instant::now() + Duration::from_millis(500);
                let stdout = self.stdout.finish(grace);
                let stderr = self.stderr.finish(grace);
                return Ok(Ok(Ending::Exited {
                    status,
                    stdout,
                    stderr,
                }));
            }
            if let Some(signal) = interrupt::received() {
                let _ = self.stop();
                return Ok(Err(Error::Interrupted(signal)));
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                let _ = self.stop();
                return Ok(Ok(Ending::TimedOut));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// Kills the child's tree and reaps the child. The tree is killed only
    /// while the child is unreaped: until then its id (on POSIX its
    /// group's) cannot name a stranger.
    fn stop(&mut self) -> std::io::Result<ExitStatus> {
        if !self.reaped {
            self.tree.kill(&mut self.child);
        }
        // std keeps the status once reaped, so asking again is harmless.
        let status = self.child.wait();
        self.reaped |= status.is_ok();
        self.tree.release();
        status
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// Runs `command` with its output captured; kills it if pyvenv is
/// interrupted. `what` names the program in an error.
pub fn run_captured(command: &mut Command, what: &std::path::Path) -> Result<Finished> {
    let mut running = spawn(command, true).map_err(Error::io("run", what))?;
    finished(running.wait(None), what)
}
