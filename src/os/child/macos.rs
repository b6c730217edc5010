//! macOS: there is no parent-death signal (no `prctl`), so the watchdog
//! alone kills the child's group, the child included, when pyvenv dies.
//! What it cannot cover is a SIGKILL of pyvenv in the instant between the
//! spawn and the watchdog's fork: that child is left to finish on its own.

use std::process::Command;

/// Nothing to set on the child itself: see the module's note.
pub fn die_with_pyvenv(_command: &mut Command) {}
