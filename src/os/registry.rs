//! The Windows registry's PEP 514 entries, which POSIX hosts do not have:
//! see `windows/registry.rs`.

use crate::os::host::RegisteredPython;

/// The Pythons PEP 514 registers: none, off Windows.
pub fn registered_pythons() -> Vec<RegisteredPython> {
    Vec::new()
}
