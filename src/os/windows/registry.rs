//! PEP 514's registry entries: `Software\Python\<Company>\<Tag>` under
//! `HKEY_CURRENT_USER` and `HKEY_LOCAL_MACHINE` (both of its views, the
//! 64-bit and the 32-bit one), read as they are and left to discovery to
//! judge.
//!
//! Nothing here fails: a key that cannot be opened or a value that cannot
//! be read is as good as absent, since the entries only suggest candidates
//! that the probe then asks.

use std::ffi::OsString;
use std::os::windows::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use windows_sys::Win32::Foundation::ERROR_SUCCESS;
use windows_sys::Win32::System::Registry::{
    HKEY, HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE, KEY_READ, KEY_WOW64_32KEY, KEY_WOW64_64KEY,
    REG_SAM_FLAGS, RRF_RT_REG_SZ, RegCloseKey, RegEnumKeyExW, RegGetValueW, RegOpenKeyExW,
};

use crate::os::host::RegisteredPython;

/// The company PEP 514 reserves for the `py` launcher's own settings.
const LAUNCHER_COMPANY: &str = "PyLauncher";

/// Every PEP 514 entry: the user's first, then the machine's 64-bit view,
/// then its 32-bit view (the order PEP 514 suggests).
pub fn registered_pythons() -> Vec<RegisteredPython> {
    let roots = [
        (HKEY_CURRENT_USER, 0),
        (HKEY_LOCAL_MACHINE, KEY_WOW64_64KEY),
        (HKEY_LOCAL_MACHINE, KEY_WOW64_32KEY),
    ];
    let mut found: Vec<RegisteredPython> = Vec::new();
    for (hive, view) in roots {
        let Some(python) = Key::open(hive, r"Software\Python", view) else {
            continue;
        };
        for company in python.subkeys() {
            if company.eq_ignore_ascii_case(LAUNCHER_COMPANY) {
                continue;
            }
            let Some(company_key) = python.child(&company, view) else {
                continue;
            };
            for tag in company_key.subkeys() {
                let Some(tag_key) = company_key.child(&tag, view) else {
                    continue;
                };
                let entry = RegisteredPython {
                    sys_version: tag_key
                        .string(None, "SysVersion")
                        .and_then(|v| v.into_string().ok()),
                    install_path: tag_key.string(Some("InstallPath"), "").map(PathBuf::from),
                    executable_path: tag_key
                        .string(Some("InstallPath"), "ExecutablePath")
                        .map(PathBuf::from),
                    company: company.clone(),
                    tag,
                };
                // On a 32-bit Windows both views are the same keys.
                if !found.contains(&entry) {
                    found.push(entry);
                }
            }
        }
    }
    found
}

/// An open registry key, closed when dropped.
struct Key(HKEY);

impl Key {
    /// `parent\name` opened for reading in `view`; `None` if it cannot be.
    fn open(parent: HKEY, name: &str, view: REG_SAM_FLAGS) -> Option<Key> {
        let name = wide(name);
        let mut key: HKEY = std::ptr::null_mut();
        // SAFETY: `name` is NUL-terminated and outlives the call; `key` is
        // written only on success.
        let status = unsafe { RegOpenKeyExW(parent, name.as_ptr(), 0, KEY_READ | view, &mut key) };
        (status == ERROR_SUCCESS).then_some(Key(key))
    }

    fn child(&self, name: &str, view: REG_SAM_FLAGS) -> Option<Key> {
        Key::open(self.0, name, view)
    }

    /// The names of this key's subkeys (a name that is not valid Unicode
    /// cannot be opened again by name here, so it is passed over).
    fn subkeys(&self) -> Vec<String> {
        let mut names = Vec::new();
        for index in 0.. {
            // A key's name is at most 255 characters.
            let mut buffer = [0u16; 256];
            let mut length = 256u32;
            // SAFETY: `buffer` holds `length` characters; the optional
            // outputs are null, which the call allows.
            let status = unsafe {
                RegEnumKeyExW(
                    self.0,
                    index,
                    buffer.as_mut_ptr(),
                    &mut length,
                    std::ptr::null(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            };
            if status != ERROR_SUCCESS {
                break;
            }
            let name = buffer.get(..length as usize).unwrap_or_default();
            if let Ok(name) = String::from_utf16(name) {
                names.push(name);
            }
        }
        names
    }

    /// The string value `value` (`""`: the default value) of `subkey` (or
    /// of this key); `None` if it is missing or not a string.
    fn string(&self, subkey: Option<&str>, value: &str) -> Option<OsString> {
        let subkey = subkey.map(wide);
        let subkey_ptr = subkey.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
        let value = wide(value);
        let query = |data: *mut u16, size: &mut u32| {
            // SAFETY: the names are NUL-terminated and outlive the call;
            // `data` is null (asking for the size) or holds `size` bytes.
            unsafe {
                RegGetValueW(
                    self.0,
                    subkey_ptr,
                    value.as_ptr(),
                    RRF_RT_REG_SZ,
                    std::ptr::null_mut(),
                    data.cast(),
                    size,
                )
            }
        };
        let mut size = 0u32;
        if query(std::ptr::null_mut(), &mut size) != ERROR_SUCCESS {
            return None;
        }
        let mut buffer = vec![0u16; (size as usize).div_ceil(2)];
        let mut size = u32::try_from(buffer.len() * 2).ok()?;
        if query(buffer.as_mut_ptr(), &mut size) != ERROR_SUCCESS {
            return None;
        }
        let text = buffer.get(..(size as usize) / 2).unwrap_or_default();
        let end = text.iter().position(|&c| c == 0).unwrap_or(text.len());
        let text = text.get(..end).unwrap_or_default();
        (!text.is_empty()).then(|| OsString::from_wide(text))
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: the key was opened by `Key::open` and is closed once.
        unsafe { RegCloseKey(self.0) };
    }
}

/// `text` as a NUL-terminated UTF-16 string.
fn wide(text: &str) -> Vec<u16> {
    std::ffi::OsStr::new(text)
        .encode_wide()
        .chain(std::iter::once(0))
        .collect()
}
