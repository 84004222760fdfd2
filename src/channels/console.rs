//! The terminal channel: one person chats through standard input and output. Options are
//! numbered lines; piped input works the same, so conversations can be scripted.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use crate::app::{App, AppError, Event, Profile};
use crate::engine::{Body, Reply};
use crate::records::PersonId;
use crate::store::Store;

/// A line longer than this is cut before it reaches the engine (which then asks for less).
const MAX_LINE_BYTES: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("terminal: {0}")]
    Io(#[from] std::io::Error),
}

/// Renders replies as plain text: the message, then numbered options.
#[must_use]
pub fn render(replies: &[Reply]) -> String {
    let mut out = String::new();
    for reply in replies {
        out.push_str(&reply.text);
        out.push('\n');
        for (i, choice) in reply.choices.iter().enumerate() {
            out.push_str(&format!("  {}) {}\n", i + 1, choice.label));
        }
        out.push('\n');
    }
    out
}

/// Chats until the input ends or `shutdown` resolves. Each line is one message.
pub async fn run<S, R, W>(
    app: &App<S>,
    person: &PersonId,
    profile: Profile,
    mut input: R,
    mut output: W,
    prompt: bool,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), ConsoleError>
where
    S: Store,
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    tokio::pin!(shutdown);
    let opened = Event {
        id: None,
        body: Body::Opened,
    };
    let replies = app.handle(person, profile, opened).await?;
    output.write_all(render(&replies).as_bytes()).await?;
    let mut buffer = Vec::new();
    loop {
        if prompt {
            output.write_all(b"> ").await?;
        }
        output.flush().await?;
        buffer.clear();
        let read = tokio::select! {
            read = read_line(&mut input, &mut buffer) => read?,
            () = &mut shutdown => break,
        };
        if read == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buffer);
        let line = line.trim_end_matches(['\n', '\r']);
        let event = Event {
            id: None,
            body: Body::Text(line.to_owned()),
        };
        // Handled to the end even if shutdown comes meanwhile: the answer is made durable
        // and its reply printed before the loop looks at shutdown again.
        let replies = app.handle(person, profile, event).await?;
        output.write_all(render(&replies).as_bytes()).await?;
    }
    output.flush().await?;
    Ok(())
}

/// Reads one line, keeping at most `MAX_LINE_BYTES` of it and discarding the rest.
async fn read_line<R: AsyncBufRead + Unpin>(
    input: &mut R,
    buffer: &mut Vec<u8>,
) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let available = input.fill_buf().await?;
        if available.is_empty() {
            return Ok(total);
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(end) => (&available[..=end], true),
            None => (available, false),
        };
        let room = MAX_LINE_BYTES.saturating_sub(buffer.len());
        buffer.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        total += used;
        input.consume(used);
        if done {
            return Ok(total);
        }
    }
}
