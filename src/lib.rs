//! eftertanke: guided reflection dialogues on the eight *Borgeren ved roret* principles, over
//! chat. This crate is the shipped program's wiring; the work is done in the crates below.
//!
//! # Layout
//! The workspace's crates, each depending only on those above it in this list (Cargo
//! enforces it: an upward import does not build):
//! - `eftertanke-core` ([`engine`], [`dialogs`], [`i18n`], [`content`], [`records`],
//!   [`schedule`], [`digest`], [`flood`], [`check`]): the pure core, no I/O, no clock;
//! - `eftertanke-store` ([`store`]): sled with a group commit, memory, sealing per person;
//! - `eftertanke-app` ([`app`], [`scheduler`], [`config`], [`export`], [`channels`]'s kit and
//!   the terminal chat): events made durable, what is due, the channel kit;
//! - `eftertanke-telegram`, `eftertanke-matrix`: the chat channels, at the edge;
//! - this crate: [`serve`] (every configured channel with one scheduler until shutdown),
//!   [`chat`] (the terminal), and `main.rs`, which only reads the command line.
//!
//! Test harnesses (the Telegram Bot API emulator, the Synapse launcher) and the benchmarks
//! live under `testing/` and are never part of the shipped binary. See
//! `docs/architecture.md`.

use std::future::Future;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context as _};
use tokio_util::sync::CancellationToken;

pub mod commands;
pub mod doctor;
pub mod logging;

pub use eftertanke_app as app;
pub use eftertanke_app::{config, export, scheduler};
pub use eftertanke_core::{
    check, content, dialogs, digest, engine, flood, i18n, records, schedule,
};
pub use eftertanke_store as store;

use app::{App, Clock, Profile};
use config::Config;
use content::Content;
use records::PersonId;
use store::{find_master_key, open_folder, MasterKey, SledStore, Vault, CACHE_BYTES};

/// The chat channels: the terminal, the kit the others are built from, and those compiled
/// in (the default `telegram` and `matrix` features).
pub mod channels {
    pub use eftertanke_app::console;
    pub use eftertanke_app::kit::{lanes, text};
    #[cfg(feature = "matrix")]
    pub use eftertanke_matrix as matrix;
    #[cfg(feature = "telegram")]
    pub use eftertanke_telegram as telegram;

    /// The messages the channels word themselves, checked at start-up with the engine's.
    pub const MESSAGES: &[crate::content::MessageList] = &[
        console::MESSAGES,
        #[cfg(feature = "telegram")]
        telegram::MESSAGES,
        #[cfg(feature = "matrix")]
        matrix::MESSAGES,
    ];
}

/// Everything the process creates from here on (sled's files, the Matrix store, /mydata
/// files) is readable by its owner only, whatever the umask it was started with: the data
/// folder holds special-category personal data.
pub fn private_files() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Loads and checks the dialogues and messages (the compiled-in ones where a folder is not
/// given), with every channel's own messages.
pub fn load_content(dialogs: Option<&Path>, locales: Option<&Path>) -> anyhow::Result<Content> {
    Content::load(dialogs, locales, channels::MESSAGES)
        .map_err(|err| anyhow::anyhow!("the dialogues or locales have problems:\n{err}"))
}

/// Opens a data folder with its master key (see `store::find_master_key`); `create` lets a
/// brand-new folder get a key file of its own.
pub fn open_data(
    data: &Path,
    key_file: Option<&Path>,
    create: bool,
) -> anyhow::Result<(MasterKey, SledStore, Vault)> {
    let master = find_master_key(data, key_file, create)?;
    let (store, vault) = open_folder(data, &master, CACHE_BYTES)
        .with_context(|| format!("opening the data folder {}", data.display()))?;
    Ok((master, store, vault))
}

/// What `eftertanke chat` was asked for.
pub struct ChatOptions {
    /// Who is chatting: several people can share one data folder.
    pub user: String,
    /// Defaults for someone new, and what to change for someone known (`--as`, `--lang`).
    pub profile: Profile,
    pub data: PathBuf,
    pub config: Config,
    pub clock: Box<dyn Clock>,
    pub content: Content,
}

/// The terminal chat: one person at a local terminal (or a piped script), until the input
/// ends or Ctrl-C. A brand-new data folder gets a key file of its own.
pub async fn chat(options: ChatOptions) -> anyhow::Result<()> {
    let user = options.user.trim();
    if user.is_empty() {
        bail!("--user needs a name");
    }
    let ChatOptions { data, config, .. } = options;
    let (_, store, vault) = open_data(&data, config.key_file.as_deref(), true)?;
    let app = App::new(
        Arc::new(options.content),
        config.settings,
        store,
        vault,
        options.clock,
    );
    let person = PersonId::new("console", user);
    let interactive = std::io::stdin().is_terminal();
    let input = tokio::io::BufReader::new(tokio::io::stdin());
    let shutdown = async {
        // Ctrl-C ends the chat; an answer being stored is finished first.
        let _ = tokio::signal::ctrl_c().await;
    };
    channels::console::run(
        &app,
        &person,
        options.profile,
        input,
        tokio::io::stdout(),
        interactive,
        // /mydata files go beside the data folder, not into it.
        data.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
        &config.schedule,
        shutdown,
    )
    .await?;
    // Every answer was made durable before its reply; dropping the store flushes the rest.
    Ok(())
}

/// Resolves at SIGINT or SIGTERM: the shutdown `main` gives [`serve`].
pub async fn termination() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// A configured channel, ready to start.
enum Channel {
    #[cfg(feature = "telegram")]
    Telegram(channels::telegram::Options),
    #[cfg(feature = "matrix")]
    Matrix(channels::matrix::Options),
}

impl Channel {
    #[cfg_attr(
        not(any(feature = "telegram", feature = "matrix")),
        allow(unused_variables)
    )]
    async fn run(self, app: Arc<App<SledStore>>, stop: CancellationToken) -> anyhow::Result<()> {
        match self {
            #[cfg(feature = "telegram")]
            Channel::Telegram(options) => channels::telegram::run(app, options, stop)
                .await
                .context("Telegram"),
            #[cfg(feature = "matrix")]
            Channel::Matrix(options) => channels::matrix::run(app, options, stop)
                .await
                .context("Matrix"),
        }
    }
}

/// Runs every channel the configuration has, with one scheduler, until `shutdown` resolves
/// (`main` passes SIGINT or SIGTERM): then no new updates are taken, the ones in flight are
/// finished, replies not yet sent wait in the outbox, and the store is flushed. A channel that
/// fails for good (a refused login) stops the others too, and is the error returned.
pub async fn serve(
    config: Config,
    data: Option<PathBuf>,
    clock: Box<dyn Clock>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let content = load_content(None, None)?;
    let data = data
        .or(config.data.clone())
        .unwrap_or_else(|| PathBuf::from("eftertanke-data"));
    // Secrets are read first, so a missing one is told before anything is opened.
    let channels = configured_channels(&config, &data)?;
    if channels.is_empty() {
        bail!("nothing to run: the configuration has neither a [telegram] nor a [matrix] section");
    }
    let (_, store, vault) = open_data(&data, config.key_file.as_deref(), false)?;
    let app = Arc::new(App::new(
        Arc::new(content),
        config.settings,
        store,
        vault,
        clock,
    ));
    // One token stops everything: the shutdown signal, or a channel that failed for good.
    let stop = CancellationToken::new();
    tokio::spawn({
        let stop = stop.clone();
        async move {
            tokio::select! {
                () = shutdown => tracing::info!("stopping: finishing the messages in flight"),
                () = stop.cancelled() => {}
            }
            stop.cancel();
        }
    });
    // One scheduler for all channels; each channel delivers its people's outbox.
    let scheduler = tokio::spawn({
        let (app, stop) = (app.clone(), stop.clone());
        async move { scheduler::run(&app, &config.schedule, stop).await }
    });
    let metrics = config.metrics_listen.map(|listen| {
        let (app, stop) = (app.clone(), stop.clone());
        tokio::spawn(async move { app::metrics::serve(app, listen, stop).await })
    });
    let control = tokio::spawn({
        let (app, stop, data) = (app.clone(), stop.clone(), data.clone());
        async move { app::control::serve(app, &data, stop).await }
    });
    let mut running = tokio::task::JoinSet::new();
    for channel in channels {
        running.spawn(channel.run(app.clone(), stop.clone()));
    }
    let mut failure = None;
    while let Some(ended) = running.join_next().await {
        let failed = match ended {
            Ok(Ok(())) => continue,
            Ok(Err(err)) => err,
            Err(err) => anyhow::anyhow!("a channel ended abnormally: {err}"),
        };
        stop.cancel();
        failure.get_or_insert(failed);
    }
    stop.cancel();
    if let Err(err) = scheduler.await {
        tracing::error!("the scheduler ended abnormally: {err}");
    }
    if let Some(metrics) = metrics {
        match metrics.await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::error!("serving /metrics: {err}"),
            Err(err) => tracing::error!("serving /metrics ended abnormally: {err}"),
        }
    }
    match control.await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => tracing::error!("the control socket: {err}"),
        Err(err) => tracing::error!("the control socket ended abnormally: {err}"),
    }
    if let Some(err) = failure {
        return Err(err);
    }
    // Every handler and background task has ended: this is the last handle, and dropping
    // it flushes the store and ends its writer thread.
    if Arc::strong_count(&app) > 1 {
        tracing::warn!("the store is still in use at exit; it is flushed when that ends");
    }
    drop(app);
    tracing::info!("stopped");
    Ok(())
}

/// The channels the configuration has, with their secrets from the environment.
#[cfg_attr(not(any(feature = "telegram", feature = "matrix")), allow(unused_mut))]
fn configured_channels(config: &Config, data: &Path) -> anyhow::Result<Vec<Channel>> {
    let mut channels = Vec::new();
    if let Some(telegram) = &config.telegram {
        #[cfg(feature = "telegram")]
        {
            use channels::telegram;
            let token = telegram.token()?.ok_or(telegram::TelegramError::NoToken)?;
            channels.push(Channel::Telegram(telegram::Options {
                token,
                api_url: telegram.api_url.clone(),
                throttle: telegram.throttle,
            }));
        }
        #[cfg(not(feature = "telegram"))]
        {
            let _ = telegram;
            bail!("this eftertanke was built without Telegram (the `telegram` feature)");
        }
    }
    if let Some(matrix) = &config.matrix {
        #[cfg(feature = "matrix")]
        channels.push(Channel::Matrix(matrix_options(matrix, data)?));
        #[cfg(not(feature = "matrix"))]
        {
            let _ = (matrix, data);
            bail!("this eftertanke was built without Matrix (the `matrix` feature)");
        }
    }
    Ok(channels)
}

#[cfg(feature = "matrix")]
fn matrix_options(
    matrix: &config::MatrixConfig,
    data: &Path,
) -> anyhow::Result<channels::matrix::Options> {
    use channels::matrix::{MatrixError, Options};
    let password = store::secret::MATRIX_PASSWORD.value()?;
    let access_token = store::secret::MATRIX_ACCESS_TOKEN.value()?;
    let folder = data.join("matrix");
    // A saved session needs neither: the device logged in once and keeps its token.
    if password.is_none() && access_token.is_none() && !channels::matrix::session_saved(&folder) {
        return Err(MatrixError::NoLogin.into());
    }
    let passphrase = store::secret::MATRIX_STORE_PASSPHRASE
        .value()?
        .ok_or(MatrixError::NoPassphrase)?;
    let allowed_servers = matrix
        .allowed_servers
        .iter()
        .map(|server| {
            server
                .as_str()
                .try_into()
                .with_context(|| format!("matrix.allowed_servers: `{server}` is not a server name"))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Options {
        homeserver: matrix.homeserver.clone(),
        user: matrix.user.clone(),
        password,
        access_token,
        passphrase,
        allowed_servers,
        lang: matrix.lang,
        folder,
    })
}

/// The built-in content and a data folder that must already hold data, for the commands
/// that read one (`digest`, `export`).
pub fn stored_data(
    data: &Path,
    config: &Config,
) -> anyhow::Result<(Content, MasterKey, SledStore, Vault)> {
    let content = load_content(None, None)?;
    if !store::holds_data(data) {
        bail!("no eftertanke data in {}", data.display());
    }
    let (master, store, vault) = open_data(data, config.key_file.as_deref(), false)?;
    Ok((content, master, store, vault))
}

/// The group named by its id or its name. Names need not be unique: a name that fits more
/// than one group is refused with their ids, so nobody is given another group's data.
pub fn find_group(
    groups: Vec<records::Group>,
    wanted: &str,
    data: &Path,
) -> anyhow::Result<records::Group> {
    if let Some(group) = groups.iter().find(|g| g.id == wanted) {
        return Ok(group.clone());
    }
    let mut named: Vec<_> = groups.into_iter().filter(|g| g.name == wanted).collect();
    match named.len() {
        0 => bail!("no group `{wanted}` in {}", data.display()),
        1 => Ok(named.remove(0)),
        _ => {
            let ids: Vec<&str> = named.iter().map(|g| g.id.as_str()).collect();
            bail!(
                "{} groups are called `{wanted}`: give one of their ids instead: {}",
                ids.len(),
                ids.join(", ")
            )
        }
    }
}
