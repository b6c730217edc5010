//! POSIX: SIGINT, SIGTERM and SIGHUP become an orderly stop; SIGXFSZ
//! becomes an error.
//!
//! The handlers are installed without `SA_RESTART`, so a call blocked in
//! the kernel (a lock, an open of a FIFO) returns `EINTR` at once and the
//! wait around it sees the flag, instead of the kernel quietly resuming it.

extern "C" fn handle(signal: libc::c_int) {
    // Only an atomic store: nothing else is async-signal-safe here.
    super::record(signal);
}

/// The signals that stop a run in order: Ctrl-C, `kill`, and a closed
/// terminal or ssh session.
const STOPPING: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Routes SIGINT, SIGTERM and SIGHUP to [`super::check`] instead of
/// killing the process; ignores SIGXFSZ, so a file-size limit (`ulimit -f`)
/// is a write failing with `File too large` (as `python -m venv` reports
/// it) rather than a silent death that leaves the staging directory
/// behind; and takes back SIGCHLD's default: a parent that ignored it
/// (which survives exec) would have the kernel reap pyvenv's children
/// before pyvenv could learn how they ended.
pub fn install() {
    // SAFETY: setting a signal's disposition to a default or to ignore
    // involves no handler.
    unsafe {
        libc::signal(libc::SIGCHLD, libc::SIG_DFL);
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    for signal in STOPPING {
        // SAFETY: sigaction is plain data; zeroed is a valid empty value
        // (no flags, so no SA_RESTART), filled in below.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = handle as *const () as libc::sighandler_t;
        let mut before: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: `handle` is an `extern "C"` function that only performs
        // an atomic store, which is async-signal-safe; both pointers are
        // valid for the call.
        unsafe {
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, &mut before);
        }
        // A signal the parent ignored stays ignored, as a shell means it
        // for a job in the background (`pyvenv env &`) or under `nohup`,
        // and CPython honours it for SIGINT: Ctrl-C meant for the shell is
        // not ours.
        if before.sa_sigaction == libc::SIG_IGN {
            // SAFETY: putting back the disposition the process started with.
            unsafe { libc::sigaction(signal, &before, std::ptr::null_mut()) };
        }
    }
}
