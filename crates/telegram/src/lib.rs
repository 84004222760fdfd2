//! The Telegram channel: long polling with teloxide, private chats carry the dialogues.
//!
//! teloxide polls and types the updates; the engine owns conversation state (teloxide's
//! dialogue storage is keyed by chat and has no sled backend). One loop takes every update as
//! it arrives, applies the per-person flood limit there, and hands it to its chat's lane
//! (the channel kit's lanes): one chat's updates are handled in order, different chats in
//! parallel, and a chat whose lane is full loses its excess input instead of holding up the
//! loop. Each chat's replies go to that chat's own sender (the kit's), one message at a
//! time, through teloxide's `Throttle` (1 a second and 20 a minute a chat, 30 a second in
//! all; a `RetryAfter` is waited out and the message sent again). What the scheduler made
//! (follow-up offers, reminders, digests), or a reply that could not be sent at once, is
//! delivered by the kit's outbox loop through [`Telegram`], this platform's transport.

use std::sync::Arc;
use std::time::Duration;

use fluent_bundle::FluentValue;
use futures_util::StreamExt as _;
use teloxide::adaptors::throttle::Limits;
use teloxide::prelude::*;
use teloxide::types::{
    AllowedUpdate, BotCommand, BotCommandScope, CallbackQuery, ChatId, InlineKeyboardButton,
    InlineKeyboardButtonKind, InlineKeyboardMarkup, InputFile, UpdateKind, User,
};
use teloxide::update_listeners::{AsUpdateStream as _, Polling, UpdateListener as _};
use teloxide::{ApiError, RequestError};
use tokio_util::sync::CancellationToken;

use eftertanke_app::kit::lanes::{admit, Drops, Lanes, Worker};
use eftertanke_app::kit::outbox;
use eftertanke_app::kit::sender::{Outbound, Sender};
use eftertanke_app::kit::text::split;
use eftertanke_app::kit::transport::{Failure, Transport};
use eftertanke_app::{App, Event, Profile};
use eftertanke_core::command::{split_command, Command, Listed};
use eftertanke_core::dialogs::Role;
use eftertanke_core::engine::{Body, Reply, ReplyChoice};
use eftertanke_core::flood::{Admit, FloodGate};
use eftertanke_core::i18n::{I18nError, Lang, Locales};
use eftertanke_core::records::{PersonId, Platform, Recipient};
use eftertanke_store::Store;

/// Every message this channel writes itself (the rest comes from the engine).
pub const MESSAGES: &[(&str, &[&str])] = &[
    ("telegram-group-note", &[]),
    ("telegram-error", &[]),
    ("telegram-chosen", &["answer"]),
    ("telegram-linked", &["name"]),
    ("telegram-unlinked", &["name"]),
];

/// Telegram's limit on a message, in UTF-16 code units.
const MAX_MESSAGE_UNITS: usize = 4096;
/// Telegram's limit on a photo's caption, in UTF-16 code units.
const MAX_CAPTION_UNITS: usize = 1024;
/// Telegram's limit on a button's callback data, in bytes.
const MAX_CALLBACK_BYTES: usize = 64;
/// How long a long poll waits for updates.
const POLL_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error(
        "no Telegram token: give the credential `telegram-token`, or set TELEGRAM_BOT_TOKEN \
         (or `token` in the [telegram] section)"
    )]
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

/// Asks Telegram (`getMe`) whether it takes `token`: the bot's username if it does. For
/// `eftertanke doctor`; makes no other request.
pub async fn check_token(api_url: &str, token: &str) -> Result<String, TelegramError> {
    let url = api_url
        .parse()
        .map_err(|_| TelegramError::BadUrl(api_url.to_owned()))?;
    let bot = Bot::new(token).set_api_url(url);
    match bot.get_me().await {
        Ok(me) => Ok(me.username().to_owned()),
        Err(RequestError::Api(ApiError::InvalidToken)) => Err(TelegramError::Refused),
        Err(err) => Err(TelegramError::Client(describe(&err))),
    }
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
        SendPhoto: Send,
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
            SendPhoto: Send,
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

/// Runs the channel until `stop` is cancelled: then no new updates are taken, updates in
/// flight are finished, replies not yet sent are kept in the outbox, and it returns (the
/// caller drops the app, which flushes the store).
pub async fn run<S: Store>(
    app: Arc<App<S>>,
    options: Options,
    stop: CancellationToken,
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

/// What the chat workers share.
struct Shared<S, B> {
    app: Arc<App<S>>,
    bot: B,
    telegram: Arc<Telegram<B>>,
    me: teloxide::types::Me,
    /// Once stopping, replies go to the outbox rather than into a throttled send.
    stop: CancellationToken,
}

/// The intake: one loop takes every update as it arrives, applies the flood limit at once,
/// and hands what it reads to its chat's lane. It never waits for a chat, so one chat's
/// flood cannot hold up anyone else (see [`super::lanes`]).
async fn serve<S: Store, B: TgBot>(
    app: Arc<App<S>>,
    bot: B,
    stop: CancellationToken,
) -> Result<(), TelegramError> {
    let Some(me) = connect(&bot, &stop).await? else {
        return Ok(());
    };
    tracing::info!(bot = %me.username(), "Telegram connected");
    app.metrics().contact_ok(Platform::Telegram, app.now());
    set_menu(&bot, &app.content().locales).await;
    let telegram = Arc::new(Telegram { bot: bot.clone() });
    let delivery = tokio::spawn(outbox::deliver(app.clone(), telegram.clone(), stop.clone()));
    let shared = Arc::new(Shared {
        app: app.clone(),
        bot: bot.clone(),
        telegram,
        me,
        stop: stop.clone(),
    });
    let drops = Arc::new(Drops::counted(app.metrics(), Platform::Telegram));
    let gate = FloodGate::default();
    let mut lanes: Lanes<ChatId, ChatWorker<S, B>> = Lanes::new(drops.clone());
    let mut listener = Polling::builder(bot.clone())
        .timeout(POLL_TIMEOUT)
        .allowed_updates(vec![
            AllowedUpdate::Message,
            AllowedUpdate::EditedMessage,
            AllowedUpdate::CallbackQuery,
        ])
        .delete_webhook()
        .await
        .build();
    // Asked to stop, the stream confirms what it handed out and ends.
    let polling = listener.stop_token();
    let stream = listener.as_stream();
    tokio::pin!(stream);
    let mut stopping = false;
    let mut counted = drops.counts();
    let mut report = tokio::time::interval(DROPS_REPORT_EVERY);
    loop {
        let update = tokio::select! {
            () = stop.cancelled(), if !stopping => {
                stopping = true;
                polling.stop();
                continue;
            }
            _ = report.tick() => {
                counted = drops.log_if_changed(counted, "telegram");
                // A quiet bot gets no updates: asking who it is shows Telegram still answers.
                tokio::spawn(probe(app.clone(), bot.clone()));
                continue;
            }
            update = stream.next() => update,
        };
        match update {
            None => break,
            Some(Ok(update)) => {
                app.metrics().contact_ok(Platform::Telegram, app.now());
                let Some(arrived) = Arrived::of(update, &shared.me) else {
                    continue;
                };
                let limit = app.settings().flood_limit;
                let job = match admit(&gate, &drops, limit, &arrived.person, app.now()) {
                    Admit::Yes => Job::Read(arrived.inbound),
                    Admit::Warn => Job::SlowDown {
                        person: arrived.person,
                        lang: arrived.lang,
                    },
                    Admit::Quiet => continue,
                };
                let chat = arrived.chat;
                lanes.offer(chat, job, || ChatWorker::open(shared.clone(), chat));
            }
            // The stream waits before it polls again.
            Some(Err(err)) => {
                app.metrics().contact_failed(Platform::Telegram, app.now());
                tracing::warn!("Telegram polling: {}", describe(&err));
            }
        }
    }
    lanes.close().await;
    drops.log_if_changed(counted, "telegram");
    if let Err(err) = delivery.await {
        tracing::error!("the outbox delivery ended abnormally: {err}");
    }
    Ok(())
}

/// Asks Telegram who the bot is, for `/healthz`: whether Telegram answers.
async fn probe<S: Store, B: TgBot>(app: Arc<App<S>>, bot: B) {
    match bot.get_me().await {
        Ok(_) => app.metrics().contact_ok(Platform::Telegram, app.now()),
        Err(err) => {
            app.metrics().contact_failed(Platform::Telegram, app.now());
            tracing::warn!("Telegram did not answer: {}", describe(&err));
        }
    }
}

/// How often the drop counts are logged (when they changed), and Telegram asked.
const DROPS_REPORT_EVERY: Duration = Duration::from_secs(60);

/// An update the bot reads, with where it came from.
struct Arrived {
    chat: ChatId,
    person: PersonId,
    lang: Lang,
    inbound: Inbound,
}

/// What an update says, as the chat worker reads it.
enum Inbound {
    /// A message in a private chat: text, or anything else (answered, not read).
    Private { update: u32, user: User, body: Body },
    /// A command for this bot in a group chat, with the chat's title.
    Group {
        user: User,
        command: Command,
        title: Option<String>,
    },
    /// A button pressed on one of the bot's messages.
    Button {
        update: u32,
        query: Box<CallbackQuery>,
    },
}

impl Arrived {
    /// What the bot reads of an update; `None` for what is not for it (other bots' commands
    /// and talk in group chats, kinds it did not ask for).
    fn of(update: Update, me: &teloxide::types::Me) -> Option<Arrived> {
        let id = update.id.0;
        let (chat, user, inbound) = match update.kind {
            UpdateKind::Message(message) | UpdateKind::EditedMessage(message)
                if message.chat.is_private() =>
            {
                let user = message.from.clone()?;
                let body = if message.edit_date().is_some() {
                    Body::Edited
                } else {
                    // Anything but text (photos, voice, stickers, files, places, contacts,
                    // polls) is not read and not stored: the engine answers it reads text only.
                    message
                        .text()
                        .map_or(Body::Unsupported, |text| Body::Text(text.to_owned()))
                };
                let inbound = Inbound::Private {
                    update: id,
                    user: user.clone(),
                    body,
                };
                (message.chat.id, user, inbound)
            }
            UpdateKind::Message(message) => {
                let user = message.from.clone()?;
                let command = group_command(&message, me)?;
                let title = message.chat.title().map(str::to_owned);
                (
                    message.chat.id,
                    user.clone(),
                    Inbound::Group {
                        user,
                        command,
                        title,
                    },
                )
            }
            UpdateKind::CallbackQuery(query) => {
                let chat = query.regular_message().map(|m| m.chat.id)?;
                let user = query.from.clone();
                let inbound = Inbound::Button {
                    update: id,
                    query: Box::new(query),
                };
                (chat, user, inbound)
            }
            _ => return None,
        };
        Some(Arrived {
            chat,
            person: person_of(&user),
            lang: language(user.language_code.as_deref()),
            inbound,
        })
    }
}

/// The command of a group-chat message addressed to this bot ("/start", "/start@thisbot");
/// `None` for talk, for commands the bot does not know, and for other bots' commands
/// ("/start@otherbot").
fn group_command(message: &Message, me: &teloxide::types::Me) -> Option<Command> {
    let word = message.text()?.split_whitespace().next()?;
    let (name, _) = split_command(word)?;
    let to = word.split_once('@').map_or(me.username(), |(_, to)| to);
    to.eq_ignore_ascii_case(me.username())
        .then(|| Command::named(&name))
        .flatten()
}

/// A job of one chat's lane.
enum Job {
    Read(Inbound),
    /// The person went over the flood limit: told once, in order after what was read.
    SlowDown {
        person: PersonId,
        lang: Lang,
    },
}

/// One chat's worker: handles its updates in order and hands the replies to the chat's own
/// sender, so handling never waits on a throttled send (20 a minute to one chat).
struct ChatWorker<S, B> {
    shared: Arc<Shared<S, B>>,
    chat: ChatId,
    sender: Sender,
}

impl<S: Store, B: TgBot> ChatWorker<S, B> {
    fn open(shared: Arc<Shared<S, B>>, chat: ChatId) -> ChatWorker<S, B> {
        let (app, telegram) = (shared.app.clone(), shared.telegram.clone());
        let sender = Sender::spawn(app, telegram, chat, shared.stop.clone());
        ChatWorker {
            shared,
            chat,
            sender,
        }
    }

    async fn reply(&self, person: PersonId, tag: String, replies: Vec<Reply>) {
        let out = Outbound {
            person,
            tag,
            replies,
        };
        self.sender.send(&self.shared.app, out).await;
    }

    /// A message of the channel's own, or nothing if it does not format (start-up checks
    /// rule that out; the error is logged).
    fn own(&self, lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> Option<Reply> {
        match self.shared.app.content().locales.format(lang, id, args) {
            Ok(text) => Some(Reply::plain(text)),
            Err(err) => {
                tracing::error!("{err}");
                None
            }
        }
    }

    /// Runs one event through the app and hands on the replies. True when the app handled
    /// it; a failure is told kindly.
    async fn converse(&self, user: &User, update: u32, body: Body) -> bool {
        let app = &self.shared.app;
        let person = person_of(user);
        let event = Event {
            id: Some(format!("u{update}")),
            body,
        };
        let tag = format!("unsent-u{update}");
        match app.handle(&person, profile_of(user), event).await {
            Ok(replies) => {
                self.reply(person, tag, replies).await;
                true
            }
            Err(err) => {
                tracing::error!(person = %person.pseudonym(), "handling a message: {err}");
                let lang = language(user.language_code.as_deref());
                let note = self.own(lang, "telegram-error", &[]);
                self.reply(person, tag, note.into_iter().collect()).await;
                false
            }
        }
    }

    /// In a group chat the bot does not hold dialogues: /start gets a note to write
    /// privately; a facilitator may /linkdigest the chat to receive the group's digest there
    /// (and /unlinkdigest it); other commands are left to the people in it.
    async fn in_group(&self, user: &User, command: Command, title: Option<String>) {
        let app = &self.shared.app;
        let lang = language(user.language_code.as_deref());
        let here = PersonId::chat(Platform::Telegram, &self.chat.0.to_string());
        let note = match command {
            Command::Start => self.own(lang, "telegram-group-note", &[]),
            Command::LinkDigest | Command::UnlinkDigest => {
                let link = command == Command::LinkDigest;
                let person = person_of(user);
                match app
                    .link_digest_chat(&person, here.clone(), title, lang, link)
                    .await
                {
                    Ok(Some(name)) => {
                        let id = if link {
                            "telegram-linked"
                        } else {
                            "telegram-unlinked"
                        };
                        self.own(lang, id, &[("name", name.into())])
                    }
                    Ok(None) => self.own(lang, "not-allowed", &[]),
                    Err(err) => {
                        tracing::error!(person = %person.pseudonym(), "linking a chat: {err}");
                        self.own(lang, "telegram-error", &[])
                    }
                }
            }
            _ => None,
        };
        self.reply(here, "group".into(), note.into_iter().collect())
            .await;
    }

    async fn on_button(&self, update: u32, query: CallbackQuery) {
        let (app, bot) = (&self.shared.app, &self.shared.bot);
        // Answered first, so the person's app stops its spinner whatever happens next.
        if let Err(err) = bot.answer_callback_query(query.id.clone()).await {
            tracing::warn!("answering a button: {}", describe(&err));
        }
        let Some(message) = query.regular_message() else {
            return;
        };
        // A press counts only in the chat its button was sent to, the presser's own private
        // chat: not on a message in a group, nor on someone else's question.
        if message.chat.id != ChatId::from(query.from.id) {
            tracing::info!("a button pressed outside the chat it was sent to: ignored");
            return;
        }
        let Some((prompt, reply)) = query.data.as_deref().and_then(parse_callback) else {
            return;
        };
        let person = person_of(&query.from);
        let current = match app.records().conversation(&person) {
            Ok(conversation) => conversation.is_some_and(|c| c.prompt == prompt),
            Err(err) => {
                tracing::error!(person = %person.pseudonym(), "reading a conversation: {err}");
                false
            }
        };
        let handled = self
            .converse(&query.from, update, Body::Button { prompt, reply })
            .await;
        // Then the pressed question loses its buttons, so it cannot be pressed twice; when
        // it was the current question and the answer was taken, it also shows what was
        // chosen. Edits are not throttled.
        let label = button_label(message, query.data.as_deref().unwrap_or_default());
        let lang = language(query.from.language_code.as_deref());
        let chosen = match (handled && current, message.text(), label) {
            (true, Some(text), Some(label)) => self
                .own(lang, "telegram-chosen", &[("answer", label.into())])
                .map(|chosen| format!("{text}\n\n{}", chosen.text)),
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
    }
}

impl<S: Store, B: TgBot> Worker for ChatWorker<S, B> {
    type Job = Job;

    async fn work(&mut self, job: Job) {
        match job {
            Job::Read(Inbound::Private { update, user, body }) => {
                self.converse(&user, update, body).await;
            }
            Job::Read(Inbound::Group {
                user,
                command,
                title,
            }) => {
                self.in_group(&user, command, title).await;
            }
            Job::Read(Inbound::Button { update, query }) => self.on_button(update, *query).await,
            Job::SlowDown { person, lang } => {
                let note = self.own(lang, "flood-slow-down", &[]);
                self.reply(person, "flood".into(), note.into_iter().collect())
                    .await;
            }
        }
    }

    async fn finish(self) {
        self.sender.finish().await;
    }
}

/// A request error as it may be logged: nothing of Telegram's answer (which can hold people's
/// words and names) and no chat id; serde's message quotes what it found, so only its class
/// and place are kept.
fn describe(err: &RequestError) -> String {
    match err {
        RequestError::InvalidJson { source, .. } => format!(
            "unexpected answer from Telegram: {}",
            eftertanke_store::serde_problem(source)
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
    stop: &CancellationToken,
) -> Result<Option<teloxide::types::Me>, TelegramError> {
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
            () = stop.cancelled() => return Ok(None),
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
        let commands: Result<Vec<BotCommand>, I18nError> = Command::ALL
            .iter()
            .filter(|spec| spec.listed == Listed::Everyone)
            .map(|spec| {
                let what = locales.format(lang, &format!("command-{}", spec.en), &[])?;
                Ok(BotCommand::new(spec.command.name(lang), capitalised(&what)))
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

/// A menu line starts with a capital, as Telegram's menus do ("Choose a talk").
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
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

/// Telegram as the kit's transport: a chat is the place.
pub struct Telegram<B> {
    bot: B,
}

impl<B: TgBot> Transport for Telegram<B> {
    type Place = ChatId;
    const PLATFORM: Platform = Platform::Telegram;

    /// A person's private chat has their user id; a group chat its own.
    async fn place(&self, to: Recipient<'_>) -> Result<Option<ChatId>, Failure> {
        let (Recipient::Person(_, id) | Recipient::Chat(_, id)) = to;
        Ok(id.parse().ok().map(ChatId))
    }

    /// Plain text (never parsed as markup, so echoed words cannot change how a message
    /// shows), long text in several messages at Telegram's limit, buttons as an inline
    /// keyboard on the last, a file as a document, a picture as a photo with its words as
    /// the caption.
    async fn send(&self, chat: &ChatId, reply: &Reply) -> Result<(), Failure> {
        let text = listed(reply);
        let parts = if text.is_empty() {
            Vec::new()
        } else {
            split(&text, MAX_MESSAGE_UNITS)
        };
        let last = parts.len().saturating_sub(1);
        for (i, part) in parts.into_iter().enumerate() {
            let mut request = self.bot.send_message(*chat, part);
            if let Some(markup) = keyboard(reply).filter(|_| i == last) {
                request = request.reply_markup(markup);
            }
            request.await.map_err(|err| failure(&err))?;
        }
        if let Some(file) = &reply.file {
            let upload =
                InputFile::memory(file.content.clone().into_bytes()).file_name(file.name.clone());
            self.bot
                .send_document(*chat, upload)
                .await
                .map_err(|err| failure(&err))?;
        }
        if let Some(picture) = &reply.picture {
            let upload = InputFile::memory(picture.png.clone()).file_name(picture.name.clone());
            // Plain text, cut at Telegram's limit (the words are well below it).
            let caption = split(&picture.alt, MAX_CAPTION_UNITS)
                .into_iter()
                .next()
                .unwrap_or_default();
            self.bot
                .send_photo(*chat, upload)
                .caption(caption)
                .await
                .map_err(|err| failure(&err))?;
        }
        Ok(())
    }
}

/// How the kit is to treat a failed request. Telegram's JSON errors carry no status the
/// client keeps, only a description: "Bad Request: …" and "Forbidden: …" (blocked, chat not
/// found, kicked) are refusals for good; anything else it says (its 5xx: "Internal Server
/// Error", "Bad Gateway") is worth trying again, as is an answer that is not JSON (a proxy's
/// error page) and a timeout. A refused token keeps everything: it is the bot, not the
/// message.
fn failure(err: &RequestError) -> Failure {
    let why = describe(err);
    match err {
        RequestError::RetryAfter(after) => Failure::Later {
            after: Some(after.duration()),
            why,
        },
        RequestError::Api(ApiError::InvalidToken) => Failure::Unreachable(why),
        RequestError::Api(ApiError::Unknown(text))
            if !text.starts_with("Bad Request") && !text.starts_with("Forbidden") =>
        {
            Failure::Later { after: None, why }
        }
        RequestError::MigrateToChatId(to) => Failure::Moved(to.0.to_string()),
        RequestError::Api(_) => Failure::Refused(why),
        RequestError::InvalidJson { .. } => Failure::Later { after: None, why },
        RequestError::Network(err) if err.is_timeout() => Failure::Later { after: None, why },
        RequestError::Network(_) | RequestError::Io(_) => Failure::Unreachable(why),
    }
}

/// The reply's text; when its buttons carry shorter labels than its choices (the principles),
/// the choices whole as numbered lines after it, so the text says what the buttons mean.
fn listed(reply: &Reply) -> String {
    if reply.choices.iter().all(|choice| choice.button.is_none()) {
        return reply.text.clone();
    }
    let mut text = reply.text.clone();
    text.push('\n');
    for (i, choice) in reply.choices.iter().enumerate() {
        text.push_str(&format!("\n{}. {}", i + 1, choice.label));
    }
    text
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
            (data.len() <= MAX_CALLBACK_BYTES).then(|| {
                let label = choice.button.as_ref().unwrap_or(&choice.label);
                InlineKeyboardButton::callback(label.clone(), data)
            })
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

#[cfg(test)]
mod tests {
    use super::*;

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
