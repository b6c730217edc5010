//! Under Wine (and Windows): a child is held in a job.

use std::process::Command;

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
