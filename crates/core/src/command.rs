//! Every command, parsed once. The Danish and English names, the spellings also read, the
//! help text and the Telegram command menu all come from [`Command::ALL`].

use crate::i18n::{I18nError, Lang, Locales};

/// A command a person can type, like `/reflect` or `/refleksion`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    Start,
    Help,
    Reflect,
    Try,
    Trials,
    FollowUp,
    Back,
    Stop,
    Language,
    Groups,
    Group,
    Join,
    NewGroup,
    NewCodes,
    Members,
    Digest,
    Name,
    Remind,
    Consent,
    MyData,
    Forget,
    LinkDigest,
    UnlinkDigest,
    Leave,
    Remove,
    Facilitator,
    Meeting,
    News,
}

/// Who a command is listed for in the help and the command menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listed {
    /// Not listed (`/start`, and what is typed in group chats).
    No,
    /// Everyone's help, and the Telegram menu.
    Everyone,
    /// The facilitators' part of the help.
    Facilitators,
}

/// A command's names and place in the help.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub command: Command,
    /// The English name.
    pub en: &'static str,
    /// The Danish name, in the letters a-z, 0-9 and `_` (Telegram's menu takes no others), so
    /// "proev" for "prøv"; the Danish texts name this one.
    pub da: &'static str,
    /// Other spellings that are read too ("prøv").
    pub also: &'static [&'static str],
    pub listed: Listed,
    /// The Fluent id of the one-line description (help and menu), `command-` and the English
    /// name; with `-arg`, what the command takes, if anything ("NAVN").
    pub described: bool,
    pub takes: bool,
}

const fn spec(command: Command, en: &'static str, da: &'static str) -> Spec {
    Spec {
        command,
        en,
        da,
        also: &[],
        listed: Listed::No,
        described: false,
        takes: false,
    }
}

const fn everyone(mut spec: Spec) -> Spec {
    spec.listed = Listed::Everyone;
    spec.described = true;
    spec
}

const fn facilitators(mut spec: Spec, takes: bool) -> Spec {
    spec.listed = Listed::Facilitators;
    spec.described = true;
    spec.takes = takes;
    spec
}

const fn also(mut spec: Spec, also: &'static [&'static str]) -> Spec {
    spec.also = also;
    spec
}

impl Command {
    /// Every command, in the order of the help and the menu.
    pub const ALL: [Spec; 28] = [
        everyone(also(
            spec(Command::Reflect, "reflect", "refleksion"),
            &["reflekter"],
        )),
        everyone(spec(Command::Back, "back", "tilbage")),
        everyone(spec(Command::Stop, "stop", "stop")),
        everyone(also(spec(Command::Try, "try", "proev"), &["prøv"])),
        everyone(also(
            spec(Command::Trials, "trials", "proevehandlinger"),
            &["prøvehandlinger"],
        )),
        everyone(also(
            spec(Command::FollowUp, "followup", "opfoelgning"),
            &["opfølgning"],
        )),
        everyone(also(spec(Command::Join, "join", "deltag"), &["tilmeld"])),
        everyone(spec(Command::Groups, "groups", "grupper")),
        everyone(spec(Command::Leave, "leave", "forlad")),
        everyone(also(
            spec(Command::Remind, "remind", "paamind"),
            &["påmind", "påmindelse"],
        )),
        everyone(spec(Command::Name, "name", "navn")),
        everyone(spec(Command::Consent, "consent", "samtykke")),
        everyone(also(
            spec(Command::MyData, "mydata", "minedata"),
            &["mine-data", "mine_data"],
        )),
        everyone(spec(Command::Forget, "forget", "glem")),
        everyone(spec(Command::Language, "language", "sprog")),
        everyone(also(spec(Command::Help, "help", "hjaelp"), &["hjælp"])),
        facilitators(spec(Command::NewGroup, "newgroup", "nygruppe"), true),
        facilitators(spec(Command::Members, "members", "medlemmer"), false),
        facilitators(spec(Command::Remove, "remove", "fjern"), true),
        facilitators(
            spec(Command::Facilitator, "facilitator", "facilitator"),
            true,
        ),
        facilitators(spec(Command::NewCodes, "newcodes", "nyekoder"), true),
        facilitators(
            also(
                spec(Command::Digest, "digest", "overblik"),
                &["ugeoverblik"],
            ),
            false,
        ),
        facilitators(spec(Command::Group, "group", "gruppe"), true),
        facilitators(
            spec(Command::LinkDigest, "linkdigest", "linkoverblik"),
            false,
        ),
        facilitators(
            spec(Command::UnlinkDigest, "unlinkdigest", "fjernoverblik"),
            false,
        ),
        facilitators(
            also(spec(Command::Meeting, "meeting", "moede"), &["møde"]),
            false,
        ),
        spec(Command::Start, "start", "start"),
        // Named in every message about a meeting, which only staff get.
        also(spec(Command::News, "news", "nyt"), &["nyheder"]),
    ];

    #[must_use]
    pub fn spec(self) -> &'static Spec {
        // Every command has its entry in ALL (a test proves it), so the search finds one.
        Self::ALL
            .iter()
            .find(|spec| spec.command == self)
            .unwrap_or(&Self::ALL[0])
    }

    /// The name to show in `lang`, without the slash.
    #[must_use]
    pub fn name(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Da => self.spec().da,
            Lang::En => self.spec().en,
        }
    }

    /// The command with this name (any case, any of its spellings), without the slash.
    #[must_use]
    pub fn named(name: &str) -> Option<Command> {
        let name = name.to_lowercase();
        Self::ALL
            .iter()
            .find(|spec| spec.en == name || spec.da == name || spec.also.contains(&name.as_str()))
            .map(|spec| spec.command)
    }
}

/// Text that is a command: "/name rest", with a Telegram `@bot` suffix left out of the name.
/// The name lowercased (known or not), and the rest trimmed. `None` when it is not a command.
#[must_use]
pub fn split_command(text: &str) -> Option<(String, &str)> {
    let command = text.trim_start().strip_prefix('/')?;
    let (name, arg) = command
        .split_once(char::is_whitespace)
        .unwrap_or((command, ""));
    let name = name.split('@').next().unwrap_or_default().to_lowercase();
    Some((name, arg.trim()))
}

/// The help's lines for the commands listed for `who`: "/name ARG – what it does".
pub fn help_lines(locales: &Locales, lang: Lang, who: Listed) -> Result<Vec<String>, I18nError> {
    Command::ALL
        .iter()
        .filter(|spec| spec.listed == who)
        .map(|spec| {
            let name = spec.command.name(lang);
            let what = locales.format(lang, &format!("command-{}", spec.en), &[])?;
            Ok(if spec.takes {
                let arg = locales.format(lang, &format!("command-{}-arg", spec.en), &[])?;
                format!("/{name} {arg} – {what}")
            } else {
                format!("/{name} – {what}")
            })
        })
        .collect()
}

/// The Fluent messages the commands need: checked at start-up in every language.
#[must_use]
pub fn message_ids() -> Vec<String> {
    Command::ALL
        .iter()
        .filter(|spec| spec.described)
        .flat_map(|spec| {
            let what = format!("command-{}", spec.en);
            let arg = spec.takes.then(|| format!("command-{}-arg", spec.en));
            std::iter::once(what).chain(arg)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_one_entry_and_every_name_one_command() {
        let mut names = std::collections::HashSet::new();
        for spec in Command::ALL {
            assert_eq!(spec.command.spec().command, spec.command);
            for name in [spec.en, spec.da]
                .into_iter()
                .chain(spec.also.iter().copied())
            {
                let fresh = names.insert(name) || name == spec.en && name == spec.da;
                assert!(fresh, "{name} names two commands");
                assert_eq!(Command::named(name), Some(spec.command), "{name}");
            }
            // Telegram's menu takes a-z, 0-9 and _ only.
            for name in [spec.en, spec.da] {
                assert!(name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
            }
        }
        assert_eq!(Command::named("REFLEKSION"), Some(Command::Reflect));
        assert_eq!(Command::named("prøv"), Some(Command::Try));
        assert_eq!(Command::named("nonsense"), None);
    }

    #[test]
    fn a_command_is_split_from_its_argument_and_a_bot_suffix() {
        assert_eq!(
            split_command("/Join@eftertanke_bot  ABCDE-FGHJK "),
            Some(("join".into(), "ABCDE-FGHJK"))
        );
        assert_eq!(split_command("/stop"), Some(("stop".into(), "")));
        assert_eq!(split_command("not a command"), None);
    }
}
