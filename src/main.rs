//! The `eftertanke` command: thin. Parses arguments, sets up logging, and calls the library
//! (`serve` for `run`, `chat` for the terminal, `commands` for the rest).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use eftertanke::app::{Clock, Profile, ShiftedClock, SystemClock};
use eftertanke::commands::{self, ExportRequest};
use eftertanke::config::{Config, LogFormat};
use eftertanke::dialogs::Role;
use eftertanke::i18n::Lang;
use eftertanke::records::PersonId;
use eftertanke::store::MasterKey;
use eftertanke::{export, load_content, ChatOptions};

/// sled allocates and frees many small pages; glibc's allocator fragments under that load
/// (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Guided reflection on the eight Borgeren ved roret principles.
#[derive(Parser)]
#[command(version, about, after_help = eftertanke::store::secret::help())]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// How log lines are written (default: `log_format` in the configuration, else text).
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormatArg>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormatArg {
    Text,
    /// One JSON object a line, for log shippers.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Staff,
    Citizen,
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

/// `eftertanke chat`, also what plain `eftertanke` runs.
#[derive(Parser)]
struct ChatArgs {
    /// Reflect as staff or as a citizen.
    #[arg(long = "as", value_enum)]
    role: Option<RoleArg>,
    /// A name for this person, so several people can share one data folder.
    #[arg(long, default_value = "local")]
    user: String,
    #[arg(long, value_parser = language)]
    lang: Option<Lang>,
    /// Where answers are stored.
    #[arg(long, default_value = "eftertanke-data")]
    data: PathBuf,
    /// A dialogue left this many hours is closed kindly at the next message.
    #[arg(long, default_value_t = 72)]
    close_after_hours: u32,
    /// The configuration file (administrators, schedule). Without one, the user "local" is
    /// an administrator.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Pretend the chat starts at this moment (RFC 3339), to try out another day.
    #[arg(long, hide = true)]
    now: Option<jiff::Timestamp>,
    #[command(flatten)]
    content: ContentArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Chat in the terminal (the default). Answers are stored in the data folder.
    Chat(ChatArgs),
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
        #[arg(long, value_parser = language, default_value = "da")]
        lang: Lang,
        #[arg(long, default_value = "eftertanke-data")]
        data: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
        /// Also write the digest as a picture (PNG: the last 8 weeks) to this file; its
        /// words are printed after the digest.
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
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
        /// A salt for this export's pseudonyms, so they match no other export's.
        #[arg(long)]
        salt: Option<String>,
        #[arg(long, default_value = "eftertanke-data")]
        data: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Copy the data folder to a new backup file while the bot runs (or while it does not).
    /// The master key is not in the backup: keep it apart.
    Backup {
        #[arg(long, default_value = "eftertanke-data")]
        data: PathBuf,
        /// The new backup file (created with mode 0600, never overwritten).
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup into a new data folder, then open it with its master key and read every
    /// value back.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// The new data folder (it must not exist yet, or be empty).
        #[arg(long)]
        data: PathBuf,
        /// Where the master key is (`key_file`); else the credential or environment.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Make or rotate the master key that seals the data folder.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Check what `run` needs, changing nothing: the configuration, the time zone, the data
    /// folder, the master key and its file, each channel's login. Says how to fix each
    /// problem; exits non-zero on any.
    Doctor {
        #[arg(long)]
        config: PathBuf,
        /// The data folder (default: `data` in the file, else ./eftertanke-data).
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Check dialogues and locales, including plain language (LIX) for citizen text.
    Check {
        #[command(flatten)]
        content: ContentArgs,
        /// Also list the LIX of every staff message.
        #[arg(long)]
        verbose: bool,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = match cli.log_format {
        Some(LogFormatArg::Text) => Some(LogFormat::Text),
        Some(LogFormatArg::Json) => Some(LogFormat::Json),
        // The bot's own configuration may ask for JSON; a bad file is told when it is read.
        None => match &cli.command {
            Some(Command::Run { config, .. }) => Config::load(Some(config), None)
                .ok()
                .and_then(|config| config.log_format),
            _ => None,
        },
    };
    eftertanke::logging::init(format.unwrap_or_default());
    eftertanke::private_files();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("eftertanke: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let command = cli
        .command
        .unwrap_or_else(|| Command::Chat(ChatArgs::parse_from(["chat"])));
    let runtime = tokio::runtime::Runtime::new().context("starting the runtime")?;
    match command {
        Command::Chat(ChatArgs {
            role,
            user,
            lang,
            data,
            close_after_hours,
            config,
            now,
            content,
        }) => {
            let default_admin = PersonId::new("console", "local");
            let mut config = Config::load(config.as_deref(), Some(default_admin))?;
            config.settings.idle_close =
                jiff::SignedDuration::from_hours(i64::from(close_after_hours));
            // One person at a local terminal, who may pipe a whole script in.
            config.settings.flood_limit = false;
            let profile = Profile {
                set_lang: lang,
                set_role: role.map(|role| match role {
                    RoleArg::Staff => Role::Staff,
                    RoleArg::Citizen => Role::Citizen,
                }),
                ..Profile::new(Lang::Da, Role::Staff)
            };
            let options = ChatOptions {
                user,
                profile,
                data,
                config,
                clock: clock(now),
                content: load_content(content.dialogs.as_deref(), content.locales.as_deref())?,
            };
            runtime.block_on(eftertanke::chat(options))?;
        }
        Command::Run { config, data, now } => {
            let config = Config::load(Some(&config), None)?;
            let shutdown = eftertanke::termination();
            runtime.block_on(eftertanke::serve(config, data, clock(now), shutdown))?;
        }
        Command::Digest {
            group,
            week,
            lang,
            data,
            config,
            png,
        } => {
            let config = Config::load(config.as_deref(), None)?;
            let asked = commands::DigestRequest {
                group: &group,
                week: week.as_deref(),
                lang,
                png: png.as_deref(),
            };
            let printed = commands::print_digest(asked, &data, config);
            runtime.block_on(printed)?;
        }
        Command::Export {
            group,
            from,
            to,
            format,
            out,
            salt,
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
                salt: salt.as_deref(),
            };
            commands::export(request, &data, config)?;
        }
        Command::Backup { data, to } => commands::backup(&data, &to)?,
        Command::Restore { from, data, config } => {
            let config = Config::load(config.as_deref(), None)?;
            commands::restore(&from, &data, &config)?;
        }
        Command::Key(KeyCommand::New { file }) => {
            MasterKey::create_file(&file)?;
            println!("{}", file.display());
        }
        Command::Key(KeyCommand::Rotate {
            data,
            config,
            new_key_file,
        }) => {
            let config = Config::load(config.as_deref(), None)?;
            let count = commands::rotate_key(&data, &config, &new_key_file)?;
            let file = new_key_file.display();
            println!("{count} person keys now wrapped by {file}");
        }
        Command::Doctor { config, data } => {
            if !runtime.block_on(eftertanke::doctor::doctor(&config, data)) {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Check { content, verbose } => {
            let (dialogs, locales) = (content.dialogs.as_deref(), content.locales.as_deref());
            if !commands::check(dialogs, locales, verbose) {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `da` or `en`.
fn language(text: &str) -> Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| format!("`{text}` is not da or en"))
}

/// The system clock, or one that starts at `now` and runs at real speed (`--now`).
fn clock(now: Option<jiff::Timestamp>) -> Box<dyn Clock> {
    match now {
        Some(start) => Box::new(ShiftedClock::starting_at(start)),
        None => Box::new(SystemClock),
    }
}
