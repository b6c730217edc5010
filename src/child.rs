//! Running a child process (the environment's python) so that SIGINT or
//! SIGTERM sent to pyvenv stops it too, promptly, instead of leaving pyvenv
//! waiting on a pip that was never told.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::interrupt;

/// What a finished child printed.
pub struct Finished {
    /// How it ended.
    pub status: ExitStatus,
    /// stdout then stderr, as text.
    pub output: String,
}

/// Runs `command` with its output captured; kills it if pyvenv is
/// interrupted. `what` names the program in an error.
pub fn run_captured(command: &mut Command, what: &std::path::Path) -> Result<Finished> {
    run(command.stdout(Stdio::piped()).stderr(Stdio::piped()), what)
}

/// Runs `command` with its output going where pyvenv's goes.
pub fn run_inherited(command: &mut Command, what: &std::path::Path) -> Result<ExitStatus> {
    run(command, what).map(|f| f.status)
}

fn run(command: &mut Command, what: &std::path::Path) -> Result<Finished> {
    let mut child = command
        .stdin(Stdio::null())
        .spawn()
        .map_err(Error::io("run", what))?;
    // Drain the pipes on threads so a chatty child never blocks on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let status = loop {
        if let Some(status) = child.try_wait().map_err(Error::io("wait for", what))? {
            break status;
        }
        if let Some(signal) = interrupt::received() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::Interrupted(signal));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut output = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    output.push_str(&String::from_utf8_lossy(&err.join().unwrap_or_default()));
    Ok(Finished { status, output })
}
