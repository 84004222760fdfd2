//! The bot's Matrix session: logging in once, then restoring the same device (and so the same
//! encryption keys) at every start; and the sync token that is committed only after the events
//! of its batch were handled.
//!
//! Files in the channel's folder (`DATA/matrix`):
//! - `session.sealed`: user, device id and access token as JSON, sealed by the data folder's
//!   vault (mode 0600): a copy of the folder without the master key holds no usable token.
//!   A `session.json` of earlier releases is sealed at the next start and removed;
//! - `sync-token`: where the next sync starts;
//! - `store/`: matrix-sdk's sqlite state and crypto store, encrypted with the passphrase.

use std::path::{Path, PathBuf};
use std::time::Duration;

use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::encryption::EncryptionSettings;
use matrix_sdk::ruma::api::error::ErrorKind;
use matrix_sdk::ruma::{OwnedDeviceId, OwnedUserId};
use matrix_sdk::store::{StateStoreDataKey, StateStoreDataValue};
use matrix_sdk::{Client, SessionMeta, SessionTokens};
use tokio_util::sync::CancellationToken;

use eftertanke_store::Vault;

use super::{MatrixError, Options};

/// What the sealed session is bound to, so no other sealed value opens in its place.
const SESSION_SEAL: &[u8] = b"matrix\0session";

/// Restores the saved session, or logs in (password or access token) and saves it. Network
/// failures are retried with growing pauses up to a minute; a refused login or a revoked
/// session is an error. `None` when stopped meanwhile.
pub(super) async fn connect(
    options: &Options,
    vault: &Vault,
    stop: &CancellationToken,
) -> Result<Option<Client>, MatrixError> {
    let folder = &options.folder;
    create_private_dir(folder)?;
    seal_plain_session(folder, vault)?;
    let saved = session_file(folder);
    let mut pause = Duration::from_secs(1);
    loop {
        let attempt = if saved.exists() {
            restore(options, vault).await
        } else {
            login(options, vault).await
        };
        match attempt {
            Ok(client) => return Ok(Some(client)),
            Err(Attempt::Fatal(err)) => return Err(err),
            Err(Attempt::Retry(why)) => {
                tracing::warn!("Matrix homeserver unreachable, again in {pause:?}: {why}");
            }
        }
        tokio::select! {
            () = stop.cancelled() => return Ok(None),
            () = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(Duration::from_secs(60));
    }
}

/// A start that failed: for good, or for now (the network, the server's 5xx).
enum Attempt {
    Fatal(MatrixError),
    Retry(String),
}

fn retry_or(err: matrix_sdk::Error, fatal: impl FnOnce() -> MatrixError) -> Attempt {
    match err.client_api_error_kind() {
        Some(
            ErrorKind::Forbidden | ErrorKind::UnknownToken { .. } | ErrorKind::UserDeactivated,
        ) => Attempt::Fatal(fatal()),
        _ => Attempt::Retry(super::describe(&err)),
    }
}

async fn build(options: &Options) -> Result<Client, Attempt> {
    Client::builder()
        .homeserver_url(&options.homeserver)
        .sqlite_store(options.folder.join("store"), Some(&options.passphrase))
        // The bot cross-signs its own device, so clients that share room keys only with
        // cross-signed devices still share them with it.
        .with_encryption_settings(EncryptionSettings {
            auto_enable_cross_signing: true,
            ..EncryptionSettings::default()
        })
        .build()
        .await
        .map_err(|err| {
            Attempt::Fatal(MatrixError::Store {
                folder: options.folder.join("store"),
                why: err.to_string(),
            })
        })
}

async fn restore(options: &Options, vault: &Vault) -> Result<Client, Attempt> {
    let file = session_file(&options.folder);
    let session: MatrixSession = std::fs::read(&file)
        .map_err(|err| err.to_string())
        .and_then(|sealed| {
            vault
                .unseal(SESSION_SEAL, &sealed)
                .map_err(|err| format!("{err} (was the master key changed?)"))
        })
        .and_then(|bytes| {
            serde_json::from_slice(&bytes).map_err(|err| eftertanke_store::serde_problem(&err))
        })
        .map_err(|why| {
            Attempt::Fatal(MatrixError::Session {
                file: file.clone(),
                why,
            })
        })?;
    let client = build(options).await?;
    // matrix-sdk drops a sync response whose batch token equals its own stored one; after a
    // crash that would swallow the redelivery of events not yet handled. Its token is set
    // back to ours (committed only after handling) before the session loads it.
    if let Some(ours) = read_sync_token(&options.folder) {
        client
            .state_store()
            .set_kv_data(
                StateStoreDataKey::SyncToken,
                StateStoreDataValue::SyncToken(ours),
            )
            .await
            .map_err(|err| {
                Attempt::Fatal(MatrixError::Store {
                    folder: options.folder.join("store"),
                    why: err.to_string(),
                })
            })?;
    }
    let user = session.meta.user_id.to_string();
    client
        .restore_session(session)
        .await
        .map_err(|err| retry_or(err, || MatrixError::Revoked { user: user.clone() }))?;
    // Restoring makes no request: a revoked token shows here.
    client.whoami().await.map_err(|err| {
        retry_or(matrix_sdk::Error::Http(Box::new(err)), || {
            MatrixError::Revoked { user: user.clone() }
        })
    })?;
    Ok(client)
}

async fn login(options: &Options, vault: &Vault) -> Result<Client, Attempt> {
    // A store without a saved session belongs to no device we can restore (a first login
    // that crashed before saving): start it afresh rather than mix two devices' keys.
    let store = options.folder.join("store");
    if store.exists() {
        std::fs::remove_dir_all(&store).map_err(|err| {
            Attempt::Fatal(MatrixError::Io {
                path: store.clone(),
                why: err.to_string(),
            })
        })?;
    }
    let client = if let Some(password) = &options.password {
        let client = build(options).await?;
        client
            .matrix_auth()
            .login_username(&options.user, password)
            .initial_device_display_name("eftertanke")
            .send()
            .await
            .map_err(|err| {
                retry_or(err, || MatrixError::LoginRefused {
                    user: options.user.clone(),
                })
            })?;
        client
    } else if let Some(token) = &options.access_token {
        let who = whoami(&options.homeserver, token).await?;
        if who.user_id.as_str() != options.user {
            return Err(Attempt::Fatal(MatrixError::TokenOfAnotherUser {
                user: who.user_id.to_string(),
                configured: options.user.clone(),
            }));
        }
        let client = build(options).await?;
        let session = MatrixSession {
            meta: SessionMeta {
                user_id: who.user_id,
                device_id: who.device_id,
            },
            tokens: SessionTokens {
                access_token: token.clone(),
                refresh_token: None,
            },
        };
        client.restore_session(session).await.map_err(|err| {
            retry_or(err, || MatrixError::LoginRefused {
                user: options.user.clone(),
            })
        })?;
        client
    } else {
        return Err(Attempt::Fatal(MatrixError::NoLogin));
    };
    let Some(session) = client.matrix_auth().session() else {
        return Err(Attempt::Fatal(MatrixError::LoginRefused {
            user: options.user.clone(),
        }));
    };
    let json = serde_json::to_vec(&session).map_err(|err| {
        Attempt::Fatal(MatrixError::Session {
            file: session_file(&options.folder),
            why: eftertanke_store::serde_problem(&err),
        })
    })?;
    write_sealed(&options.folder, vault, &json).map_err(Attempt::Fatal)?;
    tracing::info!(device = ?client.device_id(), "logged in to Matrix as a new device");
    Ok(client)
}

/// Who an access token belongs to, and its device.
struct WhoAmI {
    user_id: OwnedUserId,
    device_id: OwnedDeviceId,
}

/// Asks the homeserver with a plain HTTP client: a matrix `Client` needs the user and device
/// before its first request.
async fn whoami(homeserver: &str, token: &str) -> Result<WhoAmI, Attempt> {
    #[derive(serde::Deserialize)]
    struct Answer {
        user_id: OwnedUserId,
        device_id: Option<OwnedDeviceId>,
    }
    let url = format!(
        "{}/_matrix/client/v3/account/whoami",
        homeserver.trim_end_matches('/')
    );
    let response = matrix_sdk::reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|err| Attempt::Retry(err.without_url().to_string()))?;
    let status = response.status();
    if status.is_server_error() {
        return Err(Attempt::Retry(format!("the homeserver answered {status}")));
    }
    if !status.is_success() {
        return Err(Attempt::Fatal(MatrixError::TokenRefused));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|err| Attempt::Retry(err.without_url().to_string()))?;
    let answer: Answer = serde_json::from_slice(&bytes)
        .map_err(|err| Attempt::Retry(eftertanke_store::serde_problem(&err)))?;
    let device_id = answer
        .device_id
        .ok_or(Attempt::Fatal(MatrixError::TokenWithoutDevice))?;
    Ok(WhoAmI {
        user_id: answer.user_id,
        device_id,
    })
}

fn session_file(folder: &Path) -> PathBuf {
    folder.join("session.sealed")
}

/// The unsealed session file of earlier releases.
fn plain_session_file(folder: &Path) -> PathBuf {
    folder.join("session.json")
}

/// True when the folder holds a session to restore, so no login secret is needed.
#[must_use]
pub fn saved(folder: &Path) -> bool {
    session_file(folder).exists() || plain_session_file(folder).exists()
}

fn write_sealed(folder: &Path, vault: &Vault, json: &[u8]) -> Result<(), MatrixError> {
    let file = session_file(folder);
    let sealed = vault
        .seal_shared(SESSION_SEAL, json)
        .map_err(|err| MatrixError::Session {
            file: file.clone(),
            why: err.to_string(),
        })?;
    write_private(&file, &sealed)
}

/// Seals a `session.json` left by an earlier release, then removes it: the sealed file is
/// durable before the plain one goes, so a crash between leaves one of them whole.
fn seal_plain_session(folder: &Path, vault: &Vault) -> Result<(), MatrixError> {
    let plain = plain_session_file(folder);
    let Ok(json) = std::fs::read(&plain) else {
        return Ok(());
    };
    if !session_file(folder).exists() {
        write_sealed(folder, vault, &json)?;
    }
    std::fs::remove_file(&plain).map_err(|err| MatrixError::Io {
        path: plain.clone(),
        why: err.to_string(),
    })?;
    tracing::info!("the Matrix session is sealed now; session.json removed");
    Ok(())
}

fn sync_token_file(folder: &Path) -> PathBuf {
    folder.join("sync-token")
}

/// Where the next sync starts: after the last batch whose events were all handled.
pub(super) fn read_sync_token(folder: &Path) -> Option<String> {
    std::fs::read_to_string(sync_token_file(folder))
        .ok()
        .map(|token| token.trim().to_owned())
        .filter(|token| !token.is_empty())
}

/// Commits a sync token: written beside, synced, then renamed over the old one.
pub(super) fn write_sync_token(folder: &Path, token: &str) -> Result<(), MatrixError> {
    write_private(&sync_token_file(folder), token.as_bytes())
}

fn create_private_dir(folder: &Path) -> Result<(), MatrixError> {
    let io = |err: std::io::Error| MatrixError::Io {
        path: folder.to_owned(),
        why: err.to_string(),
    };
    std::fs::create_dir_all(folder).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    Ok(())
}

/// Writes a file readable by its owner only, atomically (a crash leaves the old one).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), MatrixError> {
    eftertanke_store::vault::replace_private_file(path, bytes).map_err(|err| MatrixError::Io {
        path: path.to_owned(),
        why: err.to_string(),
    })
}
