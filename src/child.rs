//! Running a child process (the target python, the environment's python)
//! so that nothing it starts outlives what pyvenv needs of it.
//!
//! Every child gets its own process group and is told to die with pyvenv
//! (`PR_SET_PDEATHSIG`), so:
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
//!   with it, so it cannot go on writing into a staging directory.
//!
//! This is a few dozen lines over `std::process` and `libc` (already
//! dependencies); the `process-wrap` crate offers the same pieces, but
//! not reading the pipes under a deadline, which is the part that matters.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::interrupt;

/// What a finished child printed.
pub struct Finished {
    /// How it ended.
    pub status: ExitStatus,
    /// stdout then stderr, as text.
    pub output: String,
}

/// How waiting for a child ended.
pub enum Ending {
    /// It exited (its group has been killed and its pipes read).
    Exited {
        /// Its exit status.
        status: ExitStatus,
        /// What it wrote to stdout.
        stdout: Vec<u8>,
        /// What it wrote to stderr.
        stderr: Vec<u8>,
    },
    /// The deadline passed first; the group has been killed.
    TimedOut,
}

/// A child in its own process group, its output read on threads.
pub struct Running {
    child: Child,
    reaped: bool,
    stdout: Capture,
    stderr: Capture,
}

/// Output read by a thread into a buffer the waiter can take at any time,
/// even while the thread is still blocked on a pipe someone else holds.
struct Capture {
    buffer: Arc<Mutex<Vec<u8>>>,
    thread: Option<JoinHandle<()>>,
}

impl Capture {
    fn start(pipe: Option<impl Read + Send + 'static>) -> Capture {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let thread = pipe.map(|mut pipe| {
            let buffer = Arc::clone(&buffer);
            std::thread::spawn(move || {
                let mut chunk = [0u8; 8192];
                while let Ok(n) = pipe.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut b) = buffer.lock() {
                        b.extend_from_slice(&chunk[..n]);
                    }
                }
            })
        });
        Capture { buffer, thread }
    }

    /// What was read, after waiting (until `deadline`) for the end of file.
    fn finish(&mut self, deadline: Instant) -> Vec<u8> {
        if let Some(thread) = self.thread.take() {
            while !thread.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
            // A thread still blocked (the pipe held by a process that left
            // the group) is abandoned; what it read so far is used.
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
        self.buffer
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    }
}

/// Starts `command` with stdin from /dev/null, in a process group of its
/// own, to die with pyvenv; stdout and stderr are captured when `capture`.
pub fn spawn(command: &mut Command, capture: bool) -> std::io::Result<Running> {
    if capture {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let parent = std::process::id();
    // SAFETY: the closure runs between fork and exec and only makes the
    // async-signal-safe system calls prctl, getppid and kill.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // pyvenv died before the prctl: the signal would never come.
            if libc::getppid() as u32 != parent {
                libc::kill(0, libc::SIGKILL);
            }
            Ok(())
        });
    }
    let mut child = command.stdin(Stdio::null()).process_group(0).spawn()?;
    let stdout = Capture::start(child.stdout.take());
    let stderr = Capture::start(child.stderr.take());
    Ok(Running {
        child,
        reaped: false,
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
    }
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
    match running.wait(None).map_err(Error::io("wait for", what))?? {
        Ending::Exited {
            status,
            stdout,
            stderr,
        } => {
            let mut output = String::from_utf8_lossy(&stdout).into_owned();
            output.push_str(&String::from_utf8_lossy(&stderr));
            Ok(Finished { status, output })
        }
        // Not reached without a deadline; said plainly all the same.
        Ending::TimedOut => Err(Error::io("wait for", what)(
            std::io::ErrorKind::TimedOut.into(),
        )),
    }
}
