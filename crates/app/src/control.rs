//! The running bot's control socket, `control.sock` in the data folder: the folder is its
//! owner's only, so only the user the bot runs as (and root) can open it. One request per
//! connection, one line: `backup` streams a backup of the folder (see
//! [`eftertanke_store::backup`]) while the bot goes on answering.
//!
//! `eftertanke backup` asks the running bot this way, and backs up the folder itself when no
//! bot has it open.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use eftertanke_store::backup::{self, BackupError, BackupReport};
use eftertanke_store::SledStore;
use tokio::io::AsyncReadExt as _;
use tokio_util::sync::CancellationToken;

use crate::App;

/// The socket's name inside the data folder.
pub const SOCKET: &str = "control.sock";
/// How long a client may take to say what it wants.
const REQUEST_WITHIN: Duration = Duration::from_secs(5);
/// The first byte of an answer: what follows is the backup, or an error message.
const OK: u8 = b'+';
const FAILED: u8 = b'-';

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the running eftertanke refused: {0}")]
    Refused(String),
    #[error(transparent)]
    Backup(#[from] BackupError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ControlError + '_ {
    move |source| ControlError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Serves the control socket of `data` until `stop`; one request at a time.
pub async fn serve(
    app: Arc<App<SledStore>>,
    data: &Path,
    stop: CancellationToken,
) -> Result<(), ControlError> {
    let path = data.join(SOCKET);
    // Left by a process that ended without removing it: the folder's lock (held by this
    // process since the store opened) says no other eftertanke uses it.
    match std::fs::remove_file(&path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(io(&path)(err)),
        _ => {}
    }
    let listener = tokio::net::UnixListener::bind(&path).map_err(io(&path))?;
    loop {
        let stream = tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    tracing::warn!("control socket: {err}");
                    continue;
                }
            },
        };
        if let Err(err) = answer(&app, stream).await {
            tracing::warn!("control socket: {err}");
        }
    }
    let _ = std::fs::remove_file(&path);
    Ok(())
}

async fn answer(
    app: &Arc<App<SledStore>>,
    mut stream: tokio::net::UnixStream,
) -> std::io::Result<()> {
    let mut request = [0u8; 16];
    let mut len = 0;
    let read = tokio::time::timeout(REQUEST_WITHIN, async {
        while len < request.len() && !request[..len].contains(&b'\n') {
            match stream.read(&mut request[len..]).await? {
                0 => break,
                n => len += n,
            }
        }
        std::io::Result::Ok(())
    })
    .await;
    let mut stream = stream.into_std()?;
    stream.set_nonblocking(false)?;
    if !matches!(read, Ok(Ok(()))) || &request[..len] != b"backup\n" {
        stream.write_all(&[FAILED])?;
        return stream.write_all(b"unknown request: eftertanke backup is the one there is");
    }
    let app = app.clone();
    let taken = tokio::task::spawn_blocking(move || {
        stream.write_all(&[OK])?;
        let records = app.records();
        let vault = records.vault();
        backup::write(records.backend(), || vault.keyring_bytes(), &mut stream)
            .map_err(std::io::Error::other)
    })
    .await
    .map_err(std::io::Error::other)?;
    let report = taken?;
    tracing::info!(
        pairs = report.scanned,
        replayed = report.replayed,
        pause_us = report.pause.as_micros() as u64,
        bytes = report.bytes,
        "backup taken"
    );
    Ok(())
}

/// Backs up the data folder `data` to the new file `to` (mode 0600, never overwritten): by
/// the running bot when one has the folder open, else directly. The file is read back and
/// its checksum checked before this returns; a failed backup leaves no file.
pub fn backup_to(data: &Path, to: &Path) -> Result<BackupReport, ControlError> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(io(to))?;
    let written = write_backup(data, &mut file)
        .and_then(|()| file.sync_all().map_err(io(to)))
        .and_then(|()| backup::check(to).map_err(ControlError::from));
    if written.is_err() {
        let _ = std::fs::remove_file(to);
    }
    written
}

fn write_backup(data: &Path, file: &mut File) -> Result<(), ControlError> {
    let socket = data.join(SOCKET);
    let mut stream = match std::os::unix::net::UnixStream::connect(&socket) {
        Ok(stream) => stream,
        // No bot serves the folder: it is backed up here (and refused if it is in use).
        Err(_) => {
            backup::write_offline(data, file)?;
            return Ok(());
        }
    };
    stream.write_all(b"backup\n").map_err(io(&socket))?;
    let mut first = [0];
    stream.read_exact(&mut first).map_err(io(&socket))?;
    if first[0] != OK {
        let mut why = String::new();
        let _ = stream.take(1024).read_to_string(&mut why);
        return Err(ControlError::Refused(why));
    }
    std::io::copy(&mut stream, file).map_err(io(&socket))?;
    Ok(())
}
