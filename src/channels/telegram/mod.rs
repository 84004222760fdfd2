//! The Telegram channel: long polling with teloxide, private chats carry the dialogues.
//!
//! teloxide routes updates; the engine owns conversation state (teloxide's dialogue storage
//! is keyed by chat and has no sled backend). One chat's updates are handled in order,
//! different chats in parallel. Outgoing messages go through teloxide's `Throttle` (1 a
//! second a chat, 30 a second in all; a `RetryAfter` is waited out and the message sent
//! again), and what the scheduler made (follow-up offers, reminders, digests), or a reply
//! that could not be sent at once, is taken from the outbox and sent the same way, then
//! removed reply by reply once Telegram accepted it.

pub mod emulator;

use std::sync::Arc;
use std::time::Duration;

use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::{Dispatcher, UpdateFilterExt};
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, BotCommandScope, CallbackQuery, ChatId, InlineKeyboardButton,
    InlineKeyboardButtonKind, InlineKeyboardMarkup, InputFile,
};
use teloxide::update_listeners::Polling;
use teloxide::{ApiError, RequestError};
use tokio::sync::watch;

use super::stopped;
use crate::app::{App, Event, Profile};
use crate::dialogs::Role;
use crate::engine::{Body, Reply, ReplyChoice};
use crate::i18n::{I18nError, Lang, Locales};
use crate::records::PersonId;
use crate::store::{Outgoing, Store, Waiting};

/// Every message this channel writes itself (the rest comes from the engine).
pub const MESSAGES: &[(&str, &[&str])] = &[
    ("telegram-group-note", &[]),
    ("telegram-error", &[]),
    ("telegram-chosen", &["answer"]),
    ("telegram-linked", &["name"]),
    ("telegram-unlinked", &["name"]),
    ("command-reflect", &[]),
    ("command-try", &[]),
    ("command-trials", &[]),
    ("command-followup", &[]),
    ("command-back", &[]),
    ("command-stop", &[]),
    ("command-groups", &[]),
    ("command-join", &[]),
    ("command-remind", &[]),
    ("command-language", &[]),
    ("command-help", &[]),
    ("command-consent", &[]),
    ("command-mydata", &[]),
    ("command-forget", &[]),
];

/// The command menu: (English command, Danish command, description). Telegram command names
/// are a-z, 0-9 and _, so the Danish ones are the ASCII spellings the engine also reads.
const MENU: [(&str, &str, &str); 14] = [
    ("reflect", "refleksion", "command-reflect"),
    ("try", "proev", "command-try"),
    ("trials", "proevehandlinger", "command-trials"),
    ("followup", "opfoelgning", "command-followup"),
    ("back", "tilbage", "command-back"),
    ("stop", "stop", "command-stop"),
    ("groups", "grupper", "command-groups"),
    ("join", "deltag", "command-join"),
    ("remind", "paamind", "command-remind"),
    ("language", "sprog", "command-language"),
    ("help", "hjaelp", "command-help"),
    ("consent", "samtykke", "command-consent"),
    ("mydata", "minedata", "command-mydata"),
    ("forget", "glem", "command-forget"),
];

/// Telegram's limit on a message, in UTF-16 code units.
const MAX_MESSAGE_UNITS: usize = 4096;
/// Telegram's limit on a button's callback data, in bytes.
const MAX_CALLBACK_BYTES: usize = 64;
/// How long a long poll waits for updates.
const POLL_TIMEOUT: Duration = Duration::from_secs(10);
/// How often waiting outbox messages are looked for.
const OUTBOX_EVERY: Duration = Duration::from_secs(1);
/// How often one message is tried when Telegram keeps asking to wait.
const SEND_ATTEMPTS: u32 = 5;
/// Updates one chat may have waiting before the dispatcher waits for it.
const WORKER_QUEUE: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error("no Telegram token: set TELEGRAM_BOT_TOKEN (or `token` in the [telegram] section)")]
    NoToken,
    #[error("Telegram refused the bot token: check TELEGRAM_BOT_TOKEN")]
    Refused,
    #[error("the Telegram API URL `{0}` is not a URL")]
    BadUrl(String),
    #[error("the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Message(#[from] I18nError),
}

/// What the channel needs to start. Its `Debug` leaves the token out.
#[derive(Clone)]
pub struct Options {
    pub token: String,
    pub api_url: String,
    /// Off only against a local emulator (tests, benchmarks).
    pub throttle: bool,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("token", &"(hidden)")
            .field("api_url", &self.api_url)
            .field("throttle", &self.throttle)
            .finish()
    }
}

/// What the channel needs of a bot: plain, or wrapped in `Throttle`.
pub trait TgBot:
    Requester<
        Err = RequestError,
        GetMe: Send,
        GetUpdates: Send,
        DeleteWebhook: Send,
        GetWebhookInfo: Send,
        SendMessage: Send,
        SendDocument: Send,
        SetMyCommands: Send,
        AnswerCallbackQuery: Send,
        EditMessageText: Send,
        EditMessageReplyMarkup: Send,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<R> TgBot for R where
    R: Requester<
            Err = RequestError,
            GetMe: Send,
            GetUpdates: Send,
            DeleteWebhook: Send,
            GetWebhookInfo: Send,
            SendMessage: Send,
            SendDocument: Send,
            SetMyCommands: Send,
            AnswerCallbackQuery: Send,
            EditMessageText: Send,
            EditMessageReplyMarkup: Send,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// Runs the channel until `stop` turns true: then no new updates are taken, updates in
/// flight are finished, and it returns (the caller drops the app, which flushes the store).
pub async fn run<S: Store>(
    app: Arc<App<S>>,
    options: Options,
    stop: watch::Receiver<bool>,
) -> Result<(), TelegramError> {
    let url = options
        .api_url
        .parse()
        .map_err(|_| TelegramError::BadUrl(options.api_url.clone()))?;
    let client = teloxide::net::default_reqwest_settings()
        // Longer than a long poll, so a poll is never cut short by the client.
        .timeout(POLL_TIMEOUT + Duration::from_secs(20))
        .build()
        .map_err(|err| TelegramError::Client(err.to_string()))?;
    let bot = Bot::with_client(options.token.clone(), client).set_api_url(url);
    if options.throttle {
        serve(app, bot.throttle(Limits::default()), stop).await
    } else {
        // Only against a local emulator: Throttle's worker looks at its queue every 250 ms,
        // which would dominate a benchmark and slow the tests.
        serve(app, bot, stop).await
    }
}

async fn serve<S: Store, B: TgBot>(
    app: Arc<App<S>>,
    bot: B,
    stop: watch::Receiver<bool>,
) -> Result<(), TelegramError> {
    let Some(me) = connect(&bot, stop.clone()).await? else {
        return Ok(());
    };
    tracing::info!(bot = %me.username(), "Telegram connected");
    set_menu(&bot, &app.content().locales).await;

    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(on_message::<S, B>))
        .branch(Update::filter_edited_message().endpoint(on_edited::<S, B>))
        .branch(Update::filter_callback_query().endpoint(on_button::<S, B>));
    let mut dispatcher = Dispatcher::builder(bot.clone(), handler)
        .dependencies(dptree::deps![app.clone()])
        .distribution_function(|update: &Update| update.chat().map(|chat| chat.id))
        // One chat's queue; the dispatcher waits when one is full, so keep it roomy.
        .worker_queue_size(WORKER_QUEUE)
        .default_handler(|update| async move {
            tracing::debug!(update = update.id.0, "an update of a kind not handled");
        })
        .error_handler(logged("Telegram handler"))
        .build();
    let shutdown = dispatcher.shutdown_token();
    let stopper = tokio::spawn({
        let stop = stop.clone();
        async move {
            stopped(stop).await;
            // Until the dispatcher has started it cannot be asked to stop; ask again shortly.
            loop {
                match shutdown.shutdown() {
                    Ok(done) => {
                        done.await;
                        break;
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        }
    });
    let delivery = tokio::spawn(deliver_outbox(app.clone(), bot.clone(), stop.clone()));
    let mut pause = Duration::from_secs(1);
    loop {
        let listener = Polling::builder(bot.clone())
            .timeout(POLL_TIMEOUT)
            .delete_webhook()
            .await
            .build();
        let result = dispatcher
            .try_dispatch_with_listener(listener, logged("Telegram polling"))
            .await;
        if *stop.borrow() {
            break;
        }
        // Only a failed start (its getMe) ends dispatching without a stop: try again.
        if let Err(err) = result {
            tracing::warn!(
                "Telegram dispatching could not start, again in {pause:?}: {}",
                describe(&err)
            );
        }
        let stopped = stopped(stop.clone());
        tokio::select! {
            () = stopped => break,
            () = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(Duration::from_secs(60));
    }
    stopper.abort();
    if let Err(err) = delivery.await {
        tracing::error!("the outbox delivery ended abnormally: {err}");
    }
    Ok(())
}

/// An error handler for teloxide that logs without what an error may carry of people's
/// messages.
fn logged(
    context: &'static str,
) -> Arc<impl Fn(RequestError) -> std::future::Ready<()> + Send + Sync> {
    Arc::new(move |err: RequestError| {
        tracing::error!("{context}: {}", describe(&err));
        std::future::ready(())
    })
}

/// A request error as it may be logged: nothing of Telegram's answer (which can hold people's
/// words and names) and no chat id; serde's message quotes what it found, so only its class
/// and place are kept.
fn describe(err: &RequestError) -> String {
    match err {
        RequestError::InvalidJson { source, .. } => format!(
            "unexpected answer from Telegram: {}",
            crate::store::serde_problem(source)
        ),
        RequestError::MigrateToChatId(_) => "the group chat became a supergroup".to_owned(),
        RequestError::Api(ApiError::Unknown(text)) => {
            let short: String = text.chars().take(120).collect();
            format!("Telegram refused: {short}")
        }
        other => other.to_string(),
    }
}

/// Asks Telegram who the bot is. A refused token ends the channel with a clear error;
/// anything else (no network, a proxy's 502, Telegram down) is retried with growing pauses
/// up to a minute, so a bot started during an outage does not crash in a loop. `None` when
/// stopped meanwhile.
async fn connect<B: TgBot>(
    bot: &B,
    stop: watch::Receiver<bool>,
) -> Result<Option<teloxide::types::Me>, TelegramError> {
    let stopped = stopped(stop);
    tokio::pin!(stopped);
    let mut pause = Duration::from_secs(1);
    loop {
        match bot.get_me().await {
            Ok(me) => return Ok(Some(me)),
            Err(RequestError::Api(ApiError::InvalidToken)) => {
                return Err(TelegramError::Refused);
            }
            Err(RequestError::RetryAfter(after)) => pause = after.duration(),
            Err(err) => {
                tracing::warn!(
                    "Telegram unreachable, trying again in {pause:?}: {}",
                    describe(&err)
                );
            }
        }
        tokio::select! {
            () = &mut stopped => return Ok(None),
            () = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(Duration::from_secs(60));
    }
}

/// The command menu in Danish for Danish-speaking users, in English for everyone else.
async fn set_menu<B: TgBot>(bot: &B, locales: &Locales) {
    for (lang, code) in [
        (Lang::En, None),
        (Lang::Da, Some("da")),
        (Lang::En, Some("en")),
    ] {
        let commands: Result<Vec<BotCommand>, I18nError> = MENU
            .iter()
            .map(|(en, da, id)| {
                let name = if lang == Lang::Da { da } else { en };
                Ok(BotCommand::new(*name, locales.format(lang, id, &[])?))
            })
            .collect();
        let Ok(commands) = commands else { continue };
        let mut request = bot
            .set_my_commands(commands)
            .scope(BotCommandScope::Default);
        if let Some(code) = code {
            request = request.language_code(code);
        }
        if let Err(err) = request.await {
            tracing::warn!("setting the command menu: {}", describe(&err));
        }
    }
}

/// A person's language from Telegram's language code: Danish for "da…", else English.
fn language(code: Option<&str>) -> Lang {
    match code {
        Some(code) if code.to_lowercase().starts_with("da") => Lang::Da,
        _ => Lang::En,
    }
}

fn person_of(user: &teloxide::types::User) -> PersonId {
    PersonId::new("telegram", &user.id.0.to_string())
}

fn profile_of(user: &teloxide::types::User) -> Profile {
    Profile::new(language(user.language_code.as_deref()), Role::Staff)
}

/// The id of an update as the app remembers it, so a redelivered one is not stored twice.
fn event(update: &Update, body: Body) -> Event {
    Event {
        id: Some(format!("u{}", update.id.0)),
        body,
    }
}

async fn on_message<S: Store, B: TgBot>(
    bot: B,
    message: Message,
    update: Update,
    me: teloxide::types::Me,
    app: Arc<App<S>>,
) -> ResponseResult<()> {
    let Some(user) = message.from.clone() else {
        return Ok(());
    };
    if !message.chat.is_private() {
        return in_group(&bot, &message, &user, &me, &app).await;
    }
    // Anything but text (photos, voice, stickers, files, places, contacts, polls) is not
    // read and not stored: the engine answers that it reads text only.
    let body = match message.text() {
        Some(text) => Body::Text(text.to_owned()),
        None => Body::Unsupported,
    };
    handle(&bot, &app, message.chat.id, &user, event(&update, body)).await?;
    Ok(())
}

async fn on_edited<S: Store, B: TgBot>(
    bot: B,
    message: Message,
    update: Update,
    app: Arc<App<S>>,
) -> ResponseResult<()> {
    let Some(user) = message.from.clone() else {
        return Ok(());
    };
    if message.chat.is_private() {
        handle(
            &bot,
            &app,
            message.chat.id,
            &user,
            event(&update, Body::Edited),
        )
        .await?;
    }
    Ok(())
}

/// In a group chat the bot does not hold dialogues: /start gets a note to write privately;
/// a facilitator may /linkdigest the chat to receive the group's digest there (and
/// /unlinkdigest it); everything else is left to the people in it.
async fn in_group<S: Store, B: TgBot>(
    bot: &B,
    message: &Message,
    user: &teloxide::types::User,
    me: &teloxide::types::Me,
    app: &App<S>,
) -> ResponseResult<()> {
    let Some(word) = message.text().and_then(|t| t.split_whitespace().next()) else {
        return Ok(());
    };
    // "/start@otherbot" is for another bot in the same group.
    let (command, to) = word.split_once('@').unwrap_or((word, me.username()));
    if !to.eq_ignore_ascii_case(me.username()) {
        return Ok(());
    }
    let lang = language(user.language_code.as_deref());
    let locales = &app.content().locales;
    let reply = match command.to_lowercase().as_str() {
        "/start" => locales.format(lang, "telegram-group-note", &[]),
        command @ ("/linkdigest" | "/unlinkdigest") => {
            let link = command == "/linkdigest";
            let chat = PersonId::new("telegram-chat", &message.chat.id.0.to_string());
            let person = person_of(user);
            match app.link_digest_chat(&person, chat, lang, link).await {
                Ok(Some(name)) => {
                    let id = if link {
                        "telegram-linked"
                    } else {
                        "telegram-unlinked"
                    };
                    locales.format(lang, id, &[("name", name.into())])
                }
                Ok(None) => locales.format(lang, "not-allowed", &[]),
                Err(err) => {
                    tracing::error!(person = %person.pseudonym(), "linking a chat: {err}");
                    locales.format(lang, "telegram-error", &[])
                }
            }
        }
        _ => return Ok(()),
    };
    if let Ok(text) = reply {
        bot.send_message(message.chat.id, text).await?;
    }
    Ok(())
}

async fn on_button<S: Store, B: TgBot>(
    bot: B,
    query: CallbackQuery,
    update: Update,
    app: Arc<App<S>>,
) -> ResponseResult<()> {
    // Answered first, so the person's app stops its spinner whatever happens next.
    if let Err(err) = bot.answer_callback_query(query.id.clone()).await {
        tracing::warn!("answering a button: {}", describe(&err));
    }
    let Some(message) = query.regular_message().cloned() else {
        return Ok(());
    };
    let Some((prompt, reply)) = query.data.as_deref().and_then(parse_callback) else {
        return Ok(());
    };
    let person = person_of(&query.from);
    let current = match app.records().conversation(&person) {
        Ok(conversation) => conversation.is_some_and(|c| c.prompt == prompt),
        Err(err) => {
            tracing::error!(person = %person.pseudonym(), "reading a conversation: {err}");
            false
        }
    };
    let body = Body::Button { prompt, reply };
    let handled = handle(
        &bot,
        &app,
        message.chat.id,
        &query.from,
        event(&update, body),
    )
    .await?;
    // Then the pressed question loses its buttons, so it cannot be pressed twice; when it
    // was the current question and the answer was taken, it also shows what was chosen.
    let label = button_label(&message, query.data.as_deref().unwrap_or_default());
    let lang = language(query.from.language_code.as_deref());
    let chosen = match (handled && current, message.text(), label) {
        (true, Some(text), Some(label)) => app
            .content()
            .locales
            .format(lang, "telegram-chosen", &[("answer", label.into())])
            .ok()
            .map(|chosen| format!("{text}\n\n{chosen}")),
        _ => None,
    };
    let shown = match chosen {
        Some(text) => bot
            .edit_message_text(message.chat.id, message.id, text)
            .reply_markup(InlineKeyboardMarkup::default())
            .await
            .is_ok(),
        None => false,
    };
    if !shown {
        let removed = bot
            .edit_message_reply_markup(message.chat.id, message.id)
            .reply_markup(InlineKeyboardMarkup::default())
            .await;
        if let Err(err) = removed {
            tracing::warn!("removing the buttons of a question: {}", describe(&err));
        }
    }
    Ok(())
}

/// Runs one event through the app and sends the replies. True when the app handled it.
/// A failure to handle is told kindly; replies that cannot be sent now (the answer is
/// already stored) wait in the outbox, so the next question is not lost.
async fn handle<S: Store, B: TgBot>(
    bot: &B,
    app: &App<S>,
    chat: ChatId,
    user: &teloxide::types::User,
    event: Event,
) -> ResponseResult<bool> {
    let person = person_of(user);
    let tag = event.id.clone().unwrap_or_default();
    let replies = match app.handle(&person, profile_of(user), event).await {
        Ok(replies) => replies,
        Err(err) => {
            tracing::error!(person = %person.pseudonym(), "handling a message: {err}");
            let lang = language(user.language_code.as_deref());
            if let Ok(text) = app.content().locales.format(lang, "telegram-error", &[]) {
                bot.send_message(chat, text).await?;
            }
            return Ok(false);
        }
    };
    if let Err((sent, err)) = send(bot, chat, &replies).await {
        tracing::warn!(
            person = %person.pseudonym(),
            "reply not sent, kept for later: {}",
            describe(&err)
        );
        let keep = Outgoing {
            person,
            at: app.now(),
            tag: format!("unsent-{tag}"),
            replies: replies[sent..].to_vec(),
        };
        if let Err(err) = app.records().keep(keep).await {
            tracing::error!("keeping an unsent reply: {err}");
        }
    }
    Ok(true)
}

/// Sends replies in order: plain text (never parsed as markup, so echoed words cannot change
/// how a message shows), buttons as an inline keyboard, long text in several messages. On
/// failure: how many replies were sent whole, and the error.
async fn send<B: TgBot>(
    bot: &B,
    chat: ChatId,
    replies: &[Reply],
) -> Result<(), (usize, RequestError)> {
    for (done, reply) in replies.iter().enumerate() {
        let parts = split(&reply.text, MAX_MESSAGE_UNITS);
        let last = parts.len().saturating_sub(1);
        for (i, part) in parts.into_iter().enumerate() {
            let markup = if i == last { keyboard(reply) } else { None };
            with_retries(|| {
                // No parse mode: plain text.
                let mut request = bot.send_message(chat, part.clone());
                if let Some(markup) = markup.clone() {
                    request = request.reply_markup(markup);
                }
                request.send()
            })
            .await
            .map_err(|err| (done, err))?;
        }
        if let Some(file) = &reply.file {
            with_retries(|| {
                let upload = InputFile::memory(file.content.clone().into_bytes())
                    .file_name(file.name.clone());
                bot.send_document(chat, upload).send()
            })
            .await
            .map_err(|err| (done, err))?;
        }
    }
    Ok(())
}

/// Makes and sends one request until it is taken. Telegram's "retry after" is waited out
/// (Throttle does so itself; this covers the unthrottled bot), and a network failure is tried
/// again after a pause, a few times at most.
async fn with_retries<T, F, R>(mut request: R) -> ResponseResult<()>
where
    R: FnMut() -> F,
    F: std::future::Future<Output = ResponseResult<T>>,
{
    let mut attempts = 0;
    loop {
        let pause = match request().await {
            Ok(_) => return Ok(()),
            Err(RequestError::RetryAfter(after)) => after.duration(),
            Err(RequestError::Network(_) | RequestError::Io(_)) => {
                Duration::from_millis(500 << attempts.min(4))
            }
            Err(err) => return Err(err),
        };
        attempts += 1;
        if attempts >= SEND_ATTEMPTS {
            return Err(RequestError::Io(Arc::new(std::io::Error::other(
                "Telegram did not take the message after several tries",
            ))));
        }
        tokio::time::sleep(pause).await;
    }
}

/// The buttons of a reply: short labels (scale numbers) side by side, others one a row.
fn keyboard(reply: &Reply) -> Option<InlineKeyboardMarkup> {
    let prompt = reply.prompt?;
    let buttons: Vec<InlineKeyboardButton> = reply
        .choices
        .iter()
        .filter_map(|choice: &ReplyChoice| {
            let data = format!("{prompt}:{}", choice.reply);
            // A reply too long for Telegram's callback data can still be typed.
            (data.len() <= MAX_CALLBACK_BYTES)
                .then(|| InlineKeyboardButton::callback(choice.label.clone(), data))
        })
        .collect();
    if buttons.is_empty() {
        return None;
    }
    let short = buttons.iter().all(|b| b.text.chars().count() <= 3);
    let rows: Vec<Vec<InlineKeyboardButton>> = if short {
        buttons.chunks(6).map(<[_]>::to_vec).collect()
    } else {
        buttons.into_iter().map(|b| vec![b]).collect()
    };
    Some(InlineKeyboardMarkup::new(rows))
}

/// "12:yes" → (12, "yes").
fn parse_callback(data: &str) -> Option<(u64, String)> {
    let (prompt, reply) = data.split_once(':')?;
    Some((prompt.parse().ok()?, reply.to_owned()))
}

/// The label of the button with `data` on `message`.
fn button_label(message: &Message, data: &str) -> Option<String> {
    message
        .reply_markup()?
        .inline_keyboard
        .iter()
        .flatten()
        .find(|b| matches!(&b.kind, InlineKeyboardButtonKind::CallbackData(d) if d == data))
        .map(|b| b.text.clone())
}

/// Splits text into parts of at most `max` UTF-16 units, at line breaks where possible.
fn split(text: &str, max: usize) -> Vec<String> {
    if text.encode_utf16().count() <= max {
        return vec![text.to_owned()];
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut units = 0;
    for line in text.split_inclusive('\n') {
        let line_units = line.encode_utf16().count();
        if units + line_units > max && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            units = 0;
        }
        if line_units > max {
            for c in line.chars() {
                if units + c.len_utf16() > max {
                    parts.push(std::mem::take(&mut current));
                    units = 0;
                }
                current.push(c);
                units += c.len_utf16();
            }
        } else {
            current.push_str(line);
            units += line_units;
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Sends what waits in the outbox for Telegram people and chats, until `stop`.
async fn deliver_outbox<S: Store, B: TgBot>(app: Arc<App<S>>, bot: B, stop: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(OUTBOX_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let stopped = stopped(stop.clone());
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            biased;
            () = &mut stopped => break,
            _ = every.tick() => deliver(&app, &bot, &stop).await,
        }
    }
    // What is still waiting stays in the outbox for the next start.
}

/// One pass over the outbox. A message goes reply by reply; what was sent is removed at
/// once, so a failure later never sends the earlier replies twice. A network failure ends
/// the pass (the next one tries again); a refusal that will not change (the person blocked
/// the bot, the chat is gone) drops that message with a warning.
async fn deliver<S: Store, B: TgBot>(app: &App<S>, bot: &B, stop: &watch::Receiver<bool>) {
    let waiting = match app.records().outbox_of_platform("telegram") {
        Ok(waiting) => waiting,
        Err(err) => {
            tracing::warn!("reading the outbox: {err}");
            return;
        }
    };
    for message in waiting {
        if *stop.borrow() {
            return;
        }
        let Some(chat) = telegram_chat(&message) else {
            continue;
        };
        let outcome = send(bot, chat, &message.replies).await;
        let remaining = match &outcome {
            Ok(()) => Vec::new(),
            Err((
                sent,
                RequestError::Network(_) | RequestError::Io(_) | RequestError::RetryAfter(_),
            )) => message.replies[*sent..].to_vec(),
            Err((_, err)) => {
                tracing::warn!(
                    person = %message.person.pseudonym(),
                    "a waiting message cannot be delivered, dropped: {}",
                    describe(err)
                );
                Vec::new()
            }
        };
        let stored = app.records().keep_rest(&message, remaining).await;
        if let Err(err) = stored {
            tracing::warn!("updating the outbox: {err}");
        }
        if let Err((_, err)) = outcome {
            if matches!(err, RequestError::Network(_) | RequestError::Io(_)) {
                tracing::warn!("Telegram unreachable, the outbox waits: {}", describe(&err));
                return;
            }
        }
    }
}

/// The Telegram chat a waiting message goes to: a person's private chat, or a linked chat.
fn telegram_chat(message: &Waiting) -> Option<ChatId> {
    let who = message.person.as_str();
    let id = who
        .strip_prefix("telegram:")
        .or_else(|| who.strip_prefix("telegram-chat:"))?;
    id.parse().ok().map(ChatId)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_split_at_lines_within_the_limit_and_nothing_is_lost() {
        let text = "ord ".repeat(3000) + "\n" + "æ😀".repeat(2000).as_str();
        let parts = split(&text, MAX_MESSAGE_UNITS);
        assert!(parts.len() > 1);
        assert!(parts
            .iter()
            .all(|p| p.encode_utf16().count() <= MAX_MESSAGE_UNITS));
        assert_eq!(parts.concat(), text);
        assert_eq!(split("kort", 10), vec!["kort"]);
    }

    #[test]
    fn callback_data_round_trips_and_junk_is_ignored() {
        assert_eq!(parse_callback("12:yes"), Some((12, "yes".into())));
        assert_eq!(
            parse_callback("3:/followup 2"),
            Some((3, "/followup 2".into()))
        );
        assert_eq!(parse_callback("x:1"), None);
        assert_eq!(parse_callback("nothing"), None);
    }

    #[test]
    fn danish_language_codes_give_danish() {
        assert_eq!(language(Some("da")), Lang::Da);
        assert_eq!(language(Some("da-DK")), Lang::Da);
        assert_eq!(language(Some("en-GB")), Lang::En);
        assert_eq!(language(None), Lang::En);
    }
}
