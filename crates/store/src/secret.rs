//! Secrets the service needs at start: the master key, the Telegram token, the Matrix login
//! and store passphrase. Each is read from a file in `$CREDENTIALS_DIRECTORY` (systemd's
//! `LoadCredential=`, readable by the service alone) before the environment, since any process
//! of the same user can read another's environment in `/proc/PID/environ`.

use std::path::PathBuf;

use zeroize::Zeroizing;

/// Where systemd puts the credentials of a unit.
pub const CREDENTIALS_DIRECTORY: &str = "CREDENTIALS_DIRECTORY";

/// One secret: its credential name and its environment variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Secret {
    pub credential: &'static str,
    pub env: &'static str,
}

pub const MASTER_KEY: Secret = Secret {
    credential: "master-key",
    env: "EFTERTANKE_MASTER_KEY",
};
pub const TELEGRAM_TOKEN: Secret = Secret {
    credential: "telegram-token",
    env: "TELEGRAM_BOT_TOKEN",
};
pub const MATRIX_PASSWORD: Secret = Secret {
    credential: "matrix-password",
    env: "MATRIX_PASSWORD",
};
pub const MATRIX_ACCESS_TOKEN: Secret = Secret {
    credential: "matrix-access-token",
    env: "MATRIX_ACCESS_TOKEN",
};
pub const MATRIX_STORE_PASSPHRASE: Secret = Secret {
    credential: "matrix-store-passphrase",
    env: "MATRIX_STORE_PASSPHRASE",
};

/// Every secret, for `--help` and the documentation.
pub const ALL: [Secret; 5] = [
    MASTER_KEY,
    TELEGRAM_TOKEN,
    MATRIX_PASSWORD,
    MATRIX_ACCESS_TOKEN,
    MATRIX_STORE_PASSPHRASE,
];

/// Where each secret comes from, for `--help`.
#[must_use]
pub fn help() -> String {
    let mut text = String::from(
        "Secrets, each from a file in $CREDENTIALS_DIRECTORY (systemd's LoadCredential=), else\n\
         from an environment variable (which any process of the same user can read):\n",
    );
    for secret in ALL {
        text.push_str(&format!("  {:<26}{}\n", secret.credential, secret.env));
    }
    text.push_str(
        "The master key may also be a file: `key_file`, else the one beside the data folder.\n\
         Logging: EFTERTANKE_LOG (e.g. info, debug).",
    );
    text
}

#[derive(Debug, thiserror::Error)]
#[error("the credential {path} cannot be read: {reason}")]
pub struct SecretError {
    pub path: PathBuf,
    pub reason: String,
}

/// A secret's value and where it came from (a file's path or a variable's name, never the
/// value), for messages that say which one is wrong.
pub struct Found {
    pub value: Zeroizing<String>,
    pub origin: String,
}

impl Secret {
    /// The secret from its credential file, else from its environment variable; `None` when
    /// neither is set or both are blank. A credential file that exists but cannot be read is
    /// an error, not a reason to fall back.
    pub fn read(self) -> Result<Option<Found>, SecretError> {
        if let Some(dir) = std::env::var_os(CREDENTIALS_DIRECTORY) {
            let path = PathBuf::from(dir).join(self.credential);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let text = Zeroizing::new(text);
                    if let Some(found) = nonblank(&text, path.display().to_string()) {
                        return Ok(Some(found));
                    }
                }
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => {
                    return Err(SecretError {
                        path,
                        reason: err.to_string(),
                    })
                }
            }
        }
        let text = Zeroizing::new(std::env::var(self.env).unwrap_or_default());
        Ok(nonblank(&text, self.env.to_owned()))
    }

    /// As [`Secret::read`], the value alone.
    pub fn value(self) -> Result<Option<String>, SecretError> {
        Ok(self.read()?.map(|found| found.value.to_string()))
    }
}

/// The value without the line break a file ends with; `None` when blank.
fn nonblank(text: &str, origin: String) -> Option<Found> {
    let value = text.trim_end_matches(['\n', '\r']);
    (!value.trim().is_empty()).then(|| Found {
        value: Zeroizing::new(value.to_owned()),
        origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_loses_its_line_break_and_blank_is_nothing() {
        let found = nonblank("s3cret\n", "file".into()).unwrap();
        assert_eq!(found.value.as_str(), "s3cret");
        assert_eq!(found.origin, "file");
        assert!(nonblank(" \n", "file".into()).is_none());
        assert_eq!(
            nonblank("with space \r\n", "f".into())
                .unwrap()
                .value
                .as_str(),
            "with space "
        );
    }
}
