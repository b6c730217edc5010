//! Running a child process (the target python, the environment's python)
//! so that nothing it starts outlives what pyvenv needs of it.
//!
//! Every child gets its own process group and is told to die with pyvenv
//! (`PR_SET_PDEATHSIG` on Linux; see `child/macos.rs` for macOS), so:
//!
//! - a time limit holds whatever the child's own children do: output is
//!   read on threads while the main thread watches the clock, and a
//!   background process that keeps the pipe open cannot make pyvenv wait
//!   for an end of file that never comes;
//! - when the child ends, is too slow, or pyvenv is interrupted, the whole
//!   group is killed, so no process is left behind;
//! - Ctrl-C in a terminal reaches pyvenv alone (the child is not in the
//!   terminal's foreground group), and pyvenv stops the child itself and
//!   reports the interruption, rather than a child "killed by signal 2";
//! - a SIGKILL of pyvenv (which no handler sees) still takes the child
//!   and everything it started with it, so nothing goes on writing into a
//!   staging directory: the child itself through `PR_SET_PDEATHSIG`, its
//!   own children (3.12's `ensurepip` runs pip in a subprocess) through a
//!   [`Watchdog`] that kills the group when pyvenv is gone.
//!
//! This is written over `std::process` and `libc` (already dependencies)
//! rather than with the `process-wrap` crate: that crate gives process
//! groups and kill-on-drop, but neither reads the pipes under a deadline
//! (the cause of the hang) nor does anything once pyvenv itself is killed
//! (kill-on-drop needs pyvenv alive), which is what the watchdog is for.

use std::os::fd::{IntoRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::os::interrupt;
use crate::os::pipes::{Capture, finished};
pub use crate::os::pipes::{Ending, Finished};

#[cfg_attr(target_os = "linux", path = "child/linux.rs")]
#[cfg_attr(target_os = "macos", path = "child/macos.rs")]
mod platform;

/// A child in its own process group, its output read on threads.
pub struct Running {
    child: Child,
    reaped: bool,
    watchdog: Option<Watchdog>,
    stdout: Capture,
    stderr: Capture,
}

/// Starts `command` with stdin from /dev/null, in a process group of its
/// own, to die with pyvenv; stdout and stderr are captured when `capture`.
pub fn spawn(command: &mut Command, capture: bool) -> std::io::Result<Running> {
    if capture {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    platform::die_with_pyvenv(command);
    let mut child = command.stdin(Stdio::null()).process_group(0).spawn()?;
    let stdout = Capture::start(child.stdout.take());
    let stderr = Capture::start(child.stderr.take());
    let watchdog = i32::try_from(child.id()).ok().and_then(Watchdog::start);
    Ok(Running {
        child,
        reaped: false,
        watchdog,
        stdout,
        stderr,
    })
}

impl Running {
    /// Waits until the child exits, `deadline` passes (`None`: no limit)
    /// or pyvenv is interrupted. The child's whole group is killed in every
    /// case; an interruption is [`Error::Interrupted`].
    pub fn wait(&mut self, deadline: Option<Instant>) -> std::io::Result<Result<Ending>> {
        let mut pause = Duration::from_micros(500);
        loop {
            if self.has_exited()? {
                self.kill_group();
                let status = self.child.wait()?;
                self.reaped = true;
                if let Some(watchdog) = self.watchdog.take() {
                    watchdog.dismiss();
                }
                // The group is gone, so the pipes end promptly; the grace
                // only matters for a process that left the group.
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
                self.stop();
                return Ok(Err(Error::Interrupted(signal)));
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                self.stop();
                return Ok(Ok(Ending::TimedOut));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// Whether the child has exited, without reaping it: while it is a
    /// zombie its pid (its group's id) cannot be reused, so killing the
    /// group afterwards cannot hit a stranger.
    fn has_exited(&self) -> std::io::Result<bool> {
        // SAFETY: siginfo_t is plain data; waitid fills it.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: a valid pid and a valid pointer to `info`.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                self.child.id(),
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            )
        };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: waitid succeeded, so si_pid is set (0: still running).
        Ok(unsafe { info.si_pid() } != 0)
    }

    fn kill_group(&self) {
        if let Ok(pgid) = i32::try_from(self.child.id()) {
            // SAFETY: signals the group this child leads (ESRCH if empty).
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }

    /// Kills the group and reaps the child.
    fn stop(&mut self) {
        if !self.reaped {
            self.kill_group();
            let _ = self.child.wait();
            self.reaped = true;
        }
        if let Some(watchdog) = self.watchdog.take() {
            watchdog.dismiss();
        }
    }
}

/// A process forked from pyvenv that waits on a pipe only pyvenv can
/// write to: a byte means the child is done with and it leaves quietly;
/// end of file means pyvenv died (even by SIGKILL), and it kills the
/// child's process group, grandchildren included, before it leaves.
///
/// Between fork and exit it only calls `setpgid`, `signal`, `close`,
/// `read`, `kill` and `_exit`, which are async-signal-safe, as a fork of a threaded program
/// requires.
struct Watchdog {
    pid: libc::pid_t,
    lifeline: libc::c_int,
}

impl Watchdog {
    /// `None` when no process can be forked: the child then still dies
    /// with pyvenv, its own children may not.
    fn start(group: i32) -> Option<Watchdog> {
        // Both ends close on exec, so no other child holds the lifeline.
        let (read_end, write_end) = std::io::pipe().ok()?;
        let (read_end, write_end) = (
            OwnedFd::from(read_end).into_raw_fd(),
            OwnedFd::from(write_end).into_raw_fd(),
        );
        // SAFETY: the forked side runs only async-signal-safe calls and
        // leaves with _exit, never returning into Rust code.
        match unsafe { libc::fork() } {
            -1 => {
                // SAFETY: both descriptors are ours and still open.
                unsafe {
                    libc::close(read_end);
                    libc::close(write_end);
                }
                None
            }
            0 => unsafe {
                // A signal that kills pyvenv (to its process group, or a
                // hang-up) must not kill the watchdog before it has done
                // its one job: it leaves the group, and ignores the rest.
                libc::setpgid(0, 0);
                for signal in [libc::SIGHUP, libc::SIGINT, libc::SIGTERM, libc::SIGQUIT] {
                    libc::signal(signal, libc::SIG_IGN);
                }
                libc::close(write_end);
                let mut byte = 0u8;
                let got = loop {
                    let n = libc::read(read_end, (&raw mut byte).cast(), 1);
                    // A signal meant for pyvenv's group interrupts the read.
                    if n >= 0 || !interrupted() {
                        break n;
                    }
                };
                if got == 0 {
                    libc::kill(-group, libc::SIGKILL);
                }
                libc::_exit(0)
            },
            pid => {
                // SAFETY: the read end belongs to the watchdog now.
                unsafe { libc::close(read_end) };
                Some(Watchdog {
                    pid,
                    lifeline: write_end,
                })
            }
        }
    }

    /// Tells the watchdog the child is done with, and reaps it.
    fn dismiss(self) {
        // SAFETY: the lifeline is open and ours; `pid` is our child.
        unsafe {
            libc::write(self.lifeline, [1u8].as_ptr().cast(), 1);
            libc::close(self.lifeline);
            while libc::waitpid(self.pid, std::ptr::null_mut(), 0) == -1 && interrupted() {}
        }
    }
}

/// Whether the last failed call was interrupted by a signal (`EINTR`).
/// Reads `errno` and allocates nothing, so a forked child may ask it.
fn interrupted() -> bool {
    std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR)
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs `command` with its output captured; kills it if pyvenv is
/// interrupted. `what` names the program in an error.
pub fn run_captured(command: &mut Command, what: &std::path::Path) -> Result<Finished> {
    let mut running = spawn(command, true).map_err(Error::io("run", what))?;
    finished(running.wait(None), what)
}
