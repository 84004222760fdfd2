//! Random events against the real dialogues: the engine's step function never panics, every
//! event is answered, and the conversation it returns survives being stored and read back.
//!
//! Input: the first byte picks role and language; then one event a line. A line starting
//! with a control byte is a button press (\x01, then the prompt number byte), a photo
//! (\x02), an edit (\x03), an opened chat (\x04), a reminder (\x05), a follow-up offer for
//! the rest of the line as trial id (\x06), three days' silence (\x07), or a removal from
//! the group named by the rest of the line (\x08); any other line is typed text.
#![no_main]

use std::sync::LazyLock;

use eftertanke_core::content::Content;
use eftertanke_core::dialogs::Role;
use eftertanke_core::engine::{codes, Body, Context, Due, Engine, PersonData, Settings};
use eftertanke_core::i18n::Lang;
use eftertanke_core::records::{Conversation, PersonId, Write};
use jiff::{SignedDuration, Timestamp};
use libfuzzer_sys::fuzz_target;

static CONTENT: LazyLock<Content> =
    LazyLock::new(|| Content::load(None, None, &[]).expect("the compiled-in content loads"));
static SETTINGS: LazyLock<Settings> = LazyLock::new(|| {
    let mut settings = Settings::standard().expect("the standard settings are valid");
    settings.creators = vec![PersonId::new("fuzz", "1")];
    settings
});

/// More events than a person sends in a day; keeps one input's run short.
const MAX_EVENTS: usize = 300;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let role = if first & 1 == 0 {
        Role::Staff
    } else {
        Role::Citizen
    };
    let lang = if first & 2 == 0 { Lang::Da } else { Lang::En };
    let mut now: Timestamp = "2026-11-23T14:00:00Z".parse().expect("a valid instant");
    let mut conversation = Conversation::new(PersonId::new("fuzz", "1"), lang, role, now);
    // What the store would hold, for /trials, /followup and /mydata (as the app reads it).
    let mut stored = PersonData::default();
    let engine = Engine::new(&CONTENT.catalog, &CONTENT.locales, &SETTINGS);
    let entropy = [7u8; codes::ENTROPY_BYTES];
    for line in rest.split(|&b| b == b'\n').take(MAX_EVENTS) {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        let body = match line.split_first() {
            Some((1, more)) => Body::Button {
                prompt: u64::from(more.first().copied().unwrap_or_default()),
                reply: text(more.get(1..).unwrap_or_default()),
            },
            Some((2, _)) => Body::Unsupported,
            Some((3, _)) => Body::Edited,
            Some((4, _)) => Body::Opened,
            Some((5, _)) => Body::Due(Due::Reminder),
            Some((6, more)) => Body::Due(Due::FollowUp { trial: text(more) }),
            Some((7, _)) => {
                now += SignedDuration::from_hours(72);
                continue;
            }
            Some((8, more)) => Body::Due(Due::Membership {
                group: text(more),
                role: None,
            }),
            Some((9, more)) => Body::Due(Due::Meeting {
                group: text(more),
                group_name: text(more),
                held_at: now,
                trials: Vec::new(),
                focus: more.first().map(|b| b % 8 + 1),
            }),
            Some((10, more)) => Body::Due(Due::IdeaTakenUp {
                token: text(more),
                held_at: now,
                idea: text(more),
                note: text(more),
            }),
            _ => Body::Text(text(line)),
        };
        let scheduled = matches!(body, Body::Due(_));
        let needs = engine.needs(&conversation, &body);
        let ctx = Context {
            trials: &stored.trials,
            invite: None,
            group: None,
            entropy: &entropy,
            digest: None,
            mydata: needs.mydata.then_some(&stored),
            meeting: None,
        };
        let outcome = engine
            .handle(conversation.clone(), body, ctx, now)
            .expect("the compiled-in messages all format");
        // A person's message always gets an answer; the scheduler's may be declined quietly.
        assert!(scheduled || !outcome.replies.is_empty(), "no reply");
        for reply in &outcome.replies {
            assert!(!reply.text.trim().is_empty() || reply.file.is_some());
        }
        for write in outcome.writes {
            match write {
                Write::Trial(trial) => {
                    stored.trials.retain(|t| t.id != trial.id);
                    stored.trials.push(trial);
                }
                Write::Answer(answer) => stored.answers.push(answer),
                Write::Completed(run) => stored.runs.push(run),
                Write::Forget => stored = PersonData::default(),
                _ => {}
            }
        }
        // What is stored must read back as it was.
        let bytes = serde_json::to_vec(&outcome.conversation).expect("a conversation serializes");
        let read: Conversation = serde_json::from_slice(&bytes).expect("and reads back");
        assert_eq!(read, outcome.conversation);
        conversation = outcome.conversation;
        now += SignedDuration::from_secs(37);
    }
});
