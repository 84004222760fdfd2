//! The terminal channel: one person chats through standard input and output. Options are
//! numbered lines; piped input works the same, so conversations can be scripted.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::app::{App, AppError, Event, Profile};
use crate::scheduler;
use eftertanke_core::engine::{Body, Reply};
use eftertanke_core::records::PersonId;
use eftertanke_core::schedule::Schedule;
use eftertanke_store::{Store, StoreError};

/// The messages this channel words itself.
pub const MESSAGES: &[(&str, &[&str])] = &[("console-file-saved", &["path"])];

/// How often the chat looks for follow-ups, reminders and digests that fell due.
const TICK: Duration = Duration::from_secs(30);

/// A line longer than this is cut before it reaches the engine (which then asks for less).
const MAX_LINE_BYTES: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("terminal: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Message(#[from] eftertanke_core::i18n::I18nError),
}

/// Renders replies as plain text: the message, then numbered options.
#[must_use]
pub fn render(replies: &[Reply]) -> String {
    let mut out = String::new();
    // A picture alone (the digest's) is saved as a file, and said so, not printed.
    for reply in replies
        .iter()
        .filter(|r| !r.text.is_empty() || !r.choices.is_empty())
    {
        out.push_str(&reply.text);
        out.push('\n');
        for (i, choice) in reply.choices.iter().enumerate() {
            out.push_str(&format!("  {}) {}\n", i + 1, choice.label));
        }
        out.push('\n');
    }
    out
}

/// Prints what the scheduler left for this person (a digest's picture saved as a file),
/// then removes it.
async fn deliver<S: Store, W: AsyncWrite + Unpin>(
    app: &App<S>,
    person: &PersonId,
    output: &mut W,
    chat: &Chat<'_>,
) -> Result<bool, ConsoleError> {
    let waiting = app.records().outbox(Some(person))?;
    for message in &waiting {
        output
            .write_all(render(&message.replies).as_bytes())
            .await?;
        save_files(app, person, &message.replies, output, chat).await?;
    }
    output.flush().await?;
    app.records().delivered(&waiting).await?;
    Ok(!waiting.is_empty())
}

/// Chats until the input ends or `shutdown` resolves. Each line is one message. Runs the
/// scheduler for the whole data folder meanwhile, and shows what it has for this person.
#[expect(
    clippy::too_many_arguments,
    reason = "the chat's parts, each given by the caller: a struct would only rename them"
)]
pub async fn run<S, R, W>(
    app: &App<S>,
    person: &PersonId,
    profile: Profile,
    mut input: R,
    mut output: W,
    prompt: bool,
    files: &Path,
    schedule: &Schedule,
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
    let chat = Chat { profile, files };
    let replies = app.handle(person, profile, opened).await?;
    output.write_all(render(&replies).as_bytes()).await?;
    // What waited while the chat was closed comes first, before any line is read.
    deliver(app, person, &mut output, &chat).await?;
    let mut ticker = tokio::time::interval(TICK);
    let mut buffer = Vec::new();
    let mut show_prompt = true;
    loop {
        if prompt && show_prompt {
            output.write_all(b"> ").await?;
        }
        output.flush().await?;
        let more = tokio::select! {
            read = read_line(&mut input, &mut buffer) => read?,
            _ = ticker.tick() => {
                // The chat goes on if the scheduler cannot run this time; it tries again.
                if let Err(err) = scheduler::tick(app, schedule).await {
                    tracing::warn!("scheduler: {err}");
                }
                show_prompt = deliver(app, person, &mut output, &chat).await?;
                continue;
            }
            () = &mut shutdown => break,
        };
        show_prompt = true;
        if !more {
            break;
        }
        let line = String::from_utf8_lossy(&buffer).into_owned();
        buffer.clear();
        let line = line.trim_end_matches(['\n', '\r']);
        let event = Event {
            id: None,
            body: Body::Text(line.to_owned()),
        };
        // Handled to the end even if shutdown comes meanwhile: the answer is made durable
        // and its reply printed before the loop looks at shutdown again.
        let replies = app.handle(person, profile, event).await?;
        output.write_all(render(&replies).as_bytes()).await?;
        save_files(app, person, &replies, &mut output, &chat).await?;
    }
    output.flush().await?;
    Ok(())
}

/// What the chat's person is, and where their files go.
struct Chat<'a> {
    profile: Profile,
    files: &'a Path,
}

/// Saves the replies' files (/mydata) and pictures (the digest's) into the chat's folder, and
/// says where each one is.
async fn save_files<S: Store, W: AsyncWrite + Unpin>(
    app: &App<S>,
    person: &PersonId,
    replies: &[Reply],
    output: &mut W,
    chat: &Chat<'_>,
) -> Result<(), ConsoleError> {
    let files = replies.iter().flat_map(|reply| {
        let file = reply
            .file
            .as_ref()
            .map(|f| (f.name.as_str(), f.content.as_bytes()));
        let picture = reply
            .picture
            .as_ref()
            .map(|p| (p.name.as_str(), p.png.as_slice()));
        file.into_iter().chain(picture)
    });
    for (name, content) in files {
        let path = save(chat.files, name, content)?;
        let lang = app
            .records()
            .conversation(person)?
            .map_or(chat.profile.lang, |c| c.lang);
        let path = path.display().to_string();
        let note =
            app.content()
                .locales
                .format(lang, "console-file-saved", &[("path", path.into())])?;
        output.write_all(format!("{note}\n\n").as_bytes()).await?;
    }
    Ok(())
}

/// Writes a file for the person (their /mydata, a digest's picture) into `folder`, readable
/// by its owner only.
fn save(folder: &Path, name: &str, content: &[u8]) -> std::io::Result<PathBuf> {
    // The engine names it; only its last part is used, so it stays in `folder`.
    let name = Path::new(name)
        .file_name()
        .unwrap_or_else(|| std::ffi::OsStr::new("eftertanke"));
    let path = folder.join(name);
    // A file of the same name (an earlier /mydata today) is replaced, never reused: a new
    // file gets the mode below whatever the old one had.
    match std::fs::remove_file(&path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&path)?, content)?;
    Ok(path)
}

/// Reads one line into `buffer`, keeping at most `MAX_LINE_BYTES` of it and discarding the
/// rest. False at the end of input with nothing read. Cancel-safe: what was read stays in
/// `buffer`, and the next call goes on from there.
async fn read_line<R: AsyncBufRead + Unpin>(
    input: &mut R,
    buffer: &mut Vec<u8>,
) -> std::io::Result<bool> {
    loop {
        let available = input.fill_buf().await?;
        if available.is_empty() {
            return Ok(!buffer.is_empty());
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(end) => (&available[..=end], true),
            None => (available, false),
        };
        let room = MAX_LINE_BYTES.saturating_sub(buffer.len());
        buffer.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        input.consume(used);
        if done {
            return Ok(true);
        }
    }
}
