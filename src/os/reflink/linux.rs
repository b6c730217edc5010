//! Linux: the `FICLONE` ioctl into a file pyvenv creates, and
//! `copy_file_range`.

use std::fs::File;
use std::io;
use std::path::Path;

/// Whether the filesystem holding `path` may support `FICLONE`: ext2/3/4
/// and tmpfs, the usual Linux homes, never do, so they are not asked.
pub fn may_clone(path: &Path) -> bool {
    const EXT4: u64 = 0xEF53;
    const TMPFS: u64 = 0x0102_1994;
    match rustix::fs::statfs(path) {
        Ok(fs) => !matches!(fs.f_type as u64, EXT4 | TMPFS),
        Err(_) => true,
    }
}

/// Creates the new file `dst` (never through a link, never over anything
/// there) with `src`'s data shared, not copied; returned open for writing.
/// On failure nothing is left at `dst` that this call made.
pub fn clone_new(src: &File, dst: &Path, mode: u32) -> io::Result<File> {
    let to = super::create_new(dst, mode)?;
    match rustix::fs::ioctl_ficlone(&to, src) {
        Ok(()) => Ok(to),
        Err(e) => {
            drop(to);
            let _ = std::fs::remove_file(dst);
            Err(e.into())
        }
    }
}

/// Copies `size` bytes with `copy_file_range`: the data never passes
/// through pyvenv, and the known size saves the call that finds the end.
/// Where the kernel cannot, `io::copy` carries on from the same offsets.
pub fn copy(mut from: &File, mut to: &File, size: u64) -> io::Result<()> {
    let mut left = size;
    while left > 0 {
        let chunk = usize::try_from(left).unwrap_or(usize::MAX);
        match rustix::fs::copy_file_range(from, None, to, None, chunk) {
            Ok(0) => break,
            Ok(n) => left = left.saturating_sub(n as u64),
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return io::copy(&mut from, &mut to).map(|_| ()),
        }
    }
    Ok(())
}
