//! The Matrix benchmark: K people at once, each completing the staff reflection in their own
//! direct room with the bot, through a real Synapse on 127.0.0.1 (rate limits raised). The
//! bot is the real channel (matrix-sdk's sqlite store, the sync loop, the engine, the sled
//! group commit); people are matrix-sdk clients in the same process. A step is timed from
//! the person's send to the bot's next question reaching the person's client, so it holds
//! the person's send, the bot's sync, the handling, the bot's send and the person's sync.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::api::client::room::create_room::v3::{Request as CreateRoom, RoomPreset};
use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;
use matrix_sdk::ruma::events::room::member::MembershipState;
use matrix_sdk::ruma::events::room::message::{
    OriginalSyncRoomMessageEvent, RoomMessageEventContent,
};
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::OwnedUserId;
use matrix_sdk::{Client, Room};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::steps::{fresh, percentile, reflection_steps, BenchError};
use eftertanke_core::content::Content;
use eftertanke_core::i18n::Lang;
use eftertanke_matrix::{self as matrix, Options};
use eftertanke_synapse::Synapse;

const PASSWORD: &str = "bench password";
/// A step that takes longer than this counts as lost, and the benchmark fails.
const STEP_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Clone, Debug)]
pub struct MatrixOptions {
    /// People at once, each in an encrypted direct room with the bot (the only kind it holds
    /// a dialogue in).
    pub levels: Vec<usize>,
    /// Dialogues per level in all, shared among the people (at least one each).
    pub dialogues: usize,
}

impl MatrixOptions {
    #[must_use]
    pub fn full() -> MatrixOptions {
        MatrixOptions {
            levels: vec![1, 20, 100],
            dialogues: 20,
        }
    }

    #[must_use]
    pub fn quick() -> MatrixOptions {
        MatrixOptions {
            levels: vec![1, 2],
            dialogues: 2,
        }
    }
}

#[derive(Clone, Debug)]
pub struct MatrixRow {
    pub people: usize,
    pub steps: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

fn task<E: std::fmt::Display>(err: E) -> BenchError {
    BenchError::Task(err.to_string())
}

pub async fn run(
    content: Arc<Content>,
    options: &MatrixOptions,
    dir: &Path,
) -> Result<Vec<MatrixRow>, BenchError> {
    let synapse = tokio::task::spawn_blocking(|| Synapse::start(None))
        .await
        .map_err(task)?
        .map_err(task)?;
    let mut rows = Vec::new();
    for (level_number, &people) in options.levels.iter().enumerate() {
        let dialogues = (options.dialogues / people).max(1);
        let level = Level {
            synapse: &synapse,
            number: level_number,
            people,
            dialogues,
        };
        rows.push(
            level
                .run(content.clone(), &dir.join(format!("mx-{level_number}")))
                .await?,
        );
    }
    Ok(rows)
}

struct Level<'s> {
    synapse: &'s Synapse,
    number: usize,
    people: usize,
    dialogues: usize,
}

impl Level<'_> {
    /// Registers a user on the homeserver: a short Python process, waited for without
    /// holding up the runtime (setup is not timed).
    fn register(&self, name: &str) -> Result<String, BenchError> {
        tokio::task::block_in_place(|| self.synapse.register(name, PASSWORD)).map_err(task)
    }

    async fn run(&self, content: Arc<Content>, dir: &Path) -> Result<MatrixRow, BenchError> {
        let bot_user = self.register(&format!("bot{}", self.number))?;
        let (store, vault) = fresh(dir)?;
        let app = crate::steps::app(content, store, vault)?;
        let stop = CancellationToken::new();
        let options = Options {
            homeserver: self.synapse.url.clone(),
            user: bot_user.clone(),
            password: Some(PASSWORD.into()),
            access_token: None,
            passphrase: "bench".into(),
            allowed_servers: vec![self.synapse.server_name.as_str().try_into().map_err(task)?],
            lang: Lang::En,
            folder: dir.join("matrix"),
        };
        let folder = options.folder.clone();
        let bot = tokio::spawn(matrix::run(app.clone(), options, stop.clone()));
        // The bot's first sync published its device keys: before that, a person's client
        // would wait on them (up to 5 s) when it first sends in an encrypted room.
        let waited = Instant::now();
        while !folder.join("sync-token").exists() {
            if waited.elapsed() > STEP_TIMEOUT || bot.is_finished() {
                return Err(BenchError::Task("the bot did not start".into()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let bot_user: OwnedUserId = bot_user.try_into().map_err(task)?;

        let mut people = Vec::with_capacity(self.people);
        for person in 0..self.people {
            let user = self.register(&format!("p{}x{person}", self.number))?;
            people.push(Person::start(&self.synapse.url, &user, &bot_user).await?);
        }
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(self.people);
        for mut person in people {
            let dialogues = self.dialogues;
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                for dialogue in 0..dialogues {
                    for (text, replies) in reflection_steps(dialogue == 0) {
                        let begun = Instant::now();
                        person.step(text, replies).await?;
                        latencies.push(begun.elapsed());
                    }
                }
                person.sync.abort();
                Ok::<_, BenchError>(latencies)
            }));
        }
        let mut latencies = Vec::new();
        for task in tasks {
            latencies.extend(task.await.map_err(self::task)??);
        }
        let wall = started.elapsed();
        stop.cancel();
        bot.await.map_err(task)?.map_err(task)?;
        latencies.sort_unstable();
        Ok(MatrixRow {
            people: self.people,
            steps: latencies.len(),
            per_second: latencies.len() as f64 / wall.as_secs_f64().max(1e-9),
            p50_ms: percentile(&latencies, 0.50),
            p99_ms: percentile(&latencies, 0.99),
        })
    }
}

/// A person: a logged-in client that syncs in the background, and its room with the bot.
struct Person {
    room: Room,
    from_bot: mpsc::UnboundedReceiver<()>,
    sync: tokio::task::JoinHandle<()>,
}

impl Person {
    async fn start(homeserver: &str, user: &str, bot: &OwnedUserId) -> Result<Person, BenchError> {
        let client = Client::builder()
            .homeserver_url(homeserver)
            .build()
            .await
            .map_err(task)?;
        client
            .matrix_auth()
            .login_username(user, PASSWORD)
            .send()
            .await
            .map_err(task)?;
        client
            .sync_once(SyncSettings::default())
            .await
            .map_err(task)?;
        let (to_person, from_bot) = mpsc::unbounded_channel();
        let sender = bot.clone();
        client.add_event_handler(move |event: OriginalSyncRoomMessageEvent| {
            let (to_person, sender) = (to_person.clone(), sender.clone());
            async move {
                if event.sender == sender {
                    let _ = to_person.send(());
                }
            }
        });
        let syncing = client.clone();
        let sync = tokio::spawn(async move {
            let settings = SyncSettings::default().timeout(Duration::from_secs(30));
            loop {
                if syncing.sync_once(settings.clone()).await.is_err() {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        });
        let mut request = CreateRoom::new();
        request.invite = vec![bot.clone()];
        request.is_direct = true;
        request.preset = Some(RoomPreset::TrustedPrivateChat);
        request.initial_state = vec![InitialStateEvent::with_empty_state_key(
            RoomEncryptionEventContent::with_recommended_defaults(),
        )
        .to_raw_any()];
        let room = client.create_room(request).await.map_err(task)?;
        // The bot must be in the room before the first message (its room key).
        let waited = Instant::now();
        loop {
            if let Ok(Some(member)) = room.get_member(bot).await {
                if *member.membership() == MembershipState::Join {
                    break;
                }
            }
            if waited.elapsed() > STEP_TIMEOUT {
                return Err(BenchError::Task("the bot never joined".into()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // The person's client knows the bot's device before the first timed step; left to
        // the first send, that query can hold it up to 5 s.
        while client
            .encryption()
            .get_user_devices(bot)
            .await
            .map_or(true, |devices| devices.devices().next().is_none())
        {
            if waited.elapsed() > STEP_TIMEOUT {
                return Err(BenchError::Task("the bot's device never showed".into()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Person {
            room,
            from_bot,
            sync,
        })
    }

    /// Sends `text` and waits for the bot's `replies` messages.
    async fn step(&mut self, text: &str, replies: usize) -> Result<(), BenchError> {
        self.room
            .send(RoomMessageEventContent::text_plain(text))
            .await
            .map_err(task)?;
        for _ in 0..replies {
            tokio::time::timeout(STEP_TIMEOUT, self.from_bot.recv())
                .await
                .map_err(|_| BenchError::Task(format!("no answer to {text:?}")))?
                .ok_or_else(|| BenchError::Task("the person's client stopped".into()))?;
        }
        Ok(())
    }
}

/// The Matrix rows as a table.
#[must_use]
pub fn table(rows: &[MatrixRow]) -> String {
    let mut out = String::from(
        "| Matrix (Synapse on loopback, encrypted rooms) | people | steps | steps/s | p50 ms | p99 ms |\n\
         | --- | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for row in rows {
        out.push_str(&format!(
            "| message to next question | {} | {} | {:.1} | {:.0} | {:.0} |\n",
            row.people, row.steps, row.per_second, row.p50_ms, row.p99_ms
        ));
    }
    out
}
