//! A child's output, read on threads so that waiting for it can keep a
//! deadline, and what a finished child printed. The same on every
//! platform; `child.rs` starts, waits for and stops children.

use std::io::Read;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The most of a child's stdout (and of its stderr) that is kept; the
/// probe's answer is a few KiB, pip's chatter rarely 100 KiB.
const MAX_CAPTURE: usize = 16 * 1024 * 1024;

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

/// Output read by a thread into a buffer the waiter can take at any time,
/// even while the thread is still blocked on a pipe someone else holds.
pub(crate) struct Capture {
    buffer: Arc<Mutex<Vec<u8>>>,
    thread: Option<JoinHandle<()>>,
}

impl Capture {
    pub(crate) fn start(pipe: Option<impl Read + Send + 'static>) -> Capture {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let thread = pipe.map(|mut pipe| {
            let buffer = Arc::clone(&buffer);
            std::thread::spawn(move || {
                let mut chunk = [0u8; 8192];
                loop {
                    let n = match pipe.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => n,
                        // A signal for pyvenv may land on this thread
                        // (the handlers do not restart calls); the waiter
                        // acts on it, the pipe is read on.
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(_) => break,
                    };
                    // Beyond the cap the pipe is still drained (so the
                    // child never blocks) but nothing more is kept: a
                    // program that floods its output cannot exhaust memory
                    // before the time limit stops it.
                    if let Ok(mut b) = buffer.lock()
                        && b.len() < MAX_CAPTURE
                    {
                        b.extend_from_slice(&chunk[..n]);
                    }
                }
            })
        });
        Capture { buffer, thread }
    }

    /// What was read, after waiting (until `deadline`) for the end of file.
    pub(crate) fn finish(&mut self, deadline: Instant) -> Vec<u8> {
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

/// What `ending` (of waiting for the program `what`) comes to: its
/// status and its output, stdout then stderr, as text.
pub(crate) fn finished(
    ending: std::io::Result<Result<Ending>>,
    what: &std::path::Path,
) -> Result<Finished> {
    match ending.map_err(Error::io("wait for", what))?? {
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
