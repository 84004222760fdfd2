//! The one-shot commands beside `run` and `chat`: print a digest, export for evaluators,
//! rotate the master key, back up and restore, check the content. Each reads the data folder (or the content)
//! and writes to stdout or a file; `main` only parses their arguments.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;

use crate::app::{App, SystemClock};
use crate::config::Config;
use crate::i18n::Lang;
use crate::store::{self, backup, find_master_key, MasterKey, Records, SledStore, Vault};
use crate::{check, export, find_group, schedule, stored_data};

/// What `eftertanke digest` was asked for.
pub struct DigestRequest<'a> {
    pub group: &'a str,
    /// "2026-W47"; `None`: the last complete week.
    pub week: Option<&'a str>,
    pub lang: Lang,
    /// Where to write the picture too, if anywhere.
    pub png: Option<&'a Path>,
}

/// Prints one group's digest for a week, and writes its picture when asked.
pub async fn print_digest(
    request: DigestRequest<'_>,
    data: &Path,
    config: Config,
) -> anyhow::Result<()> {
    let DigestRequest {
        group,
        week,
        lang,
        png,
    } = request;
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
    let today = sunday.min(today);
    let Some(path) = png else {
        println!("{}", app.digest(&found, week, today, lang).await?);
        return Ok(());
    };
    let [text, picture] = app.digest_with_picture(&found, week, today, lang).await?;
    println!("{}", text.text);
    if let Some(picture) = picture.picture {
        std::fs::write(path, &picture.png)
            .with_context(|| format!("writing the picture to {}", path.display()))?;
        println!("\n{}", picture.alt);
    }
    Ok(())
}

/// What `eftertanke export` was asked for.
pub struct ExportRequest<'a> {
    pub group: &'a str,
    pub period: (jiff::civil::Date, jiff::civil::Date),
    pub format: export::Format,
    /// Created with mode 0600, never overwritten; `None` writes to stdout.
    pub out: Option<&'a Path>,
    /// Mixed into the pseudonyms: this export's match no other's.
    pub salt: Option<&'a str>,
}

/// Writes one group's answers in a period, pseudonymised, for evaluators.
pub fn export(request: ExportRequest<'_>, data: &Path, config: Config) -> anyhow::Result<()> {
    let (content, master, store, vault) = stored_data(data, &config)?;
    let records = Records::new(store, config.settings.time_zone.clone(), vault);
    let group = find_group(records.groups()?, request.group, data)?;
    let options = export::Options {
        citizen_floor: config.settings.citizen_floor,
        salt: request.salt,
    };
    let export::Export { rows, below_floor } = export::gather(
        &records,
        &content.catalog,
        &config.settings.time_zone,
        &group.id,
        request.period,
        &master,
        options,
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
        "eftertanke: {} answers from {} people, {shared} shared texts; {below_floor} citizens' \
         answers left out (fewer than {} citizens that week)",
        rows.len(),
        people.len(),
        config.settings.citizen_floor
    );
    Ok(())
}

/// Rewraps every person key of the data folder under the key in `new_key_file`; the bot must
/// be stopped. The number of keys rewrapped.
pub fn rotate_key(data: &Path, config: &Config, new_key_file: &Path) -> anyhow::Result<usize> {
    let old = find_master_key(data, config.key_file.as_deref(), false)?;
    let new = MasterKey::read_file(new_key_file)?;
    // Holds the folder's lock: a running bot would keep writing the old keyring.
    let _in_use = SledStore::open(data, 1 << 20)
        .with_context(|| format!("{} is in use: stop eftertanke first", data.display()))?;
    Ok(Vault::rotate(data, &old, &new)?)
}

/// Backs up the data folder to the new file `to`, through the running bot when there is one
/// (see `app::control`); prints what it took.
pub fn backup(data: &Path, to: &Path) -> anyhow::Result<()> {
    let began = std::time::Instant::now();
    let report = crate::app::control::backup_to(data, to)?;
    println!(
        "{}: {} pairs and {} writes made meanwhile, {} bytes in {:.1} s; writes paused {:.1} ms",
        to.display(),
        report.scanned,
        report.replayed,
        report.bytes,
        began.elapsed().as_secs_f64(),
        report.pause.as_secs_f64() * 1000.0
    );
    Ok(())
}

/// Restores the backup `from` into the new folder `into`, then opens it with its master key
/// and reads every value back; prints what it found.
pub fn restore(from: &Path, into: &Path, config: &Config) -> anyhow::Result<()> {
    let began = std::time::Instant::now();
    let restored = backup::restore(from, into)?;
    let checked = find_master_key(into, config.key_file.as_deref(), false)
        .context("the restored folder is there, but it cannot be checked without its master key")
        .and_then(|master| {
            let (store, vault) = store::open_folder(into, &master, store::CACHE_BYTES)?;
            Ok(backup::verify(&store, &vault)?)
        })?;
    println!(
        "{}: {} pairs restored and checked in {:.1} s ({} sealed values open, {} plain, {} of \
         people erased meanwhile)",
        into.display(),
        restored.pairs,
        began.elapsed().as_secs_f64(),
        checked.opened,
        checked.plain,
        checked.erased
    );
    Ok(())
}

/// Runs every check on the dialogues and messages and prints the result; false on any
/// problem (each printed with its file).
pub fn check(dialogs: Option<&Path>, locales: Option<&Path>, verbose: bool) -> bool {
    let report = check::check(dialogs, locales, crate::channels::MESSAGES);
    if verbose {
        for r in report.readability.iter().filter(|r| !r.citizen) {
            let at = format!("{}:{}", r.file.display(), r.line);
            println!("staff  {}  {}  LIX {:.0}  {at}", r.lang, r.id, r.lix);
        }
        for lang in Lang::ALL {
            if let Some(spread) = check::spread(&report, lang) {
                println!(
                    "citizen {lang}: {} messages scored, LIX median {:.0}, highest {:.0}, {} over 25",
                    spread.scored, spread.median, spread.highest, spread.over_25
                );
            }
        }
    }
    if !report.passed() {
        for problem in &report.problems {
            eprintln!("{problem}");
        }
        eprintln!("check failed: {} problem(s)", report.problems.len());
        return false;
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
    true
}
