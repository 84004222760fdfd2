//! The `eftertanke` command: thin. Parses arguments, sets up logging, and calls the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use clap::{Parser, Subcommand, ValueEnum};
use eftertanke::app::{App, Clock, Profile, ShiftedClock, SystemClock};
use eftertanke::channels::console;
use eftertanke::config::Config;
use eftertanke::content::Content;
use eftertanke::dialogs::Role;
use eftertanke::i18n::Lang;
use eftertanke::records::PersonId;
use eftertanke::store::{find_master_key, open_folder, MasterKey, SledStore, Vault, CACHE_BYTES};
use eftertanke::{bench, check, export, schedule};

/// sled allocates and frees many small pages; glibc's allocator fragments under that load
/// (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Guided reflection on the eight Borgeren ved roret principles.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Staff,
    Citizen,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Da,
    En,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Csv,
    Json,
}

#[derive(clap::Args, Clone)]
struct ContentArgs {
    /// A folder of dialogue files (default: the dialogues built into the binary).
    #[arg(long)]
    dialogs: Option<PathBuf>,
    /// A folder with da/ and en/ Fluent files (default: the ones built into the binary).
    #[arg(long)]
    locales: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Chat in the terminal (the default). Answers are stored in the data folder.
    Chat {
        /// Reflect as staff or as a citizen.
        #[arg(long = "as", value_enum)]
        role: Option<RoleArg>,
        /// A name for this person, so several people can share one data folder.
        #[arg(long, default_value = "local")]
        user: String,
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
        /// Where answers are stored.
        #[arg(long, default_value = "eftertanke-data")]
        data: PathBuf,
        /// A dialogue left this many hours is closed kindly at the next message.
        #[arg(long, default_value_t = 72)]
        close_after_hours: u32,
        /// The configuration file (administrators, schedule). Without one, the user
        /// "local" is an administrator.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Pretend the chat starts at this moment (RFC 3339), to try out what happens
        /// on another day.
        #[arg(long, hide = true)]
        now: Option<jiff::Timestamp>,
        #[command(flatten)]
        content: ContentArgs,
    },
    /// Run the chat channels configured in the file (Telegram, Matrix) with the scheduler,
    /// until SIGINT or SIGTERM.
    Run {
        /// The configuration file; its [telegram] and [matrix] sections start those channels.
        #[arg(long)]
        config: PathBuf,
        /// Where answers are stored (default: `data` in the file, else ./eftertanke-data).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Pretend the bot starts at this moment (RFC 3339): for tests.
        #[arg(long, hide = true)]
        now: Option<jiff::Timestamp>,
    },
    /// Print one group's weekly digest.
    Digest {
        /// The group's exact name (or its id).
        #[arg(long)]
        group: String,
        /// The ISO week, like 2026-W47 (default: the last complete week).
        #[arg(long)]
        week: Option<String>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
        #[arg(long, default_value = "eftertanke-data")]
        data: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Write one group's answers in a period, pseudonymised, for evaluation (see the README:
    /// no names, no platform ids, free text only where the person agreed to share it).
    Export {
        /// The group's id (or its exact name).
        #[arg(long)]
        group: String,
        /// The first day, like 2026-01-01.
        #[arg(long)]
        from: jiff::civil::Date,
        /// The last day (included).
        #[arg(long)]
        to: jiff::civil::Date,
        #[arg(long, value_enum, default_value = "csv")]
        format: FormatArg,
        /// Write here (created with mode 0600, never overwritten) instead of to stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value = "eftertanke-data")]
        data: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Make or rotate the master key that seals the data folder.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Check dialogues and locales, including plain language (LIX) for citizen text.
    Check {
        #[command(flatten)]
        content: ContentArgs,
        /// Also list the LIX of every staff message.
        #[arg(long)]
        verbose: bool,
    },
    /// Measure durable dialogue steps per second and latency on the sled store.
    Bench {
        /// A short run that only checks the benchmark works.
        #[arg(long)]
        quick: bool,
        /// Where the table is written as well as printed.
        #[arg(long, default_value = "bench-results.md")]
        out: PathBuf,
        /// A scratch folder for the benchmark stores (emptied first).
        #[arg(long, default_value = "target/bench-data")]
        data: PathBuf,
        /// Run only these parts (default: all).
        #[arg(long, value_enum)]
        only: Vec<BenchPart>,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Write a new random master key to FILE (never overwrites a file).
    New { file: PathBuf },
    /// Rewrap the data folder's person keys under the master key in NEW_KEY_FILE. The
    /// current key comes from the environment, --config's key_file, or beside the folder.
    Rotate {
        #[arg(long, default_value = "eftertanke-data")]
        data: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
        /// The file with the new key (make it first with `eftertanke key new`).
        #[arg(long)]
        new_key_file: PathBuf,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BenchPart {
    /// Resident memory with 10,000 conversations in progress.
    Memory,
    /// Durable dialogue steps on sled.
    Steps,
    /// One group's digest over a long history.
    Digest,
    /// People through the Telegram channel and the local Bot API emulator.
    Telegram,
    /// People through the Matrix channel and a Synapse on 127.0.0.1 (installed if missing).
    Matrix,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EFTERTANKE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"))
                // teloxide logs an update it cannot parse whole, people's words included.
                .add_directive(
                    "teloxide::dispatching::dispatcher=off"
                        .parse()
                        .unwrap_or_default(),
                )
                // matrix-sdk logs every refused request as an error, expected ones too (no
                // account data yet); the channel logs what fails for it.
                .add_directive("matrix_sdk::http_client=off".parse().unwrap_or_default())
                // Said once at a device's first login, before its keys are on the server.
                .add_directive(
                    "matrix_sdk_crypto::identities::manager=error"
                        .parse()
                        .unwrap_or_default(),
                )
                // The bot keeps its keys in its own store, not in server-side key backup.
                .add_directive(
                    "matrix_sdk_crypto::backups=error"
                        .parse()
                        .unwrap_or_default(),
                ),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("eftertanke: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let command = cli.command.unwrap_or(Command::Chat {
        role: None,
        user: "local".into(),
        lang: None,
        data: PathBuf::from("eftertanke-data"),
        close_after_hours: 72,
        config: None,
        now: None,
        content: ContentArgs {
            dialogs: None,
            locales: None,
        },
    });
    let runtime = tokio::runtime::Runtime::new().context("starting the runtime")?;
    match command {
        Command::Chat {
            role,
            user,
            lang,
            data,
            close_after_hours,
            config,
            now,
            content,
        } => {
            let default_admin = PersonId::new("console", "local");
            let mut config = Config::load(config.as_deref(), Some(default_admin))?;
            config.settings.idle_close =
                jiff::SignedDuration::from_hours(i64::from(close_after_hours));
            // One person at a local terminal, who may pipe a whole script in.
            config.settings.flood_limit = false;
            let clock: Box<dyn Clock> = match now {
                Some(start) => Box::new(ShiftedClock::starting_at(start)),
                None => Box::new(SystemClock),
            };
            runtime.block_on(chat(role, &user, lang, data, config, clock, content))
        }
        Command::Digest {
            group,
            week,
            lang,
            data,
            config,
        } => {
            let config = Config::load(config.as_deref(), None)?;
            runtime.block_on(print_digest(&group, week.as_deref(), lang, &data, config))
        }
        Command::Run { config, data, now } => {
            let config = Config::load(Some(&config), None)?;
            let clock: Box<dyn Clock> = match now {
                Some(start) => Box::new(ShiftedClock::starting_at(start)),
                None => Box::new(SystemClock),
            };
            runtime.block_on(run_channels(config, data, clock))
        }
        Command::Export {
            group,
            from,
            to,
            format,
            out,
            data,
            config,
        } => {
            let config = Config::load(config.as_deref(), None)?;
            let format = match format {
                FormatArg::Csv => export::Format::Csv,
                FormatArg::Json => export::Format::Json,
            };
            let request = ExportRequest {
                group: &group,
                period: (from, to),
                format,
                out: out.as_deref(),
            };
            run_export(request, &data, config)
        }
        Command::Key(KeyCommand::New { file }) => {
            MasterKey::create_file(&file)?;
            println!("{}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Key(KeyCommand::Rotate {
            data,
            config,
            new_key_file,
        }) => {
            let config = Config::load(config.as_deref(), None)?;
            let old = find_master_key(&data, config.key_file.as_deref(), false)?;
            let new = MasterKey::read_file(&new_key_file)?;
            // Holds sled's lock: a running bot would keep writing the old keyring.
            let _in_use = SledStore::open(&data, 1 << 20)
                .with_context(|| format!("{} is in use: stop eftertanke first", data.display()))?;
            let count = Vault::rotate(&data, &old, &new)?;
            println!(
                "{count} person keys now wrapped by {}",
                new_key_file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { content, verbose } => Ok(run_check(&content, verbose)),
        Command::Bench {
            quick,
            out,
            data,
            only,
        } => runtime.block_on(run_bench(quick, out, data, &only)),
    }
}

/// Opens a data folder with its master key (see `store::find_master_key`); `create` lets a
/// brand-new folder get a key file of its own.
fn open_data(
    data: &std::path::Path,
    key_file: Option<&std::path::Path>,
    create: bool,
) -> anyhow::Result<(MasterKey, SledStore, Vault)> {
    let master = find_master_key(data, key_file, create)?;
    let (store, vault) = open_folder(data, &master, CACHE_BYTES)
        .with_context(|| format!("opening the data folder {}", data.display()))?;
    Ok((master, store, vault))
}

fn load(content: &ContentArgs) -> anyhow::Result<Content> {
    Content::load(
        content.dialogs.as_deref(),
        content.locales.as_deref(),
        eftertanke::channels::MESSAGES,
    )
    .map_err(|err| anyhow::anyhow!("the dialogues or locales have problems:\n{err}"))
}

async fn chat(
    role: Option<RoleArg>,
    user: &str,
    lang: Option<LangArg>,
    data: PathBuf,
    config: Config,
    clock: Box<dyn Clock>,
    content: ContentArgs,
) -> anyhow::Result<ExitCode> {
    let content = load(&content)?;
    if user.trim().is_empty() {
        bail!("--user needs a name");
    }
    let (_, store, vault) = open_data(&data, config.key_file.as_deref(), true)?;
    let app = App::new(Arc::new(content), config.settings, store, vault, clock);
    let profile = Profile {
        set_lang: lang.map(|lang| match lang {
            LangArg::Da => Lang::Da,
            LangArg::En => Lang::En,
        }),
        set_role: role.map(|role| match role {
            RoleArg::Staff => Role::Staff,
            RoleArg::Citizen => Role::Citizen,
        }),
        ..Profile::new(Lang::Da, Role::Staff)
    };
    let person = PersonId::new("console", user.trim());
    let interactive = std::io::stdin().is_terminal();
    let input = tokio::io::BufReader::new(tokio::io::stdin());
    let shutdown = async {
        // Ctrl-C ends the chat; an answer being stored is finished first.
        let _ = tokio::signal::ctrl_c().await;
    };
    console::run(
        &app,
        &person,
        profile,
        input,
        tokio::io::stdout(),
        interactive,
        // /mydata files go beside the data folder, not into it.
        data.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new(".")),
        &config.schedule,
        shutdown,
    )
    .await?;
    // Every answer was made durable before its reply; dropping the store flushes the rest.
    Ok(ExitCode::SUCCESS)
}

/// Resolves at SIGINT or SIGTERM.
async fn termination() {
    #[cfg(unix)]
    {
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
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A configured channel, ready to start.
enum Channel {
    #[cfg(feature = "telegram")]
    Telegram(eftertanke::channels::telegram::Options),
    #[cfg(feature = "matrix")]
    Matrix(eftertanke::channels::matrix::Options),
}

impl Channel {
    #[cfg_attr(
        not(any(feature = "telegram", feature = "matrix")),
        allow(unused_variables)
    )]
    async fn run(
        self,
        app: Arc<App<SledStore>>,
        stopped: tokio::sync::watch::Receiver<bool>,
    ) -> anyhow::Result<()> {
        match self {
            #[cfg(feature = "telegram")]
            Channel::Telegram(options) => {
                eftertanke::channels::telegram::run(app, options, stopped)
                    .await
                    .context("Telegram")
            }
            #[cfg(feature = "matrix")]
            Channel::Matrix(options) => eftertanke::channels::matrix::run(app, options, stopped)
                .await
                .context("Matrix"),
        }
    }
}

/// Runs every channel the configuration has, with one scheduler, until SIGINT or SIGTERM.
/// A channel that fails for good (a refused login) stops the others too.
async fn run_channels(
    config: Config,
    data: Option<PathBuf>,
    clock: Box<dyn Clock>,
) -> anyhow::Result<ExitCode> {
    use eftertanke::scheduler;
    let content = load(&ContentArgs {
        dialogs: None,
        locales: None,
    })?;
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
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let stop = Arc::new(stop);
    tokio::spawn({
        let stop = stop.clone();
        async move {
            termination().await;
            tracing::info!("stopping: finishing the messages in flight");
            let _ = stop.send(true);
        }
    });
    // One scheduler for all channels; each channel delivers its people's outbox.
    let scheduler = tokio::spawn({
        let (app, stopped) = (app.clone(), stopped.clone());
        async move { scheduler::run(&app, &config.schedule, stopped).await }
    });
    let mut running = tokio::task::JoinSet::new();
    for channel in channels {
        running.spawn(channel.run(app.clone(), stopped.clone()));
    }
    let mut failure = None;
    while let Some(ended) = running.join_next().await {
        let failed = match ended {
            Ok(Ok(())) => continue,
            Ok(Err(err)) => err,
            Err(err) => anyhow::anyhow!("a channel ended abnormally: {err}"),
        };
        let _ = stop.send(true);
        failure.get_or_insert(failed);
    }
    let _ = stop.send(true);
    if let Err(err) = scheduler.await {
        tracing::error!("the scheduler ended abnormally: {err}");
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
    Ok(ExitCode::SUCCESS)
}

/// The channels the configuration has, with their secrets from the environment.
#[cfg_attr(not(any(feature = "telegram", feature = "matrix")), allow(unused_mut))]
fn configured_channels(config: &Config, data: &std::path::Path) -> anyhow::Result<Vec<Channel>> {
    let mut channels = Vec::new();
    if let Some(telegram) = &config.telegram {
        #[cfg(feature = "telegram")]
        {
            use eftertanke::channels::telegram;
            let token = telegram.token().ok_or(telegram::TelegramError::NoToken)?;
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
    matrix: &eftertanke::config::MatrixConfig,
    data: &std::path::Path,
) -> anyhow::Result<eftertanke::channels::matrix::Options> {
    use eftertanke::channels::matrix::{MatrixError, Options};
    let secret = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let password = secret("MATRIX_PASSWORD");
    let access_token = secret("MATRIX_ACCESS_TOKEN");
    let folder = data.join("matrix");
    // A saved session needs neither: the device logged in once and keeps its token.
    if password.is_none() && access_token.is_none() && !folder.join("session.json").exists() {
        return Err(MatrixError::NoLogin.into());
    }
    let passphrase = secret("MATRIX_STORE_PASSPHRASE").ok_or(MatrixError::NoPassphrase)?;
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
fn stored_data(
    data: &std::path::Path,
    config: &Config,
) -> anyhow::Result<(Content, MasterKey, SledStore, Vault)> {
    let content = load(&ContentArgs {
        dialogs: None,
        locales: None,
    })?;
    if !data.join("db").exists() {
        bail!("no eftertanke data in {}", data.display());
    }
    let (master, store, vault) = open_data(data, config.key_file.as_deref(), false)?;
    Ok((content, master, store, vault))
}

/// The group named by its id or its name. Names need not be unique: a name that fits more
/// than one group is refused with their ids, so nobody is given another group's data.
fn find_group(
    groups: Vec<eftertanke::records::Group>,
    wanted: &str,
    data: &std::path::Path,
) -> anyhow::Result<eftertanke::records::Group> {
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

/// What `eftertanke export` was asked for.
struct ExportRequest<'a> {
    group: &'a str,
    period: (jiff::civil::Date, jiff::civil::Date),
    format: export::Format,
    out: Option<&'a std::path::Path>,
}

fn run_export(
    request: ExportRequest<'_>,
    data: &std::path::Path,
    config: Config,
) -> anyhow::Result<ExitCode> {
    let (content, master, store, vault) = stored_data(data, &config)?;
    let records = eftertanke::store::Records::new(store, config.settings.time_zone.clone(), vault);
    let group = find_group(records.groups()?, request.group, data)?;
    let rows = export::gather(
        &records,
        &content.catalog,
        &config.settings.time_zone,
        &group.id,
        request.period,
        &master,
    )?;
    match request.out {
        Some(path) => {
            use std::os::unix::fs::OpenOptionsExt as _;
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .with_context(|| format!("creating {}", path.display()))?;
            export::write(&rows, request.format, std::io::BufWriter::new(file))?;
        }
        None => export::write(&rows, request.format, std::io::stdout().lock())?,
    }
    let people: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.person.as_str()).collect();
    let shared = rows.iter().filter(|r| r.shared_text).count();
    eprintln!(
        "eftertanke: {} answers from {} people, {shared} shared texts",
        rows.len(),
        people.len()
    );
    Ok(ExitCode::SUCCESS)
}

async fn print_digest(
    group: &str,
    week: Option<&str>,
    lang: LangArg,
    data: &std::path::Path,
    config: Config,
) -> anyhow::Result<ExitCode> {
    let (content, _, store, vault) = stored_data(data, &config)?;
    let app = App::new(
        Arc::new(content),
        config.settings,
        store,
        vault,
        Box::new(SystemClock),
    );
    let tz = app.settings().time_zone.clone();
    let now = app.now();
    let week = match week {
        Some(text) => schedule::parse_week(text)
            .with_context(|| format!("`{text}` is not an ISO week like 2026-W47"))?,
        None => schedule::previous_week(schedule::week_of(now, &tz)),
    };
    let found = find_group(app.records().groups()?, group, data)?;
    let today = now.to_zoned(tz).date();
    let (_, sunday) = schedule::week_dates(week);
    let lang = match lang {
        LangArg::Da => Lang::Da,
        LangArg::En => Lang::En,
    };
    println!("{}", app.digest(&found, week, sunday.min(today), lang)?);
    Ok(ExitCode::SUCCESS)
}

fn run_check(content: &ContentArgs, verbose: bool) -> ExitCode {
    let report = check::check(
        content.dialogs.as_deref(),
        content.locales.as_deref(),
        eftertanke::channels::MESSAGES,
    );
    if verbose {
        for r in report.readability.iter().filter(|r| !r.citizen) {
            println!("staff  {}  {}  LIX {:.0}", r.lang, r.id, r.lix);
        }
    }
    if !report.passed() {
        for problem in &report.problems {
            eprintln!("{problem}");
        }
        eprintln!("check failed: {} problem(s)", report.problems.len());
        return ExitCode::FAILURE;
    }
    println!(
        "check passed: {} dialogues, {} messages in {} languages",
        report.dialogues,
        report.messages,
        Lang::ALL.len()
    );
    for lang in Lang::ALL {
        for (citizen, who) in [(true, "citizen"), (false, "staff")] {
            if let Some(worst) = check::worst(&report, lang, citizen) {
                println!(
                    "  {lang} {who} text: highest LIX {:.0} ({})",
                    worst.lix, worst.id
                );
            }
        }
    }
    ExitCode::SUCCESS
}

async fn run_bench(
    quick: bool,
    out: PathBuf,
    data: PathBuf,
    only: &[BenchPart],
) -> anyhow::Result<ExitCode> {
    let content = Arc::new(load(&ContentArgs {
        dialogs: None,
        locales: None,
    })?);
    let runs = |part| only.is_empty() || only.contains(&part);
    let mut table = String::new();
    // Memory first, while nothing else has grown the process.
    if runs(BenchPart::Memory) {
        let conversations = if quick { 200 } else { 10_000 };
        let result = bench::memory(content.clone(), &data.join("memory"), conversations).await?;
        table.push_str(&bench::memory_table(&result));
        table.push('\n');
    }
    if runs(BenchPart::Steps) {
        let options = if quick {
            bench::Options::quick(data.clone())
        } else {
            bench::Options::full(data.clone())
        };
        let results = bench::run(content.clone(), &options).await?;
        table.push_str(&bench::table(&results));
        table.push('\n');
    }
    #[cfg(not(feature = "telegram"))]
    if only.contains(&BenchPart::Telegram) {
        bail!("this eftertanke was built without Telegram (the `telegram` feature)");
    }
    #[cfg(feature = "telegram")]
    if runs(BenchPart::Telegram) {
        let options = if quick {
            bench::telegram::TelegramOptions::quick()
        } else {
            bench::telegram::TelegramOptions::full()
        };
        let rows = bench::telegram::run(content.clone(), &options, &data).await?;
        table.push_str(&bench::telegram::table(&rows));
        table.push('\n');
    }
    #[cfg(not(feature = "matrix"))]
    if only.contains(&BenchPart::Matrix) {
        bail!("this eftertanke was built without Matrix (the `matrix` feature)");
    }
    #[cfg(feature = "matrix")]
    if runs(BenchPart::Matrix) {
        let options = if quick {
            bench::matrix::MatrixOptions::quick()
        } else {
            bench::matrix::MatrixOptions::full()
        };
        let rows = bench::matrix::run(content.clone(), &options, &data).await?;
        table.push_str(&bench::matrix::table(&rows));
        table.push('\n');
    }
    // The digest's history (gigabytes) goes last: its writeback would slow every sync of
    // the benchmarks after it.
    if runs(BenchPart::Digest) {
        let options = if quick {
            bench::digest::DigestOptions::quick()
        } else {
            bench::digest::DigestOptions::full()
        };
        let digest = bench::digest::run(content.clone(), &options, &data.join("digest")).await?;
        table.push_str(&bench::digest::table(&digest));
        table.push('\n');
    }
    println!("{table}");
    std::fs::write(&out, &table).with_context(|| format!("writing {}", out.display()))?;
    let _ = std::fs::remove_dir_all(&data);
    Ok(ExitCode::SUCCESS)
}
