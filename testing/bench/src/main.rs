//! `eftertanke-bench`: the benchmarks. Durable dialogue steps per second and their latency on
//! the sled store against its raw ceiling, resident memory, people through the Telegram
//! channel and the local Bot API emulator, people through the Matrix channel and a Synapse on
//! 127.0.0.1, and the weekly digest over a long history with cold starts and folder size.
//! Figures and the commands that make them: `docs/benchmarks.md`.

mod backup;
mod digest;
mod matrix;
mod steps;
mod telegram;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use eftertanke::app::{Profile, SystemClock};
use eftertanke::config::Config;
use eftertanke::ChatOptions;
use eftertanke_core::content::Content;
use eftertanke_core::dialogs::Role;
use eftertanke_core::i18n::Lang;

/// As the shipped binary: its allocator is part of what is measured.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Measure eftertanke: durable steps, memory, Telegram, Matrix, the digest.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// A short run that only checks the benchmarks work (CI runs this).
    #[arg(long)]
    quick: bool,
    /// Where the tables are written as well as printed.
    #[arg(long, default_value = "bench-results.md")]
    out: PathBuf,
    /// A scratch folder for the benchmark stores (emptied first, removed after).
    #[arg(long, default_value = "target/bench-data")]
    data: PathBuf,
    /// Run only these parts (default: all).
    #[arg(long, value_enum)]
    only: Vec<Part>,
    /// Be `eftertanke chat --user cold-start --lang da --data DIR` instead (the same library
    /// code and allocator): the cold-start measurement starts this process anew.
    #[arg(long, hide = true)]
    chat_data: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Part {
    /// Resident memory with 10,000 conversations in progress.
    Memory,
    /// Durable dialogue steps on sled.
    Steps,
    /// One group's digest over a long history, and an online backup and restore of it.
    Digest,
    /// People through the Telegram channel and the local Bot API emulator.
    Telegram,
    /// People through the Matrix channel and a Synapse on 127.0.0.1 (installed if missing).
    Matrix,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = tokio::runtime::Runtime::new()
        .context("starting the runtime")
        .and_then(|runtime| runtime.block_on(run(cli)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("eftertanke-bench: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(data) = cli.chat_data {
        return cold_start_chat(data).await;
    }
    let content = Content::load(None, None, eftertanke::channels::MESSAGES)
        .map_err(|err| anyhow::anyhow!("the dialogues or locales have problems:\n{err}"))?;
    let content = Arc::new(content);
    let (quick, data) = (cli.quick, cli.data.clone());
    let runs = |part| cli.only.is_empty() || cli.only.contains(&part);
    let mut table = String::new();
    // Memory first, while nothing else has grown the process.
    if runs(Part::Memory) {
        let conversations = if quick { 200 } else { 10_000 };
        let result = steps::memory(content.clone(), &data.join("memory"), conversations).await?;
        table.push_str(&steps::memory_table(&result));
        table.push('\n');
    }
    if runs(Part::Steps) {
        let options = if quick {
            steps::Options::quick(data.clone())
        } else {
            steps::Options::full(data.clone())
        };
        let results = steps::run(content.clone(), &options).await?;
        table.push_str(&steps::table(&results));
        table.push('\n');
    }
    if runs(Part::Telegram) {
        let options = if quick {
            telegram::TelegramOptions::quick()
        } else {
            telegram::TelegramOptions::full()
        };
        let rows = telegram::run(content.clone(), &options, &data).await?;
        table.push_str(&telegram::table(&rows));
        table.push('\n');
    }
    if runs(Part::Matrix) {
        let options = if quick {
            matrix::MatrixOptions::quick()
        } else {
            matrix::MatrixOptions::full()
        };
        let rows = matrix::run(content.clone(), &options, &data).await?;
        table.push_str(&matrix::table(&rows));
        table.push('\n');
    }
    // The digest's history (gigabytes) goes last: its writeback would slow every sync of the
    // benchmarks after it.
    if runs(Part::Digest) {
        let options = if quick {
            digest::DigestOptions::quick()
        } else {
            digest::DigestOptions::full()
        };
        let digest = digest::run(content.clone(), &options, &data.join("digest")).await?;
        table.push_str(&digest::table(&digest));
        table.push('\n');
        table.push_str(&backup::table(&digest.backup));
        table.push('\n');
    }
    println!("{table}");
    std::fs::write(&cli.out, &table).with_context(|| format!("writing {}", cli.out.display()))?;
    let _ = std::fs::remove_dir_all(&data);
    Ok(())
}

/// The terminal chat on `data`, as `eftertanke chat --user cold-start --lang da` runs it.
async fn cold_start_chat(data: PathBuf) -> anyhow::Result<()> {
    let mut config = Config::load(None, None)?;
    config.settings.flood_limit = false;
    let options = ChatOptions {
        user: "cold-start".into(),
        profile: Profile {
            set_lang: Some(Lang::Da),
            ..Profile::new(Lang::Da, Role::Staff)
        },
        data,
        config,
        clock: Box::new(SystemClock),
        content: eftertanke::load_content(None, None)?,
    };
    eftertanke::chat(options).await
}
