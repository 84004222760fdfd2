//! The Telegram channel: long polling with teloxide, private chats carry the dialogues.
//!
//! teloxide routes updates; the engine owns conversation state (teloxide's dialogue storage
//! is keyed by chat and has no sled backend). One chat's updates are handled in order,
//! different chats in parallel. Outgoing messages go through teloxide's `Throttle` (1 a
//! second a chat, 30 a second in all; a `RetryAfter` is waited out and the message sent
//! again), and what the scheduler made (follow-up offers, reminders, digests) is taken from
//! the outbox and sent the same way, then removed only once Telegram accepted it.

pub mod emulator;

use std::sync::Arc;
use std::time::Duration;

use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::{Dispatcher, UpdateFilterExt};
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, BotCommandScope, CallbackQuery, ChatId, InlineKeyboardButton,
    InlineKeyboardButtonKind, InlineKeyboardMarkup,
};
use teloxide::update_listeners::Polling;
use teloxide::{ApiError, RequestError};
use tokio::sync::watch;

use crate::app::{App, Event, Profile};
use crate::dialogs::Role;
use crate::engine::{Body, Reply, ReplyChoice};
use crate::i18n::{I18nError, Lang, Locales};
use crate::records::PersonId;
use crate::scheduler::{self, Schedule};
use crate::store::{Store, Waiting};

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
];

/// The command menu: (English command, Danish command, description). Telegram command names
/// are a-z, 0-9 and _, so the Danish ones are the ASCII spellings the engine also reads.
const MENU: [(&str, &str, &str); 11] = [
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
/// How often the scheduler runs.
const SCHEDULER_EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error("no Telegram token: set TELEGRAM_BOT_TOKEN (or `token` in the [telegram] section)")]
    NoToken,
    #[error("the Telegram API URL `{0}` is not a URL")]
    BadUrl(String),
    #[error("Telegram: {0}")]
    Request(#[from] RequestError),
    #[error("the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Message(#[from] I18nError),
}

/// What the channel needs to start.
#[derive(Clone, Debug)]
pub struct Options {
    pub token: String,
    pub api_url: String,
    /// Off only against a local emulator (tests, benchmarks).
    pub throttle: bool,
    pub schedule: Schedule,
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

/// Everything a handler needs.
struct Channel<S> {
    app: Arc<App<S>>,
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
        serve(app, bot.throttle(Limits::default()), options, stop).await
    } else {
        // Only against a local emulator: Throttle's worker looks at its queue every 250 ms,
        // which would dominate a benchmark and slow the tests.
        serve(app, bot, options, stop).await
    }
}

async fn serve<S: Store, B: TgBot>(
    app: Arc<App<S>>,
    bot: B,
    options: Options,
    stop: watch::Receiver<bool>,
) -> Result<(), TelegramError> {
    let Some(me) = connect(&bot, stop.clone()).await? else {
        return Ok(());
    };
    tracing::info!(bot = %me.username(), "Telegram connected");
    set_menu(&bot, &app.content().locales).await;

    let channel = Arc::new(Channel { app: app.clone() });
    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(on_message::<S, B>))
        .branch(Update::filter_edited_message().endpoint(on_edited::<S, B>))
        .branch(Update::filter_callback_query().endpoint(on_button::<S, B>));
    let mut dispatcher = Dispatcher::builder(bot.clone(), handler)
        .dependencies(dptree::deps![channel])
        .distribution_function(|update: &Update| update.chat().map(|chat| chat.id))
        .default_handler(|update| async move {
            tracing::debug!(update = update.id.0, "an update of a kind not handled");
        })
        .error_handler(LoggingErrorHandler::with_custom_text("Telegram handler"))
        .build();
    let shutdown = dispatcher.shutdown_token();
    let stop_dispatcher = stop.clone();
    let stopper = tokio::spawn(async move {
        stopped(stop_dispatcher).await;
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
    });
    let background = tokio::spawn(deliver_and_schedule(
        app.clone(),
        bot.clone(),
        options.schedule,
        stop.clone(),
    ));
    let listener = Polling::builder(bot.clone())
        .timeout(POLL_TIMEOUT)
        .delete_webhook()
        .await
        .build();
    dispatcher
        .dispatch_with_listener(
            listener,
            LoggingErrorHandler::with_custom_text("Telegram polling"),
        )
        .await;
    stopped(stop).await;
    let _ = stopper.await;
    let _ = background.await;
    Ok(())
}

/// Asks Telegram who the bot is. A refused token ends the channel with a clear error; a
/// network failure is retried with growing pauses (up to a minute), so a bot started
/// before the network is up does not crash in a loop. `None` when stopped meanwhile.
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
            Err(err @ (RequestError::Network(_) | RequestError::Io(_))) => {
                tracing::warn!("Telegram unreachable, trying again in {pause:?}: {err}");
            }
            Err(RequestError::RetryAfter(after)) => pause = after.duration(),
            Err(err) => return Err(err.into()),
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
            tracing::warn!("setting the command menu: {err}");
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

async fn on_message<S: Store, B: TgBot>(
    bot: B,
    message: Message,
    update: Update,
    channel: Arc<Channel<S>>,
) -> ResponseResult<()> {
    let Some(user) = message.from.clone() else {
        return Ok(());
    };
    if !message.chat.is_private() {
        return in_group(&bot, &message, &user, &channel).await;
    }
    // Anything but text (photos, voice, stickers, files, places, contacts, polls) is not
    // read and not stored: the engine answers that it reads text only.
    let body = match message.text() {
        Some(text) => Body::Text(text.to_owned()),
        None => Body::Unsupported,
    };
    let event = Event {
        id: Some(format!("u{}", update.id.0)),
        body,
    };
    handle(&bot, &channel, message.chat.id, &user, event).await
}

async fn on_edited<S: Store, B: TgBot>(
    bot: B,
    message: Message,
    update: Update,
    channel: Arc<Channel<S>>,
) -> ResponseResult<()> {
    let Some(user) = message.from.clone() else {
        return Ok(());
    };
    if !message.chat.is_private() {
        return Ok(());
    }
    let event = Event {
        id: Some(format!("u{}", update.id.0)),
        body: Body::Edited,
    };
    handle(&bot, &channel, message.chat.id, &user, event).await
}

/// In a group chat the bot does not hold dialogues: /start gets a note to write privately;
/// a facilitator may /linkdigest the chat to receive the group's digest there (and
/// /unlinkdigest it); everything else is left to the people in it.
async fn in_group<S: Store, B: TgBot>(
    bot: &B,
    message: &Message,
    user: &teloxide::types::User,
    channel: &Channel<S>,
) -> ResponseResult<()> {
    let command = message
        .text()
        .and_then(|t| t.split_whitespace().next())
        .map(|word| word.split('@').next().unwrap_or_default().to_lowercase());
    let lang = language(user.language_code.as_deref());
    let locales = &channel.app.content().locales;
    let reply = match command.as_deref() {
        Some("/start") => locales.format(lang, "telegram-group-note", &[]),
        Some(command @ ("/linkdigest" | "/unlinkdigest")) => {
            let link = command == "/linkdigest";
            let chat = PersonId::new("telegram-chat", &message.chat.id.0.to_string());
            let person = person_of(user);
            match channel
                .app
                .link_digest_chat(&person, chat, lang, link)
                .await
            {
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
    channel: Arc<Channel<S>>,
) -> ResponseResult<()> {
    // Answered first, so the person's app stops its spinner whatever happens next.
    if let Err(err) = bot.answer_callback_query(query.id.clone()).await {
        tracing::warn!("answering a button: {err}");
    }
    let Some(message) = query.regular_message().cloned() else {
        return Ok(());
    };
    let Some((prompt, reply)) = query.data.as_deref().and_then(parse_callback) else {
        return Ok(());
    };
    let person = person_of(&query.from);
    let current = match channel.app.records().conversation(&person) {
        Ok(conversation) => conversation.is_some_and(|c| c.prompt == prompt),
        Err(err) => {
            tracing::error!(person = %person.pseudonym(), "reading a conversation: {err}");
            false
        }
    };
    // The pressed question loses its buttons so it cannot be pressed twice; the current
    // one also shows what was chosen.
    let label = button_label(&message, query.data.as_deref().unwrap_or_default());
    let lang = language(query.from.language_code.as_deref());
    let edited = match (current, message.text(), label) {
        (true, Some(text), Some(label)) => channel
            .app
            .content()
            .locales
            .format(lang, "telegram-chosen", &[("answer", label.into())])
            .ok()
            .map(|chosen| format!("{text}\n\n{chosen}")),
        _ => None,
    };
    let result = match edited {
        Some(text) => bot
            .edit_message_text(message.chat.id, message.id, text)
            .reply_markup(InlineKeyboardMarkup::default())
            .await
            .map(|_| ()),
        None => bot
            .edit_message_reply_markup(message.chat.id, message.id)
            .reply_markup(InlineKeyboardMarkup::default())
            .await
            .map(|_| ()),
    };
    if let Err(err) = result {
        tracing::warn!("removing the buttons of a question: {err}");
    }
    let event = Event {
        id: Some(format!("u{}", update.id.0)),
        body: Body::Button { prompt, reply },
    };
    handle(&bot, &channel, message.chat.id, &query.from, event).await
}

/// Runs one event through the app and sends the replies; a failure is told kindly.
async fn handle<S: Store, B: TgBot>(
    bot: &B,
    channel: &Channel<S>,
    chat: ChatId,
    user: &teloxide::types::User,
    event: Event,
) -> ResponseResult<()> {
    let person = person_of(user);
    match channel.app.handle(&person, profile_of(user), event).await {
        Ok(replies) => send(bot, chat, &replies).await,
        Err(err) => {
            tracing::error!(person = %person.pseudonym(), "handling a message: {err}");
            let lang = language(user.language_code.as_deref());
            if let Ok(text) = channel
                .app
                .content()
                .locales
                .format(lang, "telegram-error", &[])
            {
                bot.send_message(chat, text).await?;
            }
            Ok(())
        }
    }
}

/// Sends replies in order: plain text (never parsed as markup, so echoed words cannot change
/// how a message shows), buttons as an inline keyboard, long text in several messages.
async fn send<B: TgBot>(bot: &B, chat: ChatId, replies: &[Reply]) -> ResponseResult<()> {
    for reply in replies {
        let parts = split(&reply.text, MAX_MESSAGE_UNITS);
        let last = parts.len().saturating_sub(1);
        for (i, part) in parts.into_iter().enumerate() {
            let markup = if i == last { keyboard(reply) } else { None };
            send_one(bot, chat, part, markup).await?;
        }
    }
    Ok(())
}

/// Sends one message, waiting out Telegram's "retry after" (Throttle does so for throttled
/// bots; this covers the unthrottled one and a second refusal), a few times at most.
async fn send_one<B: TgBot>(
    bot: &B,
    chat: ChatId,
    text: String,
    markup: Option<InlineKeyboardMarkup>,
) -> ResponseResult<()> {
    let mut attempts = 0;
    loop {
        // No parse mode: plain text.
        let mut request = bot.send_message(chat, text.clone());
        if let Some(markup) = markup.clone() {
            request = request.reply_markup(markup);
        }
        match request.await {
            Ok(_) => return Ok(()),
            Err(RequestError::RetryAfter(after)) if attempts < SEND_ATTEMPTS => {
                attempts += 1;
                tracing::info!(
                    "Telegram asks to wait {:?} before sending",
                    after.duration()
                );
                tokio::time::sleep(after.duration()).await;
            }
            Err(err) => return Err(err),
        }
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
    let units = |s: &str| s.encode_utf16().count();
    if units(text) <= max {
        return vec![text.to_owned()];
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if units(&current) + units(line) > max && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        if units(line) > max {
            for c in line.chars() {
                if units(&current) + c.len_utf16() > max {
                    parts.push(std::mem::take(&mut current));
                }
                current.push(c);
            }
        } else {
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Sends what the scheduler left in the outbox for Telegram people, and runs the scheduler,
/// until `stop`.
async fn deliver_and_schedule<S: Store, B: TgBot>(
    app: Arc<App<S>>,
    bot: B,
    schedule: Schedule,
    stop: watch::Receiver<bool>,
) {
    let mut outbox = tokio::time::interval(OUTBOX_EVERY);
    let mut scheduler = tokio::time::interval(SCHEDULER_EVERY);
    let stopped = stopped(stop);
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            () = &mut stopped => break,
            _ = scheduler.tick() => {
                if let Err(err) = scheduler::tick(&app, &schedule).await {
                    tracing::warn!("scheduler: {err}");
                }
            }
            _ = outbox.tick() => deliver(&app, &bot).await,
        }
    }
    // What is waiting stays in the outbox for the next start.
}

/// Resolves when `stop` turns true (or its sender is gone).
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

async fn deliver<S: Store, B: TgBot>(app: &App<S>, bot: &B) {
    let waiting = match app.records().outbox(None) {
        Ok(waiting) => waiting,
        Err(err) => {
            tracing::warn!("reading the outbox: {err}");
            return;
        }
    };
    for message in waiting {
        let Some(chat) = telegram_chat(&message) else {
            continue;
        };
        let done = match send(bot, chat, &message.replies).await {
            Ok(()) => true,
            // The person blocked the bot or left: the message can never be delivered.
            Err(RequestError::Api(
                ApiError::BotBlocked | ApiError::ChatNotFound | ApiError::UserDeactivated,
            )) => {
                tracing::warn!(person = %message.person.pseudonym(), "undeliverable, dropped");
                true
            }
            Err(err) => {
                tracing::warn!(person = %message.person.pseudonym(), "sending later: {err}");
                false
            }
        };
        if done {
            if let Err(err) = app
                .records()
                .delivered(std::slice::from_ref(&message))
                .await
            {
                tracing::warn!("clearing the outbox: {err}");
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
        let text = "ord ".repeat(3000) + "\n" + &"æ😀".repeat(2000);
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
