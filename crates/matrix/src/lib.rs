//! The Matrix channel: matrix-sdk with its sqlite state and crypto store, so encrypted direct
//! messages work and a restart keeps the same device and keys.
//!
//! A loop of `sync_once` with a long poll (matrix-sdk's own `sync` pauses a second between
//! syncs). matrix-sdk awaits event handlers inside a sync, so the handlers only convert an
//! event and queue it; one room's events are handled in order, different rooms in parallel.
//!
//! Nothing acknowledged is lost: the sync token the next start begins from is committed only
//! once every event of its batch went through [`App::handle`], which stores it (or has seen
//! its id before, so a redelivered event is not stored twice). Replies that cannot be sent
//! wait in the outbox, as do follow-ups, reminders and digests, sent from here to a person's
//! direct room or a linked room.

mod render;
mod session;

pub use render::render;
pub use session::saved as session_saved;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use matrix_sdk::attachment::AttachmentConfig;
use matrix_sdk::config::{RequestConfig, SyncSettings};
use matrix_sdk::event_handler::RawEvent;
use matrix_sdk::ruma::api::client::filter::FilterDefinition;
use matrix_sdk::ruma::api::client::room::create_room::v3::{Request as CreateRoom, RoomPreset};
use matrix_sdk::ruma::api::client::room::create_room::RoomPowerLevelsContentOverride;
use matrix_sdk::ruma::api::error::{ErrorKind, LimitExceededErrorData, RetryAfter};
use matrix_sdk::ruma::events::room::encrypted::OriginalSyncRoomEncryptedEvent;
use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;
use matrix_sdk::ruma::events::room::history_visibility::{
    HistoryVisibility, RoomHistoryVisibilityEventContent,
};
use matrix_sdk::ruma::events::room::join_rules::JoinRule;
use matrix_sdk::ruma::events::room::member::{MembershipState, StrippedRoomMemberEvent};
use matrix_sdk::ruma::events::room::message::{
    MessageType, OriginalSyncRoomMessageEvent, Relation, RoomMessageEventContent,
    RoomMessageEventContentWithoutRelation, TextMessageEventContent,
};
use matrix_sdk::ruma::events::sticker::OriginalSyncStickerEvent;
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::events::{AnySyncMessageLikeEvent, AnySyncTimelineEvent};
use matrix_sdk::ruma::serde::Raw;
use matrix_sdk::ruma::{
    MilliSecondsSinceUnixEpoch, OwnedEventId, OwnedRoomId, OwnedServerName, OwnedUserId, RoomId,
    UserId,
};
use matrix_sdk::{Client, HttpError, Room, RoomMemberships, RoomState};
use tokio::sync::{mpsc, watch};

use eftertanke_app::kit::lanes::{admit, Drops, Lanes, Worker};
use eftertanke_app::kit::outbox::{self, keep_unsent};
use eftertanke_app::kit::text::split;
use eftertanke_app::kit::transport::{send_all, Failure, Transport};
use eftertanke_app::{App, Event, Profile};
use eftertanke_core::command::{split_command, Command};
use eftertanke_core::dialogs::Role;
use eftertanke_core::engine::{Body, Reply};
use eftertanke_core::flood::{Admit, FloodGate, Rate};
use eftertanke_core::i18n::{I18nError, Lang};
use eftertanke_core::records::{PersonId, Platform, Recipient};
use eftertanke_store::Store;
use tokio_util::sync::CancellationToken;

/// Every message this channel writes itself (the rest comes from the engine).
pub const MESSAGES: &[(&str, &[&str])] = &[
    ("matrix-group-note", &[]),
    ("matrix-dm-opened", &[]),
    ("matrix-not-private-note", &[]),
    ("matrix-private-opened", &[]),
    ("matrix-error", &[]),
    ("matrix-undecryptable", &[]),
    ("matrix-linked", &["name"]),
    ("matrix-unlinked", &["name"]),
];

/// A Matrix event may be 65,536 bytes in all, and a message carries its text twice (plain,
/// and HTML with `&` written as five bytes). At this many UTF-16 units (3 bytes each in UTF-8
/// at most) the two stay under 32 kB.
const MAX_MESSAGE_UNITS: usize = 4_000;
/// How long a sync waits on the server for something new.
const SYNC_TIMEOUT: Duration = Duration::from_secs(30);
/// Events a room's timeline may bring in one sync.
const TIMELINE_LIMIT: u32 = 500;
/// How often matrix-sdk retries one request itself (waiting out rate limits and server
/// errors) before the kit's retries and then the outbox take over.
const SDK_RETRIES: usize = 6;
/// Events the handlers may have queued for the dispatcher: more than a sync brings
/// (its timelines are cut at [`TIMELINE_LIMIT`] events a room). What does not fit is
/// dropped and counted, never waited on (the sync waits for the handlers).
const INTAKE_CAPACITY: usize = 8192;
/// How often the drop counts are logged (when they changed).
const DROPS_REPORT_EVERY: Duration = Duration::from_secs(60);
/// A message that could not be decrypted is tried again this often, this far apart: its room
/// key may come in a later sync.
const DECRYPT_TRIES: u32 = 3;
const DECRYPT_PAUSE: Duration = Duration::from_secs(2);
/// Joining an invite is retried with doubling pauses up to this one, then given up.
const JOIN_GIVE_UP: Duration = Duration::from_secs(3600);
/// Invites taken from one person: this many at once, then one more every 2.4 hours (ten a
/// day). Each joined room is synced for good, so an insider inviting the bot to thousands of
/// rooms would slow every sync; nobody needs more than a few group rooms a day.
const INVITES: Rate = Rate {
    burst: 10.0,
    per_second: 10.0 / 86_400.0,
};
/// Rooms the bot stays in at most, counting the private rooms it makes itself; invites
/// beyond are declined.
const MAX_ROOMS: usize = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    #[error(
        "no Matrix login: give the credential `matrix-password` or `matrix-access-token`, or \
         set MATRIX_PASSWORD or MATRIX_ACCESS_TOKEN"
    )]
    NoLogin,
    #[error(
        "no passphrase for the Matrix store: give the credential `matrix-store-passphrase`, \
         or set MATRIX_STORE_PASSPHRASE"
    )]
    NoPassphrase,
    #[error("the homeserver refused the login of {user}: check the user and MATRIX_PASSWORD")]
    LoginRefused { user: String },
    #[error("the homeserver refused the access token: check MATRIX_ACCESS_TOKEN")]
    TokenRefused,
    #[error("the access token belongs to {user}, not to the configured {configured}")]
    TokenOfAnotherUser { user: String, configured: String },
    #[error("the access token has no device: log in once with a password instead")]
    TokenWithoutDevice,
    #[error(
        "the homeserver no longer accepts the session of {user} (logged out, or the token was \
         revoked); move the `matrix` folder out of the data folder to log in as a new device"
    )]
    Revoked { user: String },
    #[error("the Matrix store in {folder}: {why} (is MATRIX_STORE_PASSPHRASE the one it was made with?)")]
    Store { folder: PathBuf, why: String },
    #[error("the Matrix session in {file}: {why}")]
    Session { file: PathBuf, why: String },
    #[error("{path}: {why}")]
    Io { path: PathBuf, why: String },
    #[error(transparent)]
    Message(#[from] I18nError),
}

/// Whether the homeserver takes the bot's login, for `eftertanke doctor`: with a password,
/// a login as a new device that is logged out again at once; with an access token, a
/// `whoami`. Touches nothing of the running bot's (its store, its session). The user the
/// homeserver knows the login as.
pub async fn check_login(
    homeserver: &str,
    user: &str,
    password: Option<&str>,
    access_token: Option<&str>,
) -> Result<String, MatrixError> {
    let client = Client::builder()
        .homeserver_url(homeserver)
        .build()
        .await
        .map_err(|err| MatrixError::Io {
            path: PathBuf::from(homeserver),
            why: err.to_string(),
        })?;
    let unreachable = |err: &dyn std::fmt::Display| MatrixError::Io {
        path: PathBuf::from(homeserver),
        why: err.to_string().chars().take(200).collect(),
    };
    if let Some(password) = password {
        let login = client
            .matrix_auth()
            .login_username(user, password)
            .initial_device_display_name("eftertanke doctor")
            .send()
            .await;
        let response = match login {
            Ok(response) => response,
            Err(err) if err.client_api_error_kind().is_some() => {
                return Err(MatrixError::LoginRefused { user: user.into() })
            }
            Err(err) => return Err(unreachable(&err)),
        };
        if let Err(err) = client.logout().await {
            tracing::warn!("the doctor's own device stays logged in: {err}");
        }
        return Ok(response.user_id.to_string());
    }
    let Some(token) = access_token else {
        return Err(MatrixError::NoLogin);
    };
    let session = matrix_sdk::authentication::matrix::MatrixSession {
        meta: matrix_sdk::SessionMeta {
            user_id: user
                .try_into()
                .map_err(|_| MatrixError::LoginRefused { user: user.into() })?,
            // Only for the request below; whoami names the token's real device.
            device_id: "EFTERTANKEDOCTOR".into(),
        },
        tokens: matrix_sdk::SessionTokens {
            access_token: token.to_owned(),
            refresh_token: None,
        },
    };
    client
        .restore_session(session)
        .await
        .map_err(|err| unreachable(&err))?;
    match client.whoami().await {
        Ok(whoami) => Ok(whoami.user_id.to_string()),
        Err(err) if err.client_api_error_kind().is_some() => Err(MatrixError::TokenRefused),
        Err(err) => Err(unreachable(&err)),
    }
}

/// What the channel needs to start. Its `Debug` leaves the secrets out.
#[derive(Clone)]
pub struct Options {
    pub homeserver: String,
    /// The bot's user, `@name:server`.
    pub user: String,
    pub password: Option<String>,
    pub access_token: Option<String>,
    /// Encrypts matrix-sdk's store (its keys among them).
    pub passphrase: String,
    /// Invites are taken from people on these servers; others are declined.
    pub allowed_servers: Vec<OwnedServerName>,
    /// The language of someone new (Matrix does not tell a person's language).
    pub lang: Lang,
    /// The channel's own folder: session, sync token and matrix-sdk's store.
    pub folder: PathBuf,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("homeserver", &self.homeserver)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "(hidden)"))
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "(hidden)"),
            )
            .field("passphrase", &"(hidden)")
            .field("allowed_servers", &self.allowed_servers)
            .field("lang", &self.lang)
            .field("folder", &self.folder)
            .finish()
    }
}

/// An event as the handlers queue it: converted, nothing borrowed from the sync.
struct Incoming {
    room: OwnedRoomId,
    event: OwnedEventId,
    sender: OwnedUserId,
    said: Said,
    /// Held until the event went through the app; the batch's sync token is committed once
    /// all of its guards are dropped.
    guard: Option<mpsc::Sender<()>>,
}

/// What a person sent, as far as the channel reads it.
enum Said {
    Text(String),
    Edited,
    /// Images, files, voice, stickers, places: answered, never read or stored.
    NotText,
    /// Encrypted with a room key the bot does not have (yet): tried again a little later.
    Locked(Raw<OriginalSyncRoomEncryptedEvent>),
    /// Not read: the person went over the flood limit, and is told so once.
    OverLimit,
}

/// Where the handlers put events: the queue (gone once the channel stops) and the current
/// batch's guard (only while a sync runs).
#[derive(Default)]
struct Intake {
    queue: Option<mpsc::Sender<Incoming>>,
    guard: Option<mpsc::Sender<()>>,
}

/// What the handlers share: where events go, and whose events are read.
struct Reception {
    intake: Mutex<Intake>,
    /// Invites and messages are taken from people on these servers only.
    allowed: Vec<OwnedServerName>,
    /// The flood limit, applied as events arrive.
    gate: FloodGate,
    /// The limit on invites taken, per inviter.
    invites: FloodGate,
    /// Rooms whose invite was taken or declined: a homeserver tells of one invite again in
    /// later syncs until it is joined, and that is not another invite.
    invited: Mutex<HashSet<OwnedRoomId>>,
    flood_limit: bool,
    drops: Arc<Drops>,
    /// The app's clock.
    now: Box<dyn Fn() -> jiff::Timestamp + Send + Sync>,
}

type SharedIntake = Arc<Reception>;

fn lock(shared: &SharedIntake) -> std::sync::MutexGuard<'_, Intake> {
    // A handler that panicked holding the lock left nothing half-done in it.
    shared.intake.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the room workers share.
struct Channel<S> {
    app: Arc<App<S>>,
    client: Client,
    lang: Lang,
    /// Private rooms are looked up and made under this lock, so one person gets one.
    private_rooms: tokio::sync::Mutex<()>,
    /// Once stopping, replies wait in the outbox rather than in a send that may retry long.
    stop: CancellationToken,
}

/// Runs the channel until `stop` is cancelled: then no new events are taken, events in
/// flight are finished, and it returns (the caller drops the app, which flushes the store).
pub async fn run<S: Store>(
    app: Arc<App<S>>,
    options: Options,
    stop: CancellationToken,
) -> Result<(), MatrixError> {
    let Some(client) = session::connect(&options, app.records().vault(), &stop).await? else {
        return Ok(());
    };
    tracing::info!(device = ?client.device_id(), "Matrix connected");
    let settings = SyncSettings::default()
        .filter(filter().into())
        .timeout(SYNC_TIMEOUT);
    let mut token = match session::read_sync_token(&options.folder) {
        Some(token) => token,
        None => {
            // The first start: what is already there is history, not for the bot to answer.
            // (Invites in it are taken below.)
            let first = settings.clone().timeout(Duration::ZERO);
            let Some(token) = sync_until_it_works(&client, first, &stop).await? else {
                return Ok(());
            };
            session::write_sync_token(&options.folder, &token)?;
            token
        }
    };

    let (queue, jobs) = mpsc::channel(INTAKE_CAPACITY);
    let drops = Arc::new(Drops::counted(app.metrics(), Platform::Matrix));
    let intake: SharedIntake = Arc::new(Reception {
        intake: Mutex::new(Intake {
            queue: Some(queue),
            guard: None,
        }),
        allowed: options.allowed_servers.clone(),
        gate: FloodGate::default(),
        invites: FloodGate::new(INVITES),
        invited: Mutex::default(),
        flood_limit: app.settings().flood_limit,
        drops: drops.clone(),
        now: Box::new({
            let app = app.clone();
            move || app.now()
        }),
    });
    add_handlers(&client, &intake);
    take_waiting_invites(&client, &intake).await;
    let channel = Arc::new(Channel {
        app,
        client: client.clone(),
        lang: options.lang,
        private_rooms: tokio::sync::Mutex::default(),
        stop: stop.clone(),
    });
    let dispatcher = tokio::spawn(dispatch(jobs, channel.clone(), drops.clone()));
    let (commits, batches) = mpsc::unbounded_channel();
    let committer = tokio::spawn(commit_tokens(options.folder.clone(), batches));
    // The outbox waits for the first sync: until then the rooms' state is as it was when the
    // bot stopped (someone may have left a room meanwhile).
    let (synced, first_sync) = watch::channel(false);
    let app = channel.app.clone();
    let delivery = tokio::spawn(deliver_outbox(channel, first_sync));

    let mut pause = Duration::from_secs(1);
    // Rooms the bot was in before a sync: only their timelines can be cut short (a newly
    // joined room's first timeline is always marked so, for the history before the join).
    let mut known: HashSet<OwnedRoomId> = client
        .joined_rooms()
        .iter()
        .map(|room| room.room_id().to_owned())
        .collect();
    let ended = loop {
        let (guard, batch_done) = mpsc::channel::<()>(1);
        lock(&intake).guard = Some(guard);
        // Stopping may cut a sync short: its token is not committed, so whatever it brought
        // comes again at the next start.
        let result = tokio::select! {
            biased;
            () = stop.cancelled() => break Ok(()),
            result = client.sync_once(settings.clone().token(token.clone())) => result,
        };
        lock(&intake).guard = None;
        match result {
            Ok(response) => {
                app.metrics().contact_ok(Platform::Matrix, app.now());
                pause = Duration::from_secs(1);
                synced.send_replace(true);
                warn_of_gaps(&response, &mut known);
                let _ = commits.send((response.next_batch.clone(), batch_done));
                token = response.next_batch;
            }
            Err(err) => {
                app.metrics().contact_failed(Platform::Matrix, app.now());
                if let Err(revoked) = sync_failed(&client, &err, pause) {
                    break Err(revoked);
                }
                tokio::select! {
                    () = stop.cancelled() => break Ok(()),
                    () = tokio::time::sleep(pause) => {}
                }
                pause = (pause * 2).min(Duration::from_secs(60));
            }
        }
    };
    // No more events; the ones queued are finished, then their batches committed.
    *lock(&intake) = Intake::default();
    if let Err(err) = dispatcher.await {
        tracing::error!("the Matrix dispatcher ended abnormally: {err}");
    }
    drop(commits);
    if let Err(err) = committer.await {
        tracing::error!("the Matrix sync token writer ended abnormally: {err}");
    }
    if let Err(err) = delivery.await {
        tracing::error!("the Matrix outbox delivery ended abnormally: {err}");
    }
    ended
}

/// One sync, retried with growing pauses until it works. Its batch token; `None` if stopped.
async fn sync_until_it_works(
    client: &Client,
    settings: SyncSettings,
    stop: &CancellationToken,
) -> Result<Option<String>, MatrixError> {
    let mut pause = Duration::from_secs(1);
    loop {
        match client.sync_once(settings.clone()).await {
            Ok(response) => return Ok(Some(response.next_batch)),
            Err(err) => sync_failed(client, &err, pause)?,
        }
        tokio::select! {
            () = stop.cancelled() => return Ok(None),
            () = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(Duration::from_secs(60));
    }
}

/// The sync filter: members loaded lazily, and room timelines long enough that a burst (or
/// what came while the bot was away) arrives whole rather than cut to Synapse's default 10.
fn filter() -> FilterDefinition {
    let mut filter = FilterDefinition::with_lazy_loading();
    filter.room.timeline.limit = Some(TIMELINE_LIMIT.into());
    filter
}

/// A room whose timeline still came cut short (more than [`TIMELINE_LIMIT`] events in one
/// sync) has lost the events before the cut for the bot: said loudly; with the flood limit
/// on it should not happen.
fn warn_of_gaps(response: &matrix_sdk::sync::SyncResponse, known: &mut HashSet<OwnedRoomId>) {
    let cut = response
        .rooms
        .joined
        .iter()
        .filter(|(id, room)| room.timeline.limited && known.contains(*id))
        .count();
    known.extend(response.rooms.joined.keys().cloned());
    if cut > 0 {
        tracing::warn!(
            rooms = cut,
            "Matrix sync: timelines cut short, earlier events not read"
        );
    }
}

/// Logs a failed sync; a revoked session is the error that ends the channel.
fn sync_failed(
    client: &Client,
    err: &matrix_sdk::Error,
    pause: Duration,
) -> Result<(), MatrixError> {
    if let Some(ErrorKind::UnknownToken { .. }) = err.client_api_error_kind() {
        return Err(MatrixError::Revoked {
            user: client
                .user_id()
                .map(ToString::to_string)
                .unwrap_or_default(),
        });
    }
    tracing::warn!("Matrix sync failed, again in {pause:?}: {}", describe(err));
    Ok(())
}

/// Writes each batch's token once all its events were handled, in the order of the batches.
async fn commit_tokens(
    folder: PathBuf,
    mut batches: mpsc::UnboundedReceiver<(String, mpsc::Receiver<()>)>,
) {
    while let Some((token, mut done)) = batches.recv().await {
        // Nothing is ever sent: this returns once every guard of the batch is dropped.
        let _ = done.recv().await;
        let folder = folder.clone();
        let written =
            tokio::task::spawn_blocking(move || session::write_sync_token(&folder, &token)).await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::error!("committing the Matrix sync token: {err}"),
            Err(err) => tracing::error!("committing the Matrix sync token: {err}"),
        }
    }
}

/// An error as it may be logged: matrix-sdk's messages carry no one's words, but may be long.
fn describe(err: &matrix_sdk::Error) -> String {
    err.to_string().chars().take(200).collect()
}

/// Registers the handlers: they look at an event, convert it and queue it, nothing more
/// (the sync waits for them).
fn add_handlers(client: &Client, shared: &SharedIntake) {
    let messages = shared.clone();
    client.add_event_handler(
        move |event: OriginalSyncRoomMessageEvent, room: Room, client: Client| {
            let shared = messages.clone();
            async move {
                let sent = event.origin_server_ts;
                if !for_the_bot(&client, &room, &event.sender, sent, &shared.allowed).await {
                    return;
                }
                let said = said(&event.content.msgtype, event.content.relates_to.as_ref());
                let Some(said) = said else { return };
                queue(&shared, &room, event.event_id, event.sender, said);
            }
        },
    );
    let stickers = shared.clone();
    client.add_event_handler(
        move |event: OriginalSyncStickerEvent, room: Room, client: Client| {
            let shared = stickers.clone();
            async move {
                let sent = event.origin_server_ts;
                if for_the_bot(&client, &room, &event.sender, sent, &shared.allowed).await {
                    queue(&shared, &room, event.event_id, event.sender, Said::NotText);
                }
            }
        },
    );
    // Only what could not be decrypted comes here; decrypted messages come as messages.
    let locked = shared.clone();
    client.add_event_handler(
        move |event: OriginalSyncRoomEncryptedEvent, room: Room, client: Client, raw: RawEvent| {
            let shared = locked.clone();
            async move {
                let sent = event.origin_server_ts;
                if for_the_bot(&client, &room, &event.sender, sent, &shared.allowed).await {
                    let said = Said::Locked(Raw::from_json(raw.0));
                    queue(&shared, &room, event.event_id, event.sender, said);
                }
            }
        },
    );
    let invites = shared.clone();
    client.add_event_handler(
        move |event: StrippedRoomMemberEvent, room: Room, client: Client| {
            let shared = invites.clone();
            async move {
                if client.user_id() == Some(event.state_key.as_ref())
                    && event.content.membership == MembershipState::Invite
                {
                    take_invite(room, event.sender, shared);
                }
            }
        },
    );
}

/// Queues an event for the dispatcher, after the flood limit: over it, nothing more of the
/// person's is queued, but one note that they were not read. A full queue drops (counted).
fn queue(shared: &SharedIntake, room: &Room, event: OwnedEventId, sender: OwnedUserId, said: Said) {
    // In a room with several people only commands are for the bot: talk there is neither
    // read nor counted against anyone's limit.
    let command = matches!(&said, Said::Text(text) if text.trim_start().starts_with('/'));
    if room.joined_members_count() > 2 && !command && !matches!(said, Said::Locked(_)) {
        return;
    }
    let person = PersonId::new("matrix", sender.as_str());
    let now = (shared.now)();
    let said = match admit(
        &shared.gate,
        &shared.drops,
        shared.flood_limit,
        &person,
        now,
    ) {
        Admit::Yes => said,
        Admit::Warn => Said::OverLimit,
        Admit::Quiet => return,
    };
    let intake = lock(shared);
    if let Some(queue) = &intake.queue {
        let incoming = Incoming {
            room: room.room_id().to_owned(),
            event,
            sender,
            said,
            guard: intake.guard.clone(),
        };
        if queue.try_send(incoming).is_err() {
            shared.drops.full.inc();
        }
    }
}

/// Whether an event is for the bot to read: not its own, from an allowed server, in a room it
/// is in, and not sent before it joined (a new room's first sync carries some history).
async fn for_the_bot(
    client: &Client,
    room: &Room,
    sender: &UserId,
    sent: MilliSecondsSinceUnixEpoch,
    allowed: &[OwnedServerName],
) -> bool {
    let Some(me) = client.user_id() else {
        return false;
    };
    if sender == me || room.state() != RoomState::Joined {
        return false;
    }
    // People on other servers (in a federated room) are not the bot's to talk with.
    if !allowed.iter().any(|server| server == sender.server_name()) {
        return false;
    }
    // The bot's own membership event is stored before the handlers run.
    match room.get_member_no_sync(me).await {
        Ok(Some(member)) => member
            .event()
            .timestamp()
            .is_none_or(|joined| sent.0 >= joined),
        _ => true,
    }
}

/// What a message says. `None` for notices: other bots write those, and answering them could
/// start two bots talking forever.
fn said(
    message: &MessageType,
    relation: Option<&Relation<RoomMessageEventContentWithoutRelation>>,
) -> Option<Said> {
    if let Some(Relation::Replacement(_)) = relation {
        return Some(Said::Edited);
    }
    match message {
        MessageType::Text(text) => {
            let body = match relation {
                Some(Relation::Reply { .. }) => without_reply_fallback(&text.body),
                _ => &text.body,
            };
            Some(Said::Text(body.to_owned()))
        }
        MessageType::Notice(_) => None,
        _ => Some(Said::NotText),
    }
}

/// A reply's text without the quoted lines older clients put before it.
fn without_reply_fallback(body: &str) -> &str {
    if !body.starts_with("> ") {
        return body;
    }
    match body.find("\n\n") {
        Some(end) if body[..end].lines().all(|line| line.starts_with('>')) => &body[end + 2..],
        _ => body,
    }
}

/// Joins an invite from an allowed server, within the inviter's limit and the bot's room
/// limit (in the background, with retries: a homeserver may tell of an invite before the
/// invitee can join), and declines the others.
fn take_invite(room: Room, inviter: OwnedUserId, shared: SharedIntake) {
    let first_time = shared
        .invited
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(room.room_id().to_owned());
    if !first_time {
        return;
    }
    tokio::spawn(async move {
        let refusal = if !shared
            .allowed
            .iter()
            .any(|server| server == inviter.server_name())
        {
            Some("from a server not allowed")
        } else if room.client().joined_rooms().len() >= MAX_ROOMS {
            Some("the bot is in as many rooms as it stays in")
        } else {
            let who = PersonId::new("matrix", inviter.as_str());
            match shared.invites.admit(&who, (shared.now)()) {
                Admit::Yes => None,
                Admit::Warn | Admit::Quiet => Some("one more from a person over their limit"),
            }
        };
        // A room declined or never joined may be invited to again, and that one counts.
        let forget = || {
            shared
                .invited
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(room.room_id());
        };
        if let Some(why) = refusal {
            tracing::info!(server = %inviter.server_name(), "an invite declined: {why}");
            if let Err(err) = room.leave().await {
                tracing::warn!("declining an invite: {}", describe(&err));
            }
            forget();
            return;
        }
        let mut pause = Duration::from_secs(2);
        while let Err(err) = room.join().await {
            if pause > JOIN_GIVE_UP {
                tracing::warn!("joining a room failed for good: {}", describe(&err));
                forget();
                return;
            }
            tracing::warn!("joining a room, again in {pause:?}: {}", describe(&err));
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
    });
}

/// Invites that came while the bot was away or in the first sync, before the handlers.
async fn take_waiting_invites(client: &Client, shared: &SharedIntake) {
    for room in client.invited_rooms() {
        match room.invite_details().await {
            Ok(invite) => take_invite(room, invite.inviter_id, shared.clone()),
            Err(err) => tracing::warn!("reading an invite: {}", describe(&err)),
        }
    }
}

/// One room in order, rooms in parallel: a lane per room ([`super::lanes`]), bounded, so a
/// flooding room loses its excess events instead of holding up the others. Returns when the
/// queue is closed and every lane has finished what it was given.
async fn dispatch<S: Store>(
    mut jobs: mpsc::Receiver<Incoming>,
    channel: Arc<Channel<S>>,
    drops: Arc<Drops>,
) {
    let mut lanes: Lanes<OwnedRoomId, RoomWorker<S>> = Lanes::new(drops.clone());
    let mut counted = drops.counts();
    let mut report = tokio::time::interval(DROPS_REPORT_EVERY);
    loop {
        let job = tokio::select! {
            job = jobs.recv() => job,
            _ = report.tick() => {
                counted = drops.log_if_changed(counted, "matrix");
                continue;
            }
        };
        let Some(job) = job else { break };
        let room = job.room.clone();
        lanes.offer(room, job, || RoomWorker(channel.clone()));
    }
    lanes.close().await;
    drops.log_if_changed(counted, "matrix");
}

/// One room's worker: its events in order.
struct RoomWorker<S>(Arc<Channel<S>>);

impl<S: Store> Worker for RoomWorker<S> {
    type Job = Incoming;

    async fn work(&mut self, job: Incoming) {
        handle(&self.0, job).await;
    }

    async fn finish(self) {}
}

/// One event: in a room private to the bot and the person the dialogue goes on there; a
/// room of two that is not private (not encrypted, open to join) moves it to the bot's own
/// private room; in a room with several people only commands are answered.
async fn handle<S: Store>(channel: &Channel<S>, job: Incoming) {
    let Some(room) = channel.client.get_room(&job.room) else {
        return;
    };
    let person = PersonId::new("matrix", job.sender.as_str());
    let said = match job.said {
        Said::Locked(raw) => match decrypt_later(&room, &raw).await {
            Decrypted::Said(said) => said,
            // A notice or another bot's event: not for the bot.
            Decrypted::Ignored => return,
            Decrypted::Unreadable => {
                // Only a person in a private room is told (and only once a message): in a
                // room with several people the key may simply never have been meant for it.
                if privacy(&room, &job.sender).await == Privacy::Private {
                    let lang = channel.lang_of(&person);
                    channel.note(&room, lang, "matrix-undecryptable", &[]).await;
                }
                return;
            }
        },
        said => said,
    };
    let body = match said {
        Said::Text(text) => Body::Text(text),
        Said::Edited => Body::Edited,
        Said::NotText | Said::Locked(_) => Body::Unsupported,
        Said::OverLimit => {
            let lang = channel.lang_of(&person);
            channel.note(&room, lang, "flood-slow-down", &[]).await;
            return;
        }
    };
    let event = Event {
        id: Some(job.event.to_string()),
        body,
    };
    if privacy(&room, &job.sender).await == Privacy::Private {
        converse(channel, &room, Some(&job.sender), &person, event, job.guard).await;
    } else {
        elsewhere(channel, &room, &job.sender, &person, event, job.guard).await;
    }
}

/// A message decrypted late: what it says, nothing for the bot, or still unreadable.
enum Decrypted {
    Said(Said),
    Ignored,
    Unreadable,
}

/// Tries again to decrypt a message whose room key had not come when it arrived.
async fn decrypt_later(room: &Room, raw: &Raw<OriginalSyncRoomEncryptedEvent>) -> Decrypted {
    for _ in 0..DECRYPT_TRIES {
        tokio::time::sleep(DECRYPT_PAUSE).await;
        let Ok(event) = room.decrypt_event(raw, None).await else {
            continue;
        };
        if event.encryption_info().is_none() {
            continue;
        }
        return match event.raw().deserialize() {
            Ok(AnySyncTimelineEvent::MessageLike(AnySyncMessageLikeEvent::RoomMessage(
                message,
            ))) => match message.as_original() {
                Some(original) => {
                    let content = &original.content;
                    said(&content.msgtype, content.relates_to.as_ref())
                        .map_or(Decrypted::Ignored, Decrypted::Said)
                }
                None => Decrypted::Ignored,
            },
            Ok(AnySyncTimelineEvent::MessageLike(AnySyncMessageLikeEvent::Sticker(_))) => {
                Decrypted::Said(Said::NotText)
            }
            // Reactions, redactions and the like are not messages to answer.
            _ => Decrypted::Ignored,
        };
    }
    Decrypted::Unreadable
}

/// Whether a room may carry what the bot says to one person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Privacy {
    /// Encrypted, invite-only, history not world-readable, and exactly the bot and the
    /// person joined, nobody else invited.
    Private,
    /// The bot and the person alone, but not private (not encrypted, open to join).
    TwoButOpen,
    /// Others are in it or invited, or the person is not (only invited, or gone).
    Shared,
}

/// How private `room` is to the bot and `person`. Someone who made a room, invited the bot
/// and another person and left must not get that person's messages: so only rooms where
/// both are joined and nobody else is in or invited count, and only when nobody else can join
/// or read along later.
async fn privacy(room: &Room, person: &UserId) -> Privacy {
    let two =
        room.state() == RoomState::Joined && only_us(room, person, &[MembershipState::Join]).await;
    if !two {
        return Privacy::Shared;
    }
    let closed = room.encryption_state().is_encrypted()
        && matches!(room.join_rule(), Some(JoinRule::Invite))
        && !matches!(
            room.history_visibility(),
            Some(HistoryVisibility::WorldReadable)
        );
    if closed {
        Privacy::Private
    } else {
        Privacy::TwoButOpen
    }
}

/// Whether the room's joined and invited members are exactly the bot (joined) and `person`
/// (in one of `person_may_be`). Members are loaded lazily in syncs, so the full list is asked
/// of the homeserver once a room (matrix-sdk keeps it up to date from then on).
async fn only_us(room: &Room, person: &UserId, person_may_be: &[MembershipState]) -> bool {
    let members = match room.members(RoomMemberships::ACTIVE).await {
        Ok(members) => members,
        Err(err) => {
            tracing::warn!("reading a room's members: {}", describe(&err));
            return false;
        }
    };
    let me = room.own_user_id();
    let fits = |member: &matrix_sdk::room::RoomMember| {
        if member.user_id() == me {
            *member.membership() == MembershipState::Join
        } else {
            member.user_id() == person && person_may_be.contains(member.membership())
        }
    };
    members.len() == 2 && members.iter().all(fits)
}

/// Whether the bot's own room for `person` still is theirs alone: the bot joined, the person
/// joined or still invited, nobody else, and still encrypted and invite-only. A room just
/// made is not in the client's state until the next sync: what is not known yet is as the
/// bot made it.
async fn still_own(room: &Room, person: &UserId) -> bool {
    let members_fit = only_us(
        room,
        person,
        &[MembershipState::Join, MembershipState::Invite],
    );
    let state = room.encryption_state();
    let encrypted = state.is_encrypted() || state.is_unknown();
    let invite_only = room.join_rule().is_none_or(|rule| rule == JoinRule::Invite);
    room.state() == RoomState::Joined && encrypted && invite_only && members_fit.await
}

/// Runs one event through the app and sends the replies, which wait in the outbox when they
/// cannot be sent now (the answer is stored already). In a room of the person's (`private_to`
/// them), the room is checked again before they are sent: if it stopped being private
/// meanwhile, they go to the outbox, which delivers them to the bot's own room with them.
async fn converse<S: Store>(
    channel: &Channel<S>,
    room: &Room,
    private_to: Option<&UserId>,
    person: &PersonId,
    event: Event,
    guard: Option<mpsc::Sender<()>>,
) {
    let tag = event.id.clone().unwrap_or_default();
    let profile = Profile::new(channel.lang, Role::Staff);
    let replies = match channel.app.handle(person, profile, event).await {
        Ok(replies) => replies,
        Err(err) => {
            tracing::error!(person = %person.pseudonym(), "handling a Matrix message: {err}");
            let lang = channel.lang_of(person);
            channel.note(room, lang, "matrix-error", &[]).await;
            return;
        }
    };
    // The event's batch is committed (`guard` dropped) only once its replies were sent or
    // kept: killed before that, the event comes again and the app shows the question again.
    let _guard = guard;
    let still_private = match private_to {
        Some(user) => privacy(room, user).await == Privacy::Private,
        None => true,
    };
    let mut sent = 0;
    // Stopping (no sends that may retry for long; the next start delivers these), or the
    // room is no longer private: all to the outbox.
    if !channel.stop.is_cancelled() && still_private {
        if let Err(failure) =
            send_all(channel, room, &replies, &mut sent, channel.app.metrics()).await
        {
            tracing::warn!(person = %person.pseudonym(), "reply not sent, kept for later: {}", failure.why());
        }
    }
    let rest = replies.get(sent..).unwrap_or_default().to_vec();
    keep_unsent(&channel.app, person.clone(), format!("unsent-{tag}"), rest).await;
}

/// Outside a private room. In a room of two that is not private, everything is answered in
/// the bot's own private room, with a note why. In a room with several people a facilitator
/// may `/linkdigest` it to receive the group's digest there (and `/unlinkdigest` it); any
/// other command gets a note there and is answered in the bot's own room; talk is left to
/// the people in it.
async fn elsewhere<S: Store>(
    channel: &Channel<S>,
    room: &Room,
    sender: &UserId,
    person: &PersonId,
    event: Event,
    guard: Option<mpsc::Sender<()>>,
) {
    let lang = channel.lang_of(person);
    let two = privacy(room, sender).await == Privacy::TwoButOpen;
    let command = match &event.body {
        Body::Text(text) => split_command(text).map(|(name, _)| Command::named(&name)),
        _ => None,
    };
    let note = match command {
        Some(Some(command @ (Command::LinkDigest | Command::UnlinkDigest))) if !two => {
            let link = command == Command::LinkDigest;
            let chat = PersonId::chat(Platform::Matrix, room.room_id().as_str());
            let title = room.name();
            match channel
                .app
                .link_digest_chat(person, chat, title, lang, link)
                .await
            {
                Ok(Some(name)) => {
                    let id = if link {
                        "matrix-linked"
                    } else {
                        "matrix-unlinked"
                    };
                    channel.note(room, lang, id, &[("name", name)]).await;
                }
                Ok(None) => channel.note(room, lang, "not-allowed", &[]).await,
                Err(err) => {
                    tracing::error!(person = %person.pseudonym(), "linking a room: {err}");
                    channel.note(room, lang, "matrix-error", &[]).await;
                }
            }
            return;
        }
        _ if two => ("matrix-not-private-note", "matrix-private-opened"),
        Some(_) => ("matrix-group-note", "matrix-dm-opened"),
        None => return,
    };
    channel.note(room, lang, note.0, &[]).await;
    match channel.own_room(sender).await {
        Ok(own) => {
            channel.note(&own, lang, note.1, &[]).await;
            // The bot's own room: the person may still be only invited there.
            converse(channel, &own, None, person, event, guard).await;
        }
        Err(err) => tracing::warn!(
            person = %person.pseudonym(),
            "opening a private room: {}",
            describe(&err)
        ),
    }
}

impl<S: Store> Channel<S> {
    /// The person's language: chosen in their conversation, else the channel's.
    fn lang_of(&self, person: &PersonId) -> Lang {
        match self.app.records().conversation(person) {
            Ok(Some(conversation)) => conversation.lang,
            _ => self.lang,
        }
    }

    /// Sends one of the channel's own messages; a failure is logged only.
    async fn note(&self, room: &Room, lang: Lang, id: &str, args: &[(&str, String)]) {
        let args: Vec<(&str, fluent_bundle::FluentValue<'_>)> = args
            .iter()
            .map(|(name, value)| (*name, value.clone().into()))
            .collect();
        let text = match self.app.content().locales.format(lang, id, &args) {
            Ok(text) => text,
            Err(err) => {
                tracing::error!("{err}");
                return;
            }
        };
        if let Err(failure) = send_all(
            self,
            room,
            &[Reply::plain(text)],
            &mut 0,
            self.app.metrics(),
        )
        .await
        {
            tracing::warn!("sending a note: {}", failure.why());
        }
    }
}

impl<S: Store> Channel<S> {
    /// The bot's own private room with `user`, where messages it starts go (follow-up offers,
    /// reminders, digests, answers to commands typed elsewhere). The one stored (sealed) for
    /// the person while it is still theirs alone ([`still_own`], checked before every use);
    /// else one the bot made before that is still theirs (kept from before it stored them);
    /// else a new one: encrypted, invite-only, history from the invite on, only the bot may
    /// invite. One at a time, so a person never gets two.
    async fn own_room(&self, user: &UserId) -> Result<Room, matrix_sdk::Error> {
        let _one_at_a_time = self.private_rooms.lock().await;
        let person = PersonId::new("matrix", user.as_str());
        let stored = match self.app.records().private_room(&person) {
            Ok(stored) => stored,
            Err(err) => {
                tracing::warn!(person = %person.pseudonym(), "reading a private room: {err}");
                None
            }
        };
        let stored = stored
            .and_then(|id| RoomId::parse(id).ok())
            .and_then(|id| self.client.get_room(&id));
        if let Some(room) = &stored {
            if still_own(room, user).await {
                return Ok(room.clone());
            }
            tracing::info!(person = %person.pseudonym(), "a private room is no longer private: left");
            if room.state() == RoomState::Joined {
                if let Err(err) = room.leave().await {
                    tracing::warn!("leaving a room: {}", describe(&err));
                }
            }
        }
        let room = match self.made_before(user).await {
            Some(room) => room,
            None => {
                tracing::info!(person = %person.pseudonym(), "making a private room");
                self.make_private_room(user).await?
            }
        };
        let id = room.room_id().as_str();
        if let Err(err) = self.app.records().set_private_room(&person, Some(id)).await {
            tracing::warn!(person = %person.pseudonym(), "storing a private room: {err}");
        }
        Ok(room)
    }

    /// A room the bot made with `user` before it stored its rooms, if one is still theirs
    /// alone: made by the bot (so nobody else chose its settings), encrypted, invite-only,
    /// the person joined. Made by means sent its `m.room.create`: the first creator (a
    /// trusted private chat in room version 12 makes whoever it invites a creator too).
    async fn made_before(&self, user: &UserId) -> Option<Room> {
        let me = self.client.user_id()?;
        for room in self.client.joined_rooms() {
            let made_by_me = room
                .creators()
                .is_some_and(|c| c.first().is_some_and(|c| c == me));
            if made_by_me && privacy(&room, user).await == Privacy::Private {
                return Some(room);
            }
        }
        None
    }

    async fn make_private_room(&self, user: &UserId) -> Result<Room, matrix_sdk::Error> {
        let mut request = CreateRoom::new();
        request.invite = vec![user.to_owned()];
        request.is_direct = true;
        request.preset = Some(RoomPreset::PrivateChat);
        request.initial_state = vec![
            InitialStateEvent::with_empty_state_key(
                RoomEncryptionEventContent::with_recommended_defaults(),
            )
            .to_raw_any(),
            InitialStateEvent::with_empty_state_key(RoomHistoryVisibilityEventContent::new(
                HistoryVisibility::Invited,
            ))
            .to_raw_any(),
        ];
        // Only the bot may invite: the person cannot add others to it.
        let mut levels = RoomPowerLevelsContentOverride::default();
        levels.invite = Some(100.into());
        request.power_level_content_override = Raw::new(&levels).ok();
        self.client.create_room(request).await
    }
}

impl<S: Store> Transport for Channel<S> {
    type Place = Room;
    const PLATFORM: Platform = Platform::Matrix;

    /// A person: the bot's own private room with them (made if there is none). A shared
    /// room: while the bot is still in it.
    async fn place(&self, to: Recipient<'_>) -> Result<Option<Room>, Failure> {
        match to {
            Recipient::Person(_, user) => {
                let Ok(user) = UserId::parse(user) else {
                    return Ok(None);
                };
                self.own_room(&user)
                    .await
                    .map(Some)
                    .map_err(|err| failure(&err))
            }
            Recipient::Chat(_, room) => {
                let room = RoomId::parse(room)
                    .ok()
                    .and_then(|id| self.client.get_room(&id))
                    .filter(|room| room.state() == RoomState::Joined);
                if room.is_none() {
                    tracing::warn!("a linked room the bot is not in");
                }
                Ok(room)
            }
        }
    }

    /// As text with an HTML body, in notices (as bots write: other bots do not answer them);
    /// a long reply (a digest, /mydata) in several, the choices with the last; a file as an
    /// attachment.
    async fn send(&self, room: &Room, reply: &Reply) -> Result<(), Failure> {
        let parts = if reply.text.is_empty() {
            Vec::new()
        } else {
            split(&reply.text, MAX_MESSAGE_UNITS)
        };
        let last = parts.len().saturating_sub(1);
        for (i, part) in parts.into_iter().enumerate() {
            let piece = Reply {
                text: part,
                choices: if i == last {
                    reply.choices.clone()
                } else {
                    Vec::new()
                },
                prompt: None,
                file: None,
                picture: None,
            };
            let (plain, html) = render(&piece);
            room.send(RoomMessageEventContent::notice_html(plain, html))
                .with_request_config(RequestConfig::new().retry_limit(SDK_RETRIES))
                .await
                .map_err(|err| failure(&err))?;
        }
        if let Some(file) = &reply.file {
            room.send_attachment(
                file.name.clone(),
                &mime::APPLICATION_JSON,
                file.content.clone().into_bytes(),
                AttachmentConfig::new(),
            )
            .await
            .map_err(|err| failure(&err))?;
        }
        if let Some(picture) = &reply.picture {
            // An image with its words as the caption; matrix-sdk encrypts the file in an
            // encrypted room.
            let caption = TextMessageEventContent::plain(picture.alt.clone());
            room.send_attachment(
                picture.name.clone(),
                &mime::IMAGE_PNG,
                picture.png.clone(),
                AttachmentConfig::new().caption(Some(caption)),
            )
            .await
            .map_err(|err| failure(&err))?;
        }
        Ok(())
    }
}

/// How the kit is to treat a failed request. matrix-sdk has already waited out rate limits
/// and server errors a few times ([`SDK_RETRIES`]). A rate limit, a server error (5xx), a
/// timeout or anything not from the homeserver (the crypto store) is worth trying again; a
/// refusal (4xx: forbidden, not in the room) is for good; no connection at all, or a revoked
/// session, keeps everything for later.
fn failure(err: &matrix_sdk::Error) -> Failure {
    let why = describe(err);
    if let Some(ErrorKind::LimitExceeded(LimitExceededErrorData { retry_after, .. })) =
        err.client_api_error_kind()
    {
        let after = match retry_after {
            Some(RetryAfter::Delay(pause)) => *pause,
            Some(RetryAfter::DateTime(at)) => at
                .duration_since(std::time::SystemTime::now())
                .unwrap_or_default(),
            None => Duration::from_secs(1),
        };
        return Failure::Later {
            after: Some(after),
            why,
        };
    }
    if let Some(ErrorKind::UnknownToken { .. }) = err.client_api_error_kind() {
        return Failure::Unreachable(why);
    }
    if let Some(api) = err.as_client_api_error() {
        return if api.status_code.is_client_error() {
            Failure::Refused(why)
        } else {
            Failure::Later { after: None, why }
        };
    }
    match err {
        matrix_sdk::Error::Http(http) => match &**http {
            HttpError::Reqwest(reqwest) if reqwest.is_timeout() => {
                Failure::Later { after: None, why }
            }
            HttpError::Reqwest(_) => Failure::Unreachable(why),
            _ => Failure::Later { after: None, why },
        },
        _ => Failure::Later { after: None, why },
    }
}

/// Delivers what waits in the outbox for Matrix people and rooms (the kit's loop), once the
/// first sync of this start is in: until then the rooms' state is as it was when the bot
/// stopped.
async fn deliver_outbox<S: Store>(channel: Arc<Channel<S>>, mut first_sync: watch::Receiver<bool>) {
    let stop = channel.stop.clone();
    tokio::select! {
        () = stop.cancelled() => return,
        _ = first_sync.wait_for(|synced| *synced) => {}
    }
    outbox::deliver(channel.app.clone(), channel, stop).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_loses_its_quoted_fallback_and_plain_text_is_kept() {
        assert_eq!(
            without_reply_fallback("> <@bot:x> Hvordan gik det?\n> mere\n\nGodt"),
            "Godt"
        );
        assert_eq!(
            without_reply_fallback("> citat uden svar"),
            "> citat uden svar"
        );
        assert_eq!(without_reply_fallback("Godt\n\nmere"), "Godt\n\nmere");
    }
}
