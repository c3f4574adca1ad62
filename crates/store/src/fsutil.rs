//! Files beside the database — the key, backups, the SQLite file, audit checkpoints, meeting
//! attachments — are created readable by their owner only, and directories we create enterable
//! by the owner only (SECURITY.md "Data").

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Write;
use std::path::Path;

/// Options for writing a file that, when created, only its owner can read.
pub fn private_file() -> OpenOptions {
    let mut o = OpenOptions::new();
    o.write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o
}

/// Creates `path` (which must not exist yet) and writes `bytes` to it, durably.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = private_file().create_new(true).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Creates (or empties) a file, readable by its owner only.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let f = private_file().create(true).truncate(true).open(path)?;
    // The mode given when opening applies only to a new file; an older file of the same name
    // keeps its own unless it is set again.
    #[cfg(unix)]
    f.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(f)
}

/// Creates a directory (and its parents) that only the owner may enter.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// Writes `bytes` to `path` whole or not at all: into a private temporary file beside it,
/// synced, then renamed over `path`. A reader never sees half a file, and a crash leaves at
/// most a stray temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".tmp-{}", dangjian_domain::crypto::random_token(8)));
    if let Err(e) = write_private(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    // The rename is durable once the directory entry is.
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}
