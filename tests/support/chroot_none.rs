//! No `chroot` on this platform: [`super::target::sid_root`] finds no
//! Debian root here, so no test asks to enter one; one that did would be
//! a bug in the tests, said loudly.

use std::path::Path;
use std::process::Command;

/// Never called where there is no root to enter.
pub fn enter(_command: &mut Command, root: &Path, _cwd: &Path) {
    panic!(
        "cannot enter {}: this platform has no chroot",
        root.display()
    );
}
