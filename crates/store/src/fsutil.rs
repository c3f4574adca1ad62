//! Files the store writes beside the database: created readable by their owner only.

use std::io::Write;
use std::path::Path;

/// Creates `path` (which must not exist) with mode 0600 and writes `bytes` to it.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = create_private(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Creates `path` for writing, readable and writable by its owner only (SECURITY.md "Data":
/// the key file, backups, the database and the audit checkpoint).
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}
