//! POSIX: every child gets its own process group and is told to die with
//! pyvenv (`PR_SET_PDEATHSIG` on Linux; see `child/macos.rs` for macOS),
//! so:
//!
//! - killing the group kills the child and whatever it started;
//! - Ctrl-C in a terminal reaches pyvenv alone (the child is not in the
//!   terminal's foreground group);
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
use std::process::{Child, Command};

#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(target_os = "macos", path = "macos.rs")]
mod linux_or_macos;

/// What holds a child's tree: its process group (led by the child, so
/// named by its pid) and the watchdog that kills the group if pyvenv dies.
pub struct Tree {
    watchdog: Option<Watchdog>,
}

/// Starts `command` in a process group of its own, to die with pyvenv.
pub fn start(command: &mut Command) -> std::io::Result<(Child, Tree)> {
    linux_or_macos::die_with_pyvenv(command);
    let child = command.process_group(0).spawn()?;
    let watchdog = i32::try_from(child.id()).ok().and_then(Watchdog::start);
    Ok((child, Tree { watchdog }))
}

/// Whether the child has exited, without reaping it: while it is a
/// zombie its pid (its group's id) cannot be reused, so killing the
/// group afterwards cannot hit a stranger.
pub fn has_exited(child: &mut Child) -> std::io::Result<bool> {
    // SAFETY: siginfo_t is plain data; waitid fills it.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pid and a valid pointer to `info`.
    let rc = unsafe {
        libc::waitid(
            libc::P_PID,
            child.id(),
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

impl Tree {
    /// Kills the group `child` leads (the caller has not reaped it).
    pub fn kill(&mut self, child: &mut Child) {
        if let Ok(pgid) = i32::try_from(child.id()) {
            // SAFETY: signals the group this child leads (ESRCH if empty).
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }

    /// Sends the watchdog away: the child is done with.
    pub fn release(&mut self) {
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
