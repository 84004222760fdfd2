//! Logging: to stderr, filtered by `EFTERTANKE_LOG` (default `warn`), as text or as one JSON
//! object a line (for log shippers). Never people's words: the libraries that would log them
//! are quieted here.

use crate::config::LogFormat;

/// Sets up logging for the process.
pub fn init(format: LogFormat) {
    let mut filter = tracing_subscriber::EnvFilter::try_from_env("EFTERTANKE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    for directive in [
        // teloxide logs an update it cannot parse whole, people's words included.
        "teloxide::dispatching::dispatcher=off",
        // matrix-sdk logs every refused request as an error, expected ones too (no account
        // data yet); the channel logs what fails for it.
        "matrix_sdk::http_client=off",
        // Said once at a device's first login, before its keys are on the server.
        "matrix_sdk_crypto::identities::manager=error",
        // The bot keeps its keys in its own store, not in server-side key backup.
        "matrix_sdk_crypto::backups=error",
    ] {
        if let Ok(directive) = directive.parse() {
            filter = filter.add_directive(directive);
        }
    }
    let lines = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => lines.init(),
        LogFormat::Json => lines.json().flatten_event(true).init(),
    }
}
