//! A local Telegram Bot API emulator, for end-to-end tests and the benchmark.
//!
//! teloxide talks to it as to api.telegram.org (`POST /bot{token}/{Method}`, answers shaped
//! as the Bot API documents them). Tests play the people (`text`, `press`, `non_text`, ...)
//! and read back what the bot sent (`sent`, `wait_for`). It enforces what Telegram enforces
//! and a bot can get wrong (message length, button data, editing a missing or unchanged
//! message, one poller at a time), so a test fails here where Telegram would refuse.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{self, FromRequest, Path, RawQuery};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// Telegram's limit on a message, in UTF-16 code units.
const MAX_TEXT_UNITS: usize = 4096;
/// Telegram's limit on a button's callback data, in bytes.
const MAX_CALLBACK_BYTES: usize = 64;
/// Telegram's limits on a document a bot uploads, and on its caption (UTF-16 code units).
const MAX_DOCUMENT_BYTES: usize = 50 << 20;
/// Telegram takes photos of at most 10 MB.
const MAX_PHOTO_BYTES: usize = 10 << 20;
const MAX_CAPTION_UNITS: usize = 1024;
/// Telegram's words for an edit that changes nothing.
const NOT_MODIFIED: &str = "message is not modified: specified new message content and reply \
    markup are exactly the same as a current content and reply markup of the message";
/// Telegram's words to a long poll that a newer one replaced.
const CONFLICT: &str = "Conflict: terminated by other getUpdates request; make sure that only \
    one bot instance is running";
/// The methods answered; anything else is 404 as on Telegram.
const METHODS: [&str; 11] = [
    "getme",
    "getupdates",
    "sendmessage",
    "senddocument",
    "sendphoto",
    "editmessagetext",
    "editmessagereplymarkup",
    "answercallbackquery",
    "setmycommands",
    "getwebhookinfo",
    "deletewebhook",
];

/// One setMyCommands call: (language code, [(command, description)]).
pub type CommandMenu = (Option<String>, Vec<(String, String)>);

/// A message the bot sent, as it is now (after edits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub message_id: i32,
    pub chat_id: i64,
    pub text: String,
    /// The inline keyboard, row by row; empty when it has none.
    pub buttons: Vec<Vec<Button>>,
    pub edited: bool,
    /// A file sent with sendDocument; `text` is then its caption.
    pub document: Option<Document>,
    /// A picture sent with sendPhoto (the PNG's bytes); `text` is then its caption.
    pub photo: Option<Document>,
}

/// A file the bot sent: its name and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub name: String,
    pub content: Vec<u8>,
}

/// An inline keyboard button; `data` is its callback data (or its URL for a link button).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub text: String,
    pub data: String,
}

/// Messages a person can send that are not text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonText {
    Photo,
    Voice,
    Video,
    Sticker,
    Document,
    Location,
    Contact,
    Poll,
}

/// A running emulator; dropping it (or [`Emulator::shutdown`]) stops the server.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: Option<JoinHandle<()>>,
}

/// An error answer: HTTP status and `error_code` are the same number, as on Telegram; or,
/// with `html`, a web page as a proxy in front of Telegram answers (not JSON at all).
#[derive(Debug, Clone)]
struct ApiFail {
    code: u16,
    description: String,
    retry_after: Option<u32>,
    /// A group chat that became a supergroup: its new id, told to whoever writes to the old.
    migrate_to: Option<i64>,
    html: bool,
}

impl ApiFail {
    fn new(code: u16, description: &str) -> ApiFail {
        ApiFail {
            code,
            description: description.to_owned(),
            retry_after: None,
            migrate_to: None,
            html: false,
        }
    }

    fn bad(description: &str) -> ApiFail {
        ApiFail::new(400, &format!("Bad Request: {description}"))
    }
}

struct Shared {
    token: String,
    /// The bot's own `User` object.
    bot: Value,
    state: Mutex<State>,
    /// Woken when an update is queued or a newer poll supersedes the waiting ones.
    polls: Notify,
    /// Woken when the bot sends a message, for `wait_for`.
    sends: Notify,
    stop: watch::Sender<bool>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing under the lock panics (map and queue edits, JSON building), so a poisoned
        // lock comes from a panic elsewhere in a test thread: the state is still whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An update queued again by `redeliver`; it bypasses the offset until it was delivered and
/// a later poll confirmed it (so a poll whose answer was lost in a crash does not eat it).
struct Redelivery {
    id: i32,
    update: Value,
    delivered: bool,
}

/// A message the bot sent.
struct Stored {
    message_id: i32,
    date: i64,
    text: String,
    keyboard: Option<Value>,
    edit_date: Option<i64>,
    document: Option<Document>,
    /// `document` was sent as a photo: (width, height) read from the PNG.
    photo: Option<(u32, u32)>,
}

#[derive(Default)]
struct State {
    next_update: i32,
    queue: VecDeque<(i32, Value)>,
    redelivered: Vec<Redelivery>,
    /// Every update made, so any can be redelivered.
    history: HashMap<i32, Value>,
    /// The update kinds the bot asked for (Telegram remembers them); `None` is all.
    allowed: Option<Vec<String>>,
    /// Bumped by each getUpdates; an older waiting poll gets 409 Conflict, as on Telegram.
    poll_generation: u64,
    languages: HashMap<i64, String>,
    /// Message ids are per chat and shared by both sides, as in Telegram private chats.
    next_message: HashMap<i64, i32>,
    user_messages: HashMap<(i64, i32), Map<String, Value>>,
    bot_messages: HashMap<i64, Vec<Stored>>,
    send_times: HashMap<i64, Vec<Instant>>,
    callbacks_issued: HashSet<String>,
    answered: Vec<String>,
    commands: Vec<CommandMenu>,
    failures: HashMap<String, VecDeque<ApiFail>>,
    /// Group chats that became supergroups: old id → new id.
    migrated: HashMap<i64, i64>,
    calls: HashMap<String, usize>,
}

impl State {
    fn message_id(&mut self, chat: i64) -> i32 {
        let next = self.next_message.entry(chat).or_insert(1);
        let id = *next;
        *next += 1;
        id
    }

    fn push_update(&mut self, kind: &str, payload: Value) -> i32 {
        self.next_update += 1;
        let id = self.next_update;
        let mut update = Map::new();
        update.insert("update_id".into(), id.into());
        update.insert(kind.into(), payload);
        let update = Value::Object(update);
        self.history.insert(id, update.clone());
        self.queue.push_back((id, update));
        id
    }

    fn user(&self, user: i64) -> Value {
        let mut json = Map::new();
        json.insert("id".into(), user.into());
        json.insert("is_bot".into(), false.into());
        json.insert("first_name".into(), format!("User{user}").into());
        if let Some(code) = self.languages.get(&user) {
            json.insert("language_code".into(), code.clone().into());
        }
        Value::Object(json)
    }

    /// Forgets what the poller confirmed: updates below `offset`, or all but the last -N.
    fn confirm(&mut self, offset: Option<i64>) {
        match offset {
            Some(offset) if offset < 0 => {
                let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
                while self.queue.len() > keep {
                    self.queue.pop_front();
                }
                self.redelivered.clear();
            }
            Some(offset) => {
                self.queue.retain(|(id, _)| i64::from(*id) >= offset);
                self.redelivered
                    .retain(|r| !(r.delivered && i64::from(r.id) < offset));
            }
            None => {}
        }
    }

    /// Redeliveries first, so the last update (which sets teloxide's next offset) is a
    /// queued one whenever any is in the batch.
    fn take(&mut self, limit: usize) -> Vec<Value> {
        let allowed = self.allowed.clone();
        let wanted = |update: &Value| {
            allowed
                .as_ref()
                .is_none_or(|a| a.iter().any(|k| k == kind(update)))
        };
        self.redelivered.retain(|r| wanted(&r.update));
        self.queue.retain(|(_, update)| wanted(update));
        let mut batch = Vec::new();
        for redelivery in self.redelivered.iter_mut().take(limit) {
            redelivery.delivered = true;
            batch.push(redelivery.update.clone());
        }
        let again: HashSet<i32> = self.redelivered.iter().map(|r| r.id).collect();
        let rest = limit.saturating_sub(batch.len());
        batch.extend(
            self.queue
                .iter()
                .filter(|(id, _)| !again.contains(id))
                .take(rest)
                .map(|(_, update)| update.clone()),
        );
        batch
    }
}

impl Emulator {
    /// Starts the server on a free port of 127.0.0.1; only `token` is accepted.
    pub async fn start(token: &str) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (stop, mut stopped) = watch::channel(false);
        // A real token starts with the bot's id.
        let bot_id = token
            .split(':')
            .next()
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(42);
        let shared = Arc::new(Shared {
            token: token.to_owned(),
            bot: json!({"id": bot_id, "is_bot": true, "first_name": "Eftertanke",
                "username": "eftertanke_test_bot"}),
            state: Mutex::new(State::default()),
            polls: Notify::new(),
            sends: Notify::new(),
            stop,
        });
        let app = Router::new()
            .route("/{bot}/{method}", any(handle))
            .fallback(|| async { respond(Err(ApiFail::new(404, "Not Found"))) })
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                // An error means the sender is gone, which is also a reason to stop.
                let _ = stopped.wait_for(|stop| *stop).await;
            });
            if let Err(err) = serve.await {
                tracing::warn!("the Telegram emulator stopped: {err}");
            }
        });
        Ok(Emulator {
            shared,
            addr,
            server: Some(server),
        })
    }

    /// The base URL for teloxide's `set_api_url`; requests go to `{this}bot{token}/{Method}`.
    #[must_use]
    pub fn api_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// A private text message from `user`; returns its update id.
    pub fn text(&self, user: i64, text: &str) -> i32 {
        self.user_message(user, private_chat(user), user, content("text", text.into()))
    }

    /// The language code the user's app reports from now on (`None`: none).
    pub fn set_language(&self, user: i64, code: Option<&str>) {
        let mut state = self.shared.state();
        match code {
            Some(code) => state.languages.insert(user, code.to_owned()),
            None => state.languages.remove(&user),
        };
    }

    /// A private message of that kind, shaped as the Bot API sends it; returns its update id.
    pub fn non_text(&self, user: i64, kind: NonText) -> i32 {
        let (key, value) = media(kind, user);
        self.user_message(user, private_chat(user), user, content(key, value))
    }

    /// An `edited_message` update of the user's earlier private message `message_id`.
    pub fn edit(&self, user: i64, message_id: i32, text: &str) -> i32 {
        let mut state = self.shared.state();
        let now = now();
        let mut message = match state.user_messages.get(&(user, message_id)) {
            Some(message) => message.clone(),
            // Unknown to us: made up as if sent now, so a test can still edit it.
            None => new_message(message_id, now, private_chat(user), state.user(user)),
        };
        message.insert("text".into(), text.into());
        message.insert("edit_date".into(), now.into());
        state
            .user_messages
            .insert((user, message_id), message.clone());
        let id = state.push_update("edited_message", Value::Object(message));
        drop(state);
        self.shared.polls.notify_waiters();
        id
    }

    /// A text message from `user` in the group chat `chat` (negative, as Telegram's are).
    pub fn group_text(&self, chat: i64, user: i64, text: &str) -> i32 {
        let group = json!({"id": chat, "type": "group", "title": format!("Group{chat}")});
        self.user_message(chat, group, user, content("text", text.into()))
    }

    /// The user presses a button of the bot's message `message_id` in their private chat;
    /// `None` if the bot sent no such message there.
    pub fn press(&self, user: i64, message_id: i32, data: &str) -> Option<i32> {
        self.press_in(user, user, message_id, data)
    }

    /// `user` presses a button of the bot's message `message_id` in `chat`'s private chat,
    /// as a forged or misrouted query would; `None` if the bot sent no such message there.
    pub fn press_in(&self, chat: i64, user: i64, message_id: i32, data: &str) -> Option<i32> {
        let mut state = self.shared.state();
        let stored = state
            .bot_messages
            .get(&chat)?
            .iter()
            .find(|m| m.message_id == message_id)?;
        let message = bot_message(&self.shared.bot, chat, stored);
        let query_id = format!(
            "{}{:04}",
            user.unsigned_abs(),
            state.callbacks_issued.len() + 1
        );
        state.callbacks_issued.insert(query_id.clone());
        let query = json!({
            "id": query_id, "from": state.user(user), "chat_instance": format!("ci{user}"),
            "message": message, "data": data
        });
        let id = state.push_update("callback_query", query);
        drop(state);
        self.shared.polls.notify_waiters();
        Some(id)
    }

    /// Queues update `update_id` again with the same id, delivered once more although the
    /// offset has passed it (as Telegram does after a bot crashed); unknown ids are ignored.
    pub fn redeliver(&self, update_id: i32) {
        let mut state = self.shared.state();
        let Some(update) = state.history.get(&update_id).cloned() else {
            return;
        };
        state.redelivered.push(Redelivery {
            id: update_id,
            update,
            delivered: false,
        });
        drop(state);
        self.shared.polls.notify_waiters();
    }

    /// The messages the bot sent to `chat`, in order, as they are now (after edits).
    #[must_use]
    pub fn sent(&self, chat: i64) -> Vec<Sent> {
        let state = self.shared.state();
        let Some(messages) = state.bot_messages.get(&chat) else {
            return Vec::new();
        };
        messages
            .iter()
            .map(|m| Sent {
                message_id: m.message_id,
                chat_id: chat,
                text: m.text.clone(),
                buttons: buttons(m.keyboard.as_ref()),
                edited: m.edit_date.is_some(),
                document: m.document.clone().filter(|_| m.photo.is_none()),
                photo: m.document.clone().filter(|_| m.photo.is_some()),
            })
            .collect()
    }

    /// Waits until at least `count` messages were sent to `chat` or `timeout` passed; then
    /// returns [`Emulator::sent`].
    pub async fn wait_for(&self, chat: i64, count: usize, timeout: Duration) -> Vec<Sent> {
        self.wait_for_count(chat, count, timeout).await;
        self.sent(chat)
    }

    /// How many messages the bot sent to `chat`: cheap, for benchmarks.
    #[must_use]
    pub fn sent_count(&self, chat: i64) -> usize {
        self.shared
            .state()
            .bot_messages
            .get(&chat)
            .map_or(0, Vec::len)
    }

    /// Waits until at least `count` messages were sent to `chat` or `timeout` passed, and
    /// returns how many were: without copying them, so many waiting people stay cheap.
    pub async fn wait_for_count(&self, chat: i64, count: usize, timeout: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before looking, so a send between the look and the wait wakes us.
            let notified = self.shared.sends.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let sent = self.sent_count(chat);
            if sent >= count || tokio::time::Instant::now() >= deadline {
                return sent;
            }
            tokio::select! {
                () = &mut notified => {}
                () = tokio::time::sleep_until(deadline) => {}
            }
        }
    }

    /// The ids of the callback queries the bot answered, in order.
    #[must_use]
    pub fn answered_callbacks(&self) -> Vec<String> {
        self.shared.state().answered.clone()
    }

    /// Every setMyCommands call: (language code, [(command, description)]).
    #[must_use]
    pub fn commands(&self) -> Vec<CommandMenu> {
        self.shared.state().commands.clone()
    }

    /// The next call of `method` (any case) fails so; e.g. 429 with `retry_after`, which
    /// teloxide turns into `RequestError::RetryAfter`. Calls queue up.
    pub fn fail_next(
        &self,
        method: &str,
        error_code: u16,
        description: &str,
        retry_after: Option<u32>,
    ) {
        let fail = ApiFail {
            code: error_code,
            description: description.to_owned(),
            retry_after,
            migrate_to: None,
            html: false,
        };
        self.fail_next_times(method, 1, fail);
    }

    /// The next `times` calls of `method` get a web page with HTTP status `status`, as a
    /// proxy in front of Telegram answers when Telegram is down ("Bad Gateway").
    pub fn fail_next_with_page(&self, method: &str, times: usize, status: u16, title: &str) {
        let fail = ApiFail {
            html: true,
            ..ApiFail::new(status, title)
        };
        self.fail_next_times(method, times, fail);
    }

    /// The next `times` calls of `method` fail with Telegram's JSON error `error_code`.
    pub fn fail_next_json(&self, method: &str, times: usize, error_code: u16, description: &str) {
        self.fail_next_times(method, times, ApiFail::new(error_code, description));
    }

    /// The group chat `from` becomes the supergroup `to`: what the bot sends to `from` is
    /// refused with Telegram's `migrate_to_chat_id`.
    pub fn migrate_chat(&self, from: i64, to: i64) {
        self.shared.state().migrated.insert(from, to);
    }

    fn fail_next_times(&self, method: &str, times: usize, fail: ApiFail) {
        let mut state = self.shared.state();
        let queued = state
            .failures
            .entry(method.to_ascii_lowercase())
            .or_default();
        queued.extend(std::iter::repeat_n(fail, times));
    }

    /// How many times `method` (any case) was called with the right token, failures included.
    #[must_use]
    pub fn calls(&self, method: &str) -> usize {
        self.shared
            .state()
            .calls
            .get(&method.to_ascii_lowercase())
            .copied()
            .unwrap_or(0)
    }

    /// When each accepted sendMessage to `chat` arrived (one per [`Emulator::sent`] entry).
    #[must_use]
    pub fn send_times(&self, chat: i64) -> Vec<Instant> {
        self.shared
            .state()
            .send_times
            .get(&chat)
            .cloned()
            .unwrap_or_default()
    }

    /// Stops the server: waiting long polls answer `[]`, then connections close.
    pub async fn shutdown(mut self) {
        self.shared.stop.send_replace(true);
        if let Some(mut server) = self.server.take() {
            if tokio::time::timeout(Duration::from_secs(5), &mut server)
                .await
                .is_err()
            {
                server.abort();
            }
        }
    }

    fn user_message(
        &self,
        chat_id: i64,
        chat: Value,
        user: i64,
        content: Map<String, Value>,
    ) -> i32 {
        let mut state = self.shared.state();
        let message_id = state.message_id(chat_id);
        let mut message = new_message(message_id, now(), chat, state.user(user));
        message.extend(content);
        state
            .user_messages
            .insert((chat_id, message_id), message.clone());
        let id = state.push_update("message", Value::Object(message));
        drop(state);
        self.shared.polls.notify_waiters();
        id
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shared.stop.send_replace(true);
    }
}

async fn handle(
    extract::State(shared): extract::State<Arc<Shared>>,
    Path((bot, method)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if bot.strip_prefix("bot") != Some(shared.token.as_str()) {
        return respond(Err(ApiFail::new(401, "Unauthorized")));
    }
    let method = method.to_ascii_lowercase();
    if !METHODS.contains(&method.as_str()) {
        return respond(Err(ApiFail::new(404, "Not Found: method not found")));
    }
    let parsed = if is_multipart(&headers) {
        multipart(query.as_deref(), headers, body).await
    } else {
        params(query.as_deref(), &headers, &body).map(|params| (params, Vec::new()))
    };
    let (params, files) = match parsed {
        Ok(parsed) => parsed,
        Err(fail) => return respond(Err(fail)),
    };
    let injected = {
        let mut state = shared.state();
        *state.calls.entry(method.clone()).or_default() += 1;
        state
            .failures
            .get_mut(&method)
            .and_then(VecDeque::pop_front)
    };
    if let Some(fail) = injected {
        return respond(Err(fail));
    }
    let result = match method.as_str() {
        "getupdates" => get_updates(&shared, &params).await,
        "getme" => {
            let mut me = shared.bot.clone();
            if let Some(me) = me.as_object_mut() {
                for flag in [
                    "can_join_groups",
                    "can_read_all_group_messages",
                    "supports_inline_queries",
                    "has_main_web_app",
                ] {
                    me.insert(flag.into(), false.into());
                }
            }
            Ok(me)
        }
        "getwebhookinfo" => {
            let pending = shared.state().queue.len();
            Ok(json!({"url": "", "has_custom_certificate": false, "pending_update_count": pending}))
        }
        "deletewebhook" => Ok(true.into()),
        "sendmessage" => send_message(&shared, &params),
        "senddocument" => send_document(&shared, &params, files),
        "sendphoto" => send_photo(&shared, &params, files),
        "editmessagetext" | "editmessagereplymarkup" => {
            edit_message(&shared, &params, method == "editmessagetext")
        }
        "answercallbackquery" => answer_callback(&shared, &params),
        "setmycommands" => set_my_commands(&shared, &params),
        _ => Err(ApiFail::new(404, "Not Found: method not found")),
    };
    respond(result)
}

async fn get_updates(shared: &Shared, params: &Value) -> Result<Value, ApiFail> {
    let limit = usize::try_from(int(params, "limit").unwrap_or(100).clamp(1, 100)).unwrap_or(100);
    let timeout = u64::try_from(int(params, "timeout").unwrap_or(0).clamp(0, 3600)).unwrap_or(0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    let generation = {
        let mut state = shared.state();
        state.poll_generation += 1;
        state.confirm(int(params, "offset"));
        if let Some(Value::Array(kinds)) = object(params, "allowed_updates") {
            let kinds: Vec<String> = kinds
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            state.allowed = (!kinds.is_empty()).then_some(kinds);
        }
        state.poll_generation
    };
    shared.polls.notify_waiters();
    let mut stop = shared.stop.subscribe();
    loop {
        let notified = shared.polls.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut state = shared.state();
            if state.poll_generation != generation {
                return Err(ApiFail::new(409, CONFLICT));
            }
            let batch = state.take(limit);
            if !batch.is_empty() {
                return Ok(Value::Array(batch));
            }
        }
        if *stop.borrow() || tokio::time::Instant::now() >= deadline {
            return Ok(json!([]));
        }
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(deadline) => {}
            _ = stop.wait_for(|stop| *stop) => return Ok(json!([])),
        }
    }
}

fn send_message(shared: &Shared, params: &Value) -> Result<Value, ApiFail> {
    let chat = chat_id(params)?;
    if let Some(&to) = shared.state().migrated.get(&chat) {
        return Err(ApiFail {
            migrate_to: Some(to),
            ..ApiFail::bad("group chat was upgraded to a supergroup chat")
        });
    }
    let text = checked_text(params, "message is too long")?;
    let keyboard = keyboard(params)?;
    Ok(store_sent(shared, chat, text, keyboard, None, None))
}

/// sendDocument with the file uploaded as multipart (a file id or URL is refused: the bot
/// only sends files it made). A caption follows the message rules, at most 1024 characters.
fn send_document(
    shared: &Shared,
    params: &Value,
    files: Vec<(String, Document)>,
) -> Result<Value, ApiFail> {
    let chat = chat_id(params)?;
    // The file is the `document` field itself, or the field it names as `attach://{field}`.
    let field = params
        .get("document")
        .and_then(Value::as_str)
        .and_then(|value| value.strip_prefix("attach://"))
        .unwrap_or("document");
    let Some((_, document)) = files.into_iter().find(|(name, _)| name == field) else {
        return Err(ApiFail::bad("there is no document in the request"));
    };
    if document.content.is_empty() {
        return Err(ApiFail::bad("file must be non-empty"));
    }
    if document.content.len() > MAX_DOCUMENT_BYTES {
        return Err(ApiFail::new(413, "Request Entity Too Large"));
    }
    let caption = params
        .get("caption")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if caption.encode_utf16().count() > MAX_CAPTION_UNITS {
        return Err(ApiFail::bad("message caption is too long"));
    }
    let keyboard = keyboard(params)?;
    Ok(store_sent(
        shared,
        chat,
        caption,
        keyboard,
        Some(document),
        None,
    ))
}

/// sendPhoto with the picture uploaded as multipart. Only PNG is taken (what the bot makes);
/// its size is read from the PNG's header, as Telegram reads it from the image.
fn send_photo(
    shared: &Shared,
    params: &Value,
    files: Vec<(String, Document)>,
) -> Result<Value, ApiFail> {
    let chat = chat_id(params)?;
    let field = params
        .get("photo")
        .and_then(Value::as_str)
        .and_then(|value| value.strip_prefix("attach://"))
        .unwrap_or("photo");
    let Some((_, photo)) = files.into_iter().find(|(name, _)| name == field) else {
        return Err(ApiFail::bad("there is no photo in the request"));
    };
    if photo.content.len() > MAX_PHOTO_BYTES {
        return Err(ApiFail::bad("PHOTO_INVALID_DIMENSIONS"));
    }
    let size = png_size(&photo.content).ok_or_else(|| ApiFail::bad("IMAGE_PROCESS_FAILED"))?;
    let caption = params
        .get("caption")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if caption.encode_utf16().count() > MAX_CAPTION_UNITS {
        return Err(ApiFail::bad("message caption is too long"));
    }
    let keyboard = keyboard(params)?;
    Ok(store_sent(
        shared,
        chat,
        caption,
        keyboard,
        Some(photo),
        Some(size),
    ))
}

/// A PNG's width and height from its header (signature, then the IHDR chunk).
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !bytes.starts_with(SIGNATURE) || bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let number = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    Some((number(16)?, number(20)?)).filter(|&(w, h)| w > 0 && h > 0)
}

/// Keeps a message the bot sent and returns it as the Bot API does.
fn store_sent(
    shared: &Shared,
    chat: i64,
    text: String,
    keyboard: Option<Value>,
    document: Option<Document>,
    photo: Option<(u32, u32)>,
) -> Value {
    let mut state = shared.state();
    let stored = Stored {
        message_id: state.message_id(chat),
        date: now(),
        text,
        keyboard,
        edit_date: None,
        document,
        photo,
    };
    let message = bot_message(&shared.bot, chat, &stored);
    state.bot_messages.entry(chat).or_default().push(stored);
    state
        .send_times
        .entry(chat)
        .or_default()
        .push(Instant::now());
    drop(state);
    shared.sends.notify_waiters();
    message
}

/// editMessageText (`with_text`) or editMessageReplyMarkup. As on Telegram, a missing
/// `reply_markup` removes the keyboard, and an edit that changes nothing is refused.
fn edit_message(shared: &Shared, params: &Value, with_text: bool) -> Result<Value, ApiFail> {
    let chat = chat_id(params)?;
    let message_id = int(params, "message_id")
        .and_then(|id| i32::try_from(id).ok())
        .ok_or_else(|| ApiFail::bad("message identifier is not specified"))?;
    let text = if with_text {
        Some(checked_text(params, "MESSAGE_TOO_LONG")?)
    } else {
        None
    };
    let keyboard = keyboard(params)?;
    let mut state = shared.state();
    let stored = state
        .bot_messages
        .get_mut(&chat)
        .and_then(|messages| messages.iter_mut().find(|m| m.message_id == message_id))
        .ok_or_else(|| ApiFail::bad("message to edit not found"))?;
    if text.as_ref().is_none_or(|t| *t == stored.text) && keyboard == stored.keyboard {
        return Err(ApiFail::bad(NOT_MODIFIED));
    }
    if let Some(text) = text {
        stored.text = text;
    }
    stored.keyboard = keyboard;
    stored.edit_date = Some(now());
    let message = bot_message(&shared.bot, chat, stored);
    drop(state);
    shared.sends.notify_waiters();
    Ok(message)
}

fn answer_callback(shared: &Shared, params: &Value) -> Result<Value, ApiFail> {
    let id = params
        .get("callback_query_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut state = shared.state();
    if !state.callbacks_issued.contains(id) {
        return Err(ApiFail::bad(
            "query is too old and response timeout expired or query id is invalid",
        ));
    }
    state.answered.push(id.to_owned());
    Ok(true.into())
}

fn set_my_commands(shared: &Shared, params: &Value) -> Result<Value, ApiFail> {
    let Some(Value::Array(list)) = object(params, "commands") else {
        return Err(ApiFail::bad("parameter \"commands\" is required"));
    };
    let mut commands = Vec::new();
    for entry in &list {
        let command = entry
            .get("command")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let description = entry
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let valid = (1..=32).contains(&command.len())
            && command
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(ApiFail::bad("BOT_COMMAND_INVALID"));
        }
        if !(1..=256).contains(&description.chars().count()) {
            return Err(ApiFail::bad("BOT_COMMAND_DESCRIPTION_INVALID"));
        }
        commands.push((command.to_owned(), description.to_owned()));
    }
    let language = params
        .get("language_code")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty());
    shared
        .state()
        .commands
        .push((language.map(str::to_owned), commands));
    Ok(true.into())
}

fn respond(result: Result<Value, ApiFail>) -> Response {
    match result {
        Ok(result) => Json(json!({"ok": true, "result": result})).into_response(),
        Err(fail) if fail.html => {
            let status = StatusCode::from_u16(fail.code).unwrap_or(StatusCode::BAD_GATEWAY);
            let page = format!(
                "<html><head><title>{code} {text}</title></head><body><h1>{code} {text}</h1>\
                 </body></html>",
                code = fail.code,
                text = fail.description
            );
            (status, [(header::CONTENT_TYPE, "text/html")], page).into_response()
        }
        Err(fail) => {
            let status = StatusCode::from_u16(fail.code).unwrap_or(StatusCode::BAD_REQUEST);
            let mut body =
                json!({"ok": false, "error_code": fail.code, "description": fail.description});
            if let (Some(seconds), Some(body)) = (fail.retry_after, body.as_object_mut()) {
                body.insert("parameters".into(), json!({"retry_after": seconds}));
            }
            if let (Some(to), Some(body)) = (fail.migrate_to, body.as_object_mut()) {
                body.insert("parameters".into(), json!({"migrate_to_chat_id": to}));
            }
            (status, Json(body)).into_response()
        }
    }
}

/// The parameters of a call: the query string, then a JSON or form body over it.
fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// A multipart/form-data request (how files are uploaded): text fields become parameters
/// (JSON-encoded ones, such as `reply_markup`, stay strings as in a form), file fields are
/// returned by field name.
async fn multipart(
    query: Option<&str>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(Value, Vec<(String, Document)>), ApiFail> {
    let mut request = axum::http::Request::new(axum::body::Body::from(body));
    *request.headers_mut() = headers;
    let mut parts = extract::Multipart::from_request(request, &())
        .await
        .map_err(|_| ApiFail::bad("can't parse multipart/form-data"))?;
    let mut params = query.map(form).unwrap_or_default();
    let mut files = Vec::new();
    while let Some(field) = parts
        .next_field()
        .await
        .map_err(|_| ApiFail::bad("can't parse multipart/form-data"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content = field
            .bytes()
            .await
            .map_err(|_| ApiFail::bad("can't parse multipart/form-data"))?;
        match file_name {
            Some(file_name) => files.push((
                name,
                Document {
                    name: file_name,
                    content: content.to_vec(),
                },
            )),
            None => {
                let value = String::from_utf8_lossy(&content).into_owned();
                params.insert(name, Value::String(value));
            }
        }
    }
    Ok((Value::Object(params), files))
}

fn params(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiFail> {
    let mut params = query.map(form).unwrap_or_default();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        params.extend(form(&String::from_utf8_lossy(body)));
    } else if !body.is_empty() {
        match serde_json::from_slice(body) {
            Ok(Value::Object(json)) => params.extend(json),
            _ => return Err(ApiFail::bad("can't parse JSON")),
        }
    }
    Ok(Value::Object(params))
}

/// `a=1&b=x%20y` as a JSON object of strings (form values are strings; readers accept both).
fn form(text: &str) -> Map<String, Value> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), Value::String(percent_decode(value)))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An integer parameter, given as a number (JSON) or a string (forms).
fn int(params: &Value, key: &str) -> Option<i64> {
    match params.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An object or array parameter, given as JSON (JSON bodies) or a JSON string (forms).
fn object(params: &Value, key: &str) -> Option<Value> {
    match params.get(key)? {
        Value::String(s) => serde_json::from_str(s).ok(),
        Value::Null => None,
        value => Some(value.clone()),
    }
}

fn chat_id(params: &Value) -> Result<i64, ApiFail> {
    match params.get("chat_id") {
        None | Some(Value::Null) => Err(ApiFail::bad("chat_id is empty")),
        Some(_) => int(params, "chat_id").ok_or_else(|| ApiFail::bad("chat not found")),
    }
}

/// The text, refused as Telegram does when empty or longer than 4096 UTF-16 units (counted
/// on the raw text: entities of a `parse_mode` are not parsed here).
fn checked_text(params: &Value, too_long: &str) -> Result<String, ApiFail> {
    let text = params
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiFail::bad("message text is empty"));
    }
    if text.encode_utf16().count() > MAX_TEXT_UNITS {
        return Err(ApiFail::bad(too_long));
    }
    Ok(text.to_owned())
}

/// The inline keyboard of `reply_markup`, checked; `None` when absent, empty or another kind
/// of markup (Telegram does not show those on the message).
fn keyboard(params: &Value) -> Result<Option<Value>, ApiFail> {
    if params.get("reply_markup").is_none_or(Value::is_null) {
        return Ok(None);
    }
    let markup = object(params, "reply_markup")
        .ok_or_else(|| ApiFail::bad("can't parse reply keyboard markup JSON object"))?;
    let Some(rows) = markup.get("inline_keyboard") else {
        return Ok(None);
    };
    let rows = rows
        .as_array()
        .ok_or_else(|| ApiFail::bad("can't parse inline keyboard button"))?;
    for button in rows
        .iter()
        .flat_map(|row| row.as_array().into_iter().flatten())
    {
        if button.get("text").and_then(Value::as_str).is_none() {
            return Err(ApiFail::bad(
                "can't parse inline keyboard button: text is missing",
            ));
        }
        if let Some(data) = button.get("callback_data") {
            let bytes = data.as_str().map_or(0, str::len);
            if !(1..=MAX_CALLBACK_BYTES).contains(&bytes) {
                return Err(ApiFail::bad("BUTTON_DATA_INVALID"));
            }
        }
    }
    let empty = rows
        .iter()
        .all(|row| row.as_array().is_none_or(Vec::is_empty));
    Ok((!empty).then(|| Value::Array(rows.clone())))
}

fn buttons(keyboard: Option<&Value>) -> Vec<Vec<Button>> {
    let rows = keyboard
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let field =
        |button: &Value, key: &str| button.get(key).and_then(Value::as_str).map(str::to_owned);
    rows.iter()
        .map(|row| {
            row.as_array()
                .into_iter()
                .flatten()
                .map(|b| Button {
                    text: field(b, "text").unwrap_or_default(),
                    data: field(b, "callback_data")
                        .or_else(|| field(b, "url"))
                        .unwrap_or_default(),
                })
                .collect()
        })
        .collect()
}

/// What the kind of an update is: its one key besides `update_id`.
fn kind(update: &Value) -> &str {
    update
        .as_object()
        .and_then(|fields| fields.keys().find(|key| *key != "update_id"))
        .map_or("", String::as_str)
}

/// The field and value of a non-text message, with the fields the Bot API marks required.
fn media(kind: NonText, user: i64) -> (&'static str, Value) {
    let id = |name: &str| (format!("{name}-{user}"), format!("u{name}{user}"));
    match kind {
        NonText::Photo => {
            let ((small, usmall), (large, ularge)) = (id("photo-s"), id("photo-m"));
            let photo = json!([
                {"file_id": small, "file_unique_id": usmall, "width": 90, "height": 67},
                {"file_id": large, "file_unique_id": ularge, "width": 800, "height": 600}
            ]);
            ("photo", photo)
        }
        NonText::Voice => {
            let (file, unique) = id("voice");
            let voice = json!({"file_id": file, "file_unique_id": unique, "duration": 3,
                "mime_type": "audio/ogg"});
            ("voice", voice)
        }
        NonText::Video => {
            let (file, unique) = id("video");
            let video = json!({"file_id": file, "file_unique_id": unique, "width": 640,
                "height": 360, "duration": 5, "mime_type": "video/mp4"});
            ("video", video)
        }
        NonText::Sticker => {
            let (file, unique) = id("sticker");
            let sticker = json!({"file_id": file, "file_unique_id": unique, "type": "regular",
                "width": 512, "height": 512, "is_animated": false, "is_video": false,
                "emoji": "🙂"});
            ("sticker", sticker)
        }
        NonText::Document => {
            let (file, unique) = id("document");
            let document = json!({"file_id": file, "file_unique_id": unique,
                "file_name": "notes.pdf", "mime_type": "application/pdf"});
            ("document", document)
        }
        NonText::Location => (
            "location",
            json!({"latitude": 55.6761, "longitude": 12.5683}),
        ),
        NonText::Contact => {
            let contact = json!({"phone_number": "+4512345678", "first_name": "Kontakt"});
            ("contact", contact)
        }
        NonText::Poll => {
            let poll = json!({"id": format!("poll-{user}"), "question": "Kaffe eller te?",
                "options": [{"text": "Kaffe", "voter_count": 0}, {"text": "Te", "voter_count": 0}],
                "total_voter_count": 0, "is_closed": false, "is_anonymous": true,
                "type": "regular", "allows_multiple_answers": false});
            ("poll", poll)
        }
    }
}

fn content(key: &str, value: Value) -> Map<String, Value> {
    Map::from_iter([(key.to_owned(), value)])
}

fn new_message(message_id: i32, date: i64, chat: Value, from: Value) -> Map<String, Value> {
    let mut message = Map::new();
    message.insert("message_id".into(), message_id.into());
    message.insert("date".into(), date.into());
    message.insert("chat".into(), chat);
    message.insert("from".into(), from);
    message
}

/// The chat a message to `chat` is in: groups have negative ids.
fn chat_of(chat: i64) -> Value {
    if chat < 0 {
        json!({"id": chat, "type": "group", "title": format!("Group{chat}")})
    } else {
        private_chat(chat)
    }
}

fn private_chat(user: i64) -> Value {
    json!({"id": user, "type": "private", "first_name": format!("User{user}")})
}

fn bot_message(bot: &Value, chat: i64, stored: &Stored) -> Value {
    let mut message = new_message(stored.message_id, stored.date, chat_of(chat), bot.clone());
    if let (Some(photo), Some((width, height))) = (&stored.document, stored.photo) {
        let id = format!("photo-{chat}-{}", stored.message_id);
        message.insert(
            "photo".into(),
            json!([{"file_id": id, "file_unique_id": id, "width": width, "height": height,
                    "file_size": photo.content.len()}]),
        );
        if !stored.text.is_empty() {
            message.insert("caption".into(), stored.text.clone().into());
        }
    } else if let Some(document) = &stored.document {
        let id = format!("doc-{chat}-{}", stored.message_id);
        message.insert(
            "document".into(),
            json!({"file_id": id, "file_unique_id": id, "file_name": document.name,
                   "file_size": document.content.len()}),
        );
        if !stored.text.is_empty() {
            message.insert("caption".into(), stored.text.clone().into());
        }
    } else {
        message.insert("text".into(), stored.text.clone().into());
    }
    if let Some(edit_date) = stored.edit_date {
        message.insert("edit_date".into(), edit_date.into());
    }
    if let Some(rows) = &stored.keyboard {
        message.insert("reply_markup".into(), json!({"inline_keyboard": rows}));
    }
    Value::Object(message)
}

/// Unix seconds, as the Bot API dates messages.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::prelude::*;
    use teloxide::types::{BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, UpdateKind};
    use teloxide::{ApiError, RequestError};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const TOKEN: &str = "123456:TEST";

    async fn setup() -> (Emulator, Bot) {
        let emulator = Emulator::start(TOKEN).await.unwrap();
        let bot = Bot::new(TOKEN).set_api_url(emulator.api_url().parse().unwrap());
        (emulator, bot)
    }

    fn keyboard() -> InlineKeyboardMarkup {
        InlineKeyboardMarkup::new(vec![vec![
            InlineKeyboardButton::callback("Ja", "q1:yes"),
            InlineKeyboardButton::callback("Nej", "q1:no"),
        ]])
    }

    /// One raw HTTP/1.1 exchange: (status, body).
    async fn raw(emulator: &Emulator, request: &str) -> (u16, Value) {
        let mut stream = tokio::net::TcpStream::connect(emulator.addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        let status = answer[9..12].parse().unwrap();
        let body = answer.split_once("\r\n\r\n").unwrap().1;
        (status, serde_json::from_str(body).unwrap())
    }

    #[tokio::test]
    async fn get_me_and_webhook_info_parse() {
        let (_emulator, bot) = setup().await;
        let me = bot.get_me().await.unwrap();
        assert_eq!(me.id.0, 123_456);
        assert_eq!(me.username(), "eftertanke_test_bot");
        let info = bot.get_webhook_info().await.unwrap();
        assert!(info.url.is_none());
        assert_eq!(info.pending_update_count, 0);
        bot.delete_webhook().await.unwrap();
    }

    #[tokio::test]
    async fn sent_message_shows_text_and_buttons() {
        let (emulator, bot) = setup().await;
        let message = bot
            .send_message(ChatId(7), "Hvordan gik det?")
            .reply_markup(keyboard())
            .await
            .unwrap();
        assert_eq!(message.text(), Some("Hvordan gik det?"));
        assert_eq!(message.reply_markup(), Some(&keyboard()));
        assert!(message.from.as_ref().unwrap().is_bot);
        let sent = emulator.sent(7);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].message_id, message.id.0);
        assert_eq!(sent[0].text, "Hvordan gik det?");
        let button = |text: &str, data: &str| Button {
            text: text.into(),
            data: data.into(),
        };
        assert_eq!(
            sent[0].buttons,
            vec![vec![button("Ja", "q1:yes"), button("Nej", "q1:no")]]
        );
        assert!(!sent[0].edited);
        assert_eq!(emulator.send_times(7).len(), 1);
        assert!(emulator.sent(8).is_empty());
    }

    #[tokio::test]
    async fn edits_change_text_and_remove_buttons() {
        let (emulator, bot) = setup().await;
        let message = bot
            .send_message(ChatId(7), "Spørgsmål")
            .reply_markup(keyboard())
            .await
            .unwrap();
        let edited = bot
            .edit_message_text(ChatId(7), message.id, "Spørgsmål\n\nDu valgte: Ja")
            .reply_markup(InlineKeyboardMarkup::default())
            .await
            .unwrap();
        assert_eq!(edited.reply_markup(), None);
        assert!(edited.edit_date().is_some());
        let sent = emulator.sent(7);
        assert_eq!(sent[0].text, "Spørgsmål\n\nDu valgte: Ja");
        assert!(sent[0].buttons.is_empty());
        assert!(sent[0].edited);

        // Nothing left to change, as Telegram says.
        let again = bot
            .edit_message_reply_markup(ChatId(7), message.id)
            .reply_markup(InlineKeyboardMarkup::default())
            .await;
        assert!(
            matches!(again, Err(RequestError::Api(ApiError::MessageNotModified))),
            "{again:?}"
        );
        let missing = bot
            .edit_message_text(ChatId(7), teloxide::types::MessageId(99), "x")
            .await;
        assert!(
            matches!(
                missing,
                Err(RequestError::Api(ApiError::MessageToEditNotFound))
            ),
            "{missing:?}"
        );
    }

    #[tokio::test]
    async fn long_poll_times_out_empty_and_wakes_on_a_message() {
        let (emulator, bot) = setup().await;
        let started = Instant::now();
        let updates = bot.get_updates().timeout(1).await.unwrap();
        assert!(updates.is_empty());
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "{:?}",
            started.elapsed()
        );

        emulator.set_language(7, Some("da"));
        let poll = tokio::spawn(bot.get_updates().timeout(10).send());
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        let id = emulator.text(7, "hej");
        let updates = poll.await.unwrap().unwrap();
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(updates.len(), 1);
        assert_eq!(updates[0].id.0, u32::try_from(id).unwrap());
        let UpdateKind::Message(message) = &updates[0].kind else {
            panic!("{updates:?}")
        };
        assert_eq!(message.text(), Some("hej"));
        assert!(message.chat.is_private());
        let from = message.from.as_ref().unwrap();
        assert_eq!((from.id.0, from.language_code.as_deref()), (7, Some("da")));
    }

    #[tokio::test]
    async fn offset_drops_old_updates_and_limit_caps_a_batch() {
        let (emulator, bot) = setup().await;
        let ids: Vec<i32> = (0..3).map(|n| emulator.text(7, &format!("m{n}"))).collect();
        assert_eq!(
            bot.get_webhook_info().await.unwrap().pending_update_count,
            3
        );
        assert_eq!(bot.get_updates().limit(2).await.unwrap().len(), 2);
        assert_eq!(bot.get_updates().await.unwrap().len(), 3);
        let after = bot.get_updates().offset(ids[1] + 1).await.unwrap();
        assert_eq!(after.len(), 1);
        assert!(bot
            .get_updates()
            .offset(ids[2] + 1)
            .await
            .unwrap()
            .is_empty());
        // Confirmed updates are gone for good.
        assert!(bot.get_updates().offset(0).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn redeliver_delivers_the_same_update_once_more() {
        let (emulator, bot) = setup().await;
        let id = emulator.text(7, "hej");
        assert_eq!(bot.get_updates().await.unwrap().len(), 1);
        assert!(bot.get_updates().offset(id + 1).await.unwrap().is_empty());
        emulator.redeliver(id);
        let again = bot.get_updates().offset(id + 1).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].id.0, u32::try_from(id).unwrap());
        assert!(matches!(&again[0].kind, UpdateKind::Message(m) if m.text() == Some("hej")));
        // Until a poll confirms it (offset past it), a restarted bot (offset 0) gets it too,
        // as when the answer carrying it was lost in a crash.
        assert_eq!(bot.get_updates().offset(0).await.unwrap().len(), 1);
        assert!(bot.get_updates().offset(id + 1).await.unwrap().is_empty());
        emulator.redeliver(999);
        assert!(bot.get_updates().offset(0).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn press_makes_a_callback_query_teloxide_parses() {
        let (emulator, bot) = setup().await;
        let message = bot
            .send_message(ChatId(7), "Spørgsmål")
            .reply_markup(keyboard())
            .await
            .unwrap();
        assert_eq!(emulator.press(7, 99, "q1:yes"), None);
        let id = emulator.press(7, message.id.0, "q1:yes").unwrap();
        let updates = bot.get_updates().await.unwrap();
        assert_eq!(updates[0].id.0, u32::try_from(id).unwrap());
        let UpdateKind::CallbackQuery(query) = &updates[0].kind else {
            panic!("{updates:?}")
        };
        assert_eq!(query.data.as_deref(), Some("q1:yes"));
        assert_eq!(query.from.id.0, 7);
        let pressed = query.regular_message().unwrap();
        assert_eq!(
            (pressed.id, pressed.text()),
            (message.id, Some("Spørgsmål"))
        );
        assert_eq!(pressed.reply_markup(), Some(&keyboard()));
        bot.answer_callback_query(query.id.clone()).await.unwrap();
        assert_eq!(emulator.answered_callbacks(), vec![query.id.0.clone()]);
        let unknown = bot
            .answer_callback_query(teloxide::types::CallbackQueryId("nope".to_owned()))
            .await;
        assert!(
            matches!(unknown, Err(RequestError::Api(ApiError::InvalidQueryId))),
            "{unknown:?}"
        );
    }

    #[tokio::test]
    async fn every_kind_of_user_message_parses() {
        let (emulator, bot) = setup().await;
        let kinds = [
            NonText::Photo,
            NonText::Voice,
            NonText::Video,
            NonText::Sticker,
            NonText::Document,
            NonText::Location,
            NonText::Contact,
            NonText::Poll,
        ];
        for kind in kinds {
            emulator.non_text(7, kind);
        }
        let first = emulator.text(7, "før");
        emulator.edit(7, 9, "efter");
        emulator.group_text(-100, 7, "i gruppen");
        let updates = bot.get_updates().await.unwrap();
        assert_eq!(updates.len(), kinds.len() + 3);
        for (kind, update) in kinds.iter().zip(&updates) {
            let UpdateKind::Message(m) = &update.kind else {
                panic!("{kind:?}: {update:?}")
            };
            let parsed = match kind {
                NonText::Photo => m.photo().is_some_and(|sizes| sizes.len() == 2),
                NonText::Voice => m.voice().is_some(),
                NonText::Video => m.video().is_some(),
                NonText::Sticker => m.sticker().is_some(),
                NonText::Document => m.document().is_some(),
                NonText::Location => m.location().is_some(),
                NonText::Contact => m.contact().is_some(),
                NonText::Poll => m.poll().is_some(),
            };
            assert!(parsed && m.text().is_none(), "{kind:?}: {m:?}");
        }
        assert_eq!(updates[kinds.len()].id.0, u32::try_from(first).unwrap());
        let UpdateKind::EditedMessage(edited) = &updates[kinds.len() + 1].kind else {
            panic!("{updates:?}")
        };
        assert_eq!((edited.id.0, edited.text()), (9, Some("efter")));
        assert!(edited.edit_date().is_some());
        let UpdateKind::Message(group) = &updates[kinds.len() + 2].kind else {
            panic!("{updates:?}")
        };
        assert!(group.chat.is_group());
        assert_eq!((group.chat.id.0, group.text()), (-100, Some("i gruppen")));
    }

    #[tokio::test]
    async fn wrong_token_is_unauthorized() {
        let (emulator, _bot) = setup().await;
        let stranger = Bot::new("999:WRONG").set_api_url(emulator.api_url().parse().unwrap());
        let result = stranger.get_me().await;
        assert!(
            matches!(result, Err(RequestError::Api(ApiError::InvalidToken))),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn an_injected_429_is_retry_after() {
        let (emulator, bot) = setup().await;
        emulator.fail_next(
            "sendMessage",
            429,
            "Too Many Requests: retry after 1",
            Some(1),
        );
        let result = bot.send_message(ChatId(7), "hej").await;
        assert!(
            matches!(result, Err(RequestError::RetryAfter(s)) if s.seconds() == 1),
            "{result:?}"
        );
        bot.send_message(ChatId(7), "hej").await.unwrap();
        assert_eq!(emulator.calls("SendMessage"), 2);
        assert_eq!(emulator.sent(7).len(), 1);
    }

    #[tokio::test]
    async fn text_length_is_checked_in_utf16_units() {
        let (emulator, bot) = setup().await;
        bot.send_message(ChatId(7), "a".repeat(MAX_TEXT_UNITS))
            .await
            .unwrap();
        let long = bot
            .send_message(ChatId(7), "a".repeat(MAX_TEXT_UNITS + 1))
            .await;
        assert!(
            matches!(long, Err(RequestError::Api(ApiError::MessageIsTooLong))),
            "{long:?}"
        );
        // 2049 emoji are 2049 chars but 4098 UTF-16 units.
        let emoji = bot.send_message(ChatId(7), "😀".repeat(2049)).await;
        assert!(
            matches!(emoji, Err(RequestError::Api(ApiError::MessageIsTooLong))),
            "{emoji:?}"
        );
        let empty = bot.send_message(ChatId(7), " ").await;
        assert!(
            matches!(empty, Err(RequestError::Api(ApiError::MessageTextIsEmpty))),
            "{empty:?}"
        );
        assert_eq!(emulator.sent(7).len(), 1);
    }

    #[tokio::test]
    async fn commands_are_recorded_per_language() {
        let (emulator, bot) = setup().await;
        bot.set_my_commands(vec![BotCommand::new("refleksion", "Start en refleksion")])
            .language_code("da")
            .await
            .unwrap();
        bot.set_my_commands(vec![BotCommand::new("reflect", "Start a reflection")])
            .await
            .unwrap();
        let bad = bot
            .set_my_commands(vec![BotCommand::new("Prøv", "x")])
            .await;
        assert!(bad.is_err());
        assert_eq!(
            emulator.commands(),
            vec![
                (
                    Some("da".into()),
                    vec![("refleksion".into(), "Start en refleksion".into())]
                ),
                (None, vec![("reflect".into(), "Start a reflection".into())]),
            ]
        );
    }

    #[tokio::test]
    async fn a_newer_poll_ends_an_older_one_with_conflict() {
        let (_emulator, bot) = setup().await;
        let older = tokio::spawn(bot.get_updates().timeout(10).send());
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(bot.get_updates().await.unwrap().is_empty());
        let result = older.await.unwrap();
        assert!(
            matches!(
                result,
                Err(RequestError::Api(ApiError::TerminatedByOtherGetUpdates))
            ),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn wait_for_returns_when_enough_were_sent() {
        let (emulator, bot) = setup().await;
        let sender = tokio::spawn(async move {
            for n in 0..2 {
                tokio::time::sleep(Duration::from_millis(50)).await;
                bot.send_message(ChatId(-5), format!("besked {n}"))
                    .await
                    .unwrap();
            }
        });
        let sent = emulator.wait_for(-5, 2, Duration::from_secs(5)).await;
        assert_eq!(
            sent.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(),
            ["besked 0", "besked 1"]
        );
        sender.await.unwrap();
        let times = emulator.send_times(-5);
        assert!(times[0] <= times[1]);
        assert_eq!(
            emulator
                .wait_for(-5, 3, Duration::from_millis(50))
                .await
                .len(),
            2
        );
    }

    #[tokio::test]
    async fn shutdown_ends_a_waiting_long_poll() {
        let (emulator, bot) = setup().await;
        let poll = tokio::spawn(bot.get_updates().timeout(30).send());
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        emulator.shutdown().await;
        let result = poll.await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(
            matches!(result, Ok(ref updates) if updates.is_empty()),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn a_teloxide_dispatcher_answers_through_the_emulator() {
        let (emulator, bot) = setup().await;
        let handler = Update::filter_message().endpoint(|bot: Bot, message: Message| async move {
            let text = format!("ekko: {}", message.text().unwrap_or_default());
            bot.send_message(message.chat.id, text).await?;
            Ok::<(), RequestError>(())
        });
        let mut dispatcher = Dispatcher::builder(bot, handler).build();
        let stop = dispatcher.shutdown_token();
        let running = tokio::spawn(async move { dispatcher.dispatch().await });
        emulator.text(7, "hej");
        let sent = emulator.wait_for(7, 1, Duration::from_secs(5)).await;
        assert_eq!(sent.first().map(|s| s.text.as_str()), Some("ekko: hej"));
        let started = Instant::now();
        // Until the dispatcher has started it cannot be asked to stop.
        loop {
            match stop.shutdown() {
                Ok(done) => break done.await,
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
        running.await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(emulator.calls("GetMe"), 1);
    }

    #[tokio::test]
    async fn raw_requests_any_case_forms_and_statuses() {
        let (emulator, _bot) = setup().await;
        let body = "chat_id=5&text=hej+du%21&reply_markup=%7B%22inline_keyboard%22%3A%5B%5B\
                    %7B%22text%22%3A%22OK%22%2C%22callback_data%22%3A%22ok%22%7D%5D%5D%7D";
        let request = format!(
            "POST /bot{TOKEN}/sendMessage HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let (status, answer) = raw(&emulator, &request).await;
        assert_eq!(
            (status, &answer["result"]["text"]),
            (200, &json!("hej du!"))
        );
        assert_eq!(emulator.sent(5)[0].buttons[0][0].data, "ok");

        let get =
            |path: &str| format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let (status, answer) = raw(&emulator, &get(&format!("/bot{TOKEN}/getme"))).await;
        assert_eq!(status, 200);
        assert_eq!(answer["result"]["has_main_web_app"], json!(false));
        let (status, answer) = raw(&emulator, &get(&format!("/bot{TOKEN}/sendSticker"))).await;
        assert_eq!(
            (status, answer["description"].as_str()),
            (404, Some("Not Found: method not found"))
        );
        let (status, answer) = raw(&emulator, &get("/botWRONG/getMe")).await;
        assert_eq!((status, answer["error_code"].as_u64()), (401, Some(401)));

        emulator.fail_next("getMe", 429, "Too Many Requests: retry after 3", Some(3));
        let (status, answer) = raw(&emulator, &get(&format!("/bot{TOKEN}/GetMe"))).await;
        assert_eq!(
            (status, &answer["parameters"]),
            (429, &json!({"retry_after": 3}))
        );
        assert_eq!(emulator.calls("getme"), 2);
    }

    /// sendPhoto keeps the PNG with its caption and answers with its size, as Telegram;
    /// what is not a PNG is refused.
    #[tokio::test]
    async fn a_photo_is_kept_with_its_caption_and_size() {
        use teloxide::types::InputFile;
        let (emulator, bot) = setup().await;
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(1200u32.to_be_bytes());
        png.extend(960u32.to_be_bytes());
        png.extend([8, 2, 0, 0, 0]);
        let sent = bot
            .send_photo(
                ChatId(7),
                InputFile::memory(png.clone()).file_name("uge.png"),
            )
            .caption("Ugens overblik som billede")
            .await
            .unwrap();
        let sizes = sent.photo().unwrap();
        assert_eq!((sizes[0].width, sizes[0].height), (1200, 960));
        assert_eq!(sent.caption(), Some("Ugens overblik som billede"));
        let kept = &emulator.sent(7)[0];
        assert_eq!(kept.photo.as_ref().unwrap().content, png);
        assert!(kept.document.is_none());
        let refused = bot
            .send_photo(ChatId(7), InputFile::memory(b"not a picture".to_vec()))
            .await;
        assert!(
            matches!(
                &refused,
                Err(RequestError::Api(ApiError::ImageProcessFailed))
            ),
            "{refused:?}"
        );
    }
}
