//! Under Wine (and Windows): a child is held in a job, and whatever
//! pyvenv started dies with pyvenv, even a grandchild no child's job holds.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{CloseHandle, WAIT_OBJECT_0};
use windows_sys::Win32::System::Threading::{
    OpenProcess, PROCESS_SYNCHRONIZE, PROCESS_TERMINATE, TerminateProcess, WaitForSingleObject,
};

use super::hold_everything_started;
use crate::os::child::{Ending, spawn};

#[test]
fn a_child_runs_in_a_job_and_its_output_is_read() {
    let mut command = Command::new("cmd");
    command.args(["/c", "echo", "from the child"]);
    let mut running = spawn(&mut command, true).unwrap();
    assert!(running.tree.0.is_some(), "the child is in a job");
    let ending = running.wait(None).unwrap();
    let Ok(Ending::Exited { status, stdout, .. }) = ending else {
        panic!("the child did not exit");
    };
    assert!(status.success());
    assert!(String::from_utf8_lossy(&stdout).contains("from the child"));
}

/// Which part this test binary plays when it is started by
/// [`a_grandchild_outside_any_childs_job_dies_with_pyvenv`].
const ROLE: &str = "PYVENV_JOB_TEST_ROLE";
const SCRATCH: &str = "PYVENV_JOB_TEST_SCRATCH";
const HELPER: &str = "os::child::platform::tests::plays_its_part_when_started_by_the_job_test";

/// This test binary again, in `role`, writing into `scratch`.
fn again(role: &str, scratch: &Path) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([HELPER, "--exact", "--quiet", "--test-threads=1"])
        .env(ROLE, role)
        .env(SCRATCH, scratch)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Not a test of its own: the parts of the one below. Started as "pyvenv"
/// it joins its job the way pyvenv does before its first child, then
/// starts a "child" with plain std (no job of the child's own, as in the
/// instant before a child is assigned one), which starts a "grandchild"
/// and writes its pid down. Run by the harness itself, it does nothing.
#[test]
fn plays_its_part_when_started_by_the_job_test() {
    let (Ok(role), Some(scratch)) = (std::env::var(ROLE), std::env::var_os(SCRATCH)) else {
        return;
    };
    let scratch = Path::new(&scratch);
    match role.as_str() {
        "pyvenv" => {
            hold_everything_started();
            let _ = again("child", scratch).spawn().unwrap().wait();
        }
        "child" => {
            let mut grandchild = again("grandchild", scratch).spawn().unwrap();
            let pids = format!("{} {}", std::process::id(), grandchild.id());
            std::fs::write(scratch.join("pid.tmp"), pids).unwrap();
            std::fs::rename(scratch.join("pid.tmp"), scratch.join("pid")).unwrap();
            let _ = grandchild.wait();
        }
        _ => std::thread::sleep(Duration::from_secs(60)),
    }
}

#[test]
fn a_grandchild_outside_any_childs_job_dies_with_pyvenv() {
    let scratch = tempfile::tempdir().unwrap();
    let mut pyvenv = again("pyvenv", scratch.path()).spawn().unwrap();
    let pid_file = scratch.path().join("pid");
    let start = Instant::now();
    while !pid_file.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the grandchild never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let descendants: Vec<_> = std::fs::read_to_string(&pid_file)
        .unwrap()
        .split(' ')
        .map(|pid| {
            let pid: u32 = pid.parse().unwrap();
            // SAFETY: opening a process by id; a null handle is checked.
            let handle = unsafe { OpenProcess(PROCESS_SYNCHRONIZE | PROCESS_TERMINATE, 0, pid) };
            assert!(!handle.is_null(), "process {pid} cannot be opened");
            handle
        })
        .collect();
    // pyvenv killed outright (TerminateProcess): no handler, no cleanup.
    pyvenv.kill().unwrap();
    pyvenv.wait().unwrap();
    let mut outlived = 0;
    for handle in descendants {
        // SAFETY: the handle is open until closed below.
        if unsafe { WaitForSingleObject(handle, 10_000) } != WAIT_OBJECT_0 {
            outlived += 1;
            // SAFETY: as above; the test must not leave it running.
            unsafe { TerminateProcess(handle, 1) };
        }
        // SAFETY: ours, closed once.
        unsafe { CloseHandle(handle) };
    }
    assert_eq!(
        outlived, 0,
        "the child or grandchild outlived pyvenv by 10 s"
    );
}
