//! Windows: a child's tree is held by Job objects made to kill everything
//! in them when their last handle closes
//! (`JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE`), and the child gets a console
//! process group of its own (`CREATE_NEW_PROCESS_GROUP`), so Ctrl-C in
//! the console reaches pyvenv alone.
//!
//! Two jobs, because std cannot start a child suspended (to put it in a
//! job before it runs):
//!
//! - before its first child, pyvenv puts itself in a job of its own, once,
//!   and holds the only handle until it ends; every process it starts is
//!   born inside it, with all its descendants. However pyvenv ends, killed
//!   outright included, Windows closes that handle and so ends everything
//!   pyvenv started: the POSIX side's watchdog process is not needed here,
//!   and no grandchild started in a child's first instant escapes it;
//! - each child is then put in a job of its own (nested in pyvenv's; jobs
//!   nest from Windows 8), which is what is terminated when the child
//!   ends, is too slow, or pyvenv is interrupted. A grandchild started
//!   before that assignment is outside this job, but not outside pyvenv's.
//!
//! Where a job cannot be made or joined (a job inside a job was refused
//! before Windows 8), the child alone is killed.

use std::os::windows::io::AsRawHandle;
use std::os::windows::process::CommandExt;
use std::process::{Child, Command};
use std::sync::Once;

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    SetInformationJobObject, TerminateJobObject,
};
use windows_sys::Win32::System::Threading::{CREATE_NEW_PROCESS_GROUP, GetCurrentProcess};

/// A Job object that kills what is in it when it is closed.
struct Job(HANDLE);

impl Job {
    /// A new, empty job; `None` if none can be made.
    fn kill_on_close() -> Option<Job> {
        // SAFETY: no attributes and no name are valid arguments; the
        // handle is not inheritable, so no child holds the job open.
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
        (limited != 0).then_some(job)
    }

    /// Puts the process `process` in this job.
    fn assign(&self, process: HANDLE) -> bool {
        // SAFETY: both handles are open.
        unsafe { AssignProcessToJobObject(self.0, process) != 0 }
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

/// Puts pyvenv in a kill-on-close job of its own, once, so that every
/// process it starts from now on, and their descendants, is born inside
/// and ends when pyvenv does, however it ends.
fn hold_everything_started() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Some(job) = Job::kill_on_close()
            // SAFETY: the pseudo-handle of this process is always valid.
            && job.assign(unsafe { GetCurrentProcess() })
        {
            // The handle stays open for pyvenv's life; Windows closes it
            // as pyvenv ends, and that ends what is left in the job.
            std::mem::forget(job);
        }
    });
}

/// What holds a child's tree: the child's own job, if one was made.
pub struct Tree(Option<Job>);

/// Starts `command` inside pyvenv's job and in a console process group of
/// its own, then puts the child in a job of its own.
pub fn start(command: &mut Command) -> std::io::Result<(Child, Tree)> {
    hold_everything_started();
    let child = command.creation_flags(CREATE_NEW_PROCESS_GROUP).spawn()?;
    let job = Job::kill_on_close().filter(|job| job.assign(child.as_raw_handle()));
    Ok((child, Tree(job)))
}

/// Whether the child has exited.
pub fn has_exited(child: &mut Child) -> std::io::Result<bool> {
    Ok(child.try_wait()?.is_some())
}

impl Tree {
    /// Kills the child's job (or, without one, the child alone).
    pub fn kill(&mut self, child: &mut Child) {
        match self.0.take() {
            Some(job) => job.kill(),
            None => {
                let _ = child.kill();
            }
        }
    }

    /// Nothing to let go of: the job went with [`Tree::kill`].
    pub fn release(&mut self) {}
}

#[cfg(test)]
#[path = "child_tests.rs"]
mod tests;
