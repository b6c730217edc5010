//! Running a child process (the target python, the environment's python)
//! on Windows, so that nothing it starts outlives what pyvenv needs of it.
//!
//! Every child is put in a Job object made to kill everything in it when
//! its last handle closes (`JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE`), and in a
//! console process group of its own (`CREATE_NEW_PROCESS_GROUP`), so:
//!
//! - a time limit holds whatever the child's own children do: output is
//!   read on threads (`pipes.rs`) while this thread watches the clock;
//! - when the child ends, is too slow, or pyvenv is interrupted, the whole
//!   job is terminated, so no process is left behind;
//! - Ctrl-C in the console reaches pyvenv alone, and pyvenv stops the
//!   child itself and reports the interruption;
//! - if pyvenv itself is killed, Windows closes its handles, the job's
//!   among them, and so ends the child and everything it started: the
//!   POSIX side's watchdog process is not needed here.
//!
//! The child is put in the job just after it starts (std cannot start it
//! suspended), so a grandchild it started in that first instant would
//! escape; a Python interpreter starts nothing that early. Where no job
//! can be made (a job inside a job was refused before Windows 8), the
//! child alone is killed.

use std::os::windows::io::AsRawHandle;
use std::os::windows::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    SetInformationJobObject, TerminateJobObject,
};
use windows_sys::Win32::System::Threading::CREATE_NEW_PROCESS_GROUP;

use crate::error::{Error, Result};
use crate::os::interrupt;
use crate::os::pipes::{Capture, finished};
pub use crate::os::pipes::{Ending, Finished};

/// A Job object that kills what is in it when it is closed.
struct Job(HANDLE);

impl Job {
    /// A job holding `child`; `None` if none can be made.
    fn holding(child: &Child) -> Option<Job> {
        // SAFETY: no attributes and no name are valid arguments.
        let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
        if handle.is_null() {
            return None;
        }
        let job = Job(handle);
        // SAFETY: plain data; zeroed is "no limits", one set below.
        let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        let size = u32::try_from(std::mem::size_of_val(&limits)).ok()?;
        // SAFETY: the job is open; `limits` is the structure the class names.
        let limited = unsafe {
            SetInformationJobObject(
                job.0,
                JobObjectExtendedLimitInformation,
                (&raw const limits).cast(),
                size,
            )
        };
        // SAFETY: both handles are open.
        let assigned =
            limited != 0 && unsafe { AssignProcessToJobObject(job.0, child.as_raw_handle()) } != 0;
        assigned.then_some(job)
    }

    fn kill(&self) {
        // SAFETY: the job is open until `self` is dropped.
        unsafe {
            TerminateJobObject(self.0, 1);
        }
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        // SAFETY: the handle is ours and closed once; closing it kills
        // whatever is still in the job.
        unsafe {
            CloseHandle(self.0);
        }
    }
}

/// A child in its own job, its output read on threads.
pub struct Running {
    child: Child,
    done: bool,
    job: Option<Job>,
    stdout: Capture,
    stderr: Capture,
}

/// Starts `command` with stdin from NUL, in a job and a console process
/// group of its own; stdout and stderr are captured when `capture`.
pub fn spawn(command: &mut Command, capture: bool) -> std::io::Result<Running> {
    if capture {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let mut child = command
        .stdin(Stdio::null())
        .creation_flags(CREATE_NEW_PROCESS_GROUP)
        .spawn()?;
    let job = Job::holding(&child);
    let stdout = Capture::start(child.stdout.take());
    let stderr = Capture::start(child.stderr.take());
    Ok(Running {
        child,
        done: false,
        job,
        stdout,
        stderr,
    })
}

impl Running {
    /// Waits until the child exits, `deadline` passes (`None`: no limit)
    /// or pyvenv is interrupted. The child's whole job is killed in every
    /// case; an interruption is [`Error::Interrupted`].
    pub fn wait(&mut self, deadline: Option<Instant>) -> std::io::Result<Result<Ending>> {
        let mut pause = Duration::from_micros(500);
        loop {
            if let Some(status) = self.child.try_wait()? {
                self.stop();
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

    /// Kills the job (or, without one, the child) and waits for the child.
    fn stop(&mut self) {
        if self.done {
            return;
        }
        match self.job.take() {
            Some(job) => job.kill(),
            None => {
                let _ = self.child.kill();
            }
        }
        let _ = self.child.wait();
        self.done = true;
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
    finished(running.wait(None), what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_runs_in_a_job_and_its_output_is_read() {
        let mut command = Command::new("cmd");
        command.args(["/c", "echo", "from the child"]);
        let mut running = spawn(&mut command, true).unwrap();
        assert!(running.job.is_some(), "the child is in a job");
        let ending = running.wait(None).unwrap();
        let Ok(Ending::Exited { status, stdout, .. }) = ending else {
            panic!("the child did not exit");
        };
        assert!(status.success());
        assert!(String::from_utf8_lossy(&stdout).contains("from the child"));
    }
}
