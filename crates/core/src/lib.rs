//! eftertanke's pure core: everything that decides, nothing that waits. No tokio, no disk, no
//! network, no clock: callers give the time.
//!
//! # Layout
//! - [`command`]: every command, parsed once; its names, help line and menu entry.
//! - [`dialogs`]: `dialogs/*.toml` → a validated [`dialogs::Catalog`]; errors name file and step.
//! - [`i18n`]: Fluent messages from `locales/<lang>/*.ftl`; a missing message is an error.
//! - [`content`]: the dialogues and messages loaded and checked together (compiled in by
//!   `build.rs`, or from folders).
//! - [`records`]: what is stored (conversations, answers, runs, trial actions, groups).
//! - [`engine`]: the sans-I/O dialogue engine: (dialogues, conversation, event, now) →
//!   (conversation, replies, writes).
//! - [`schedule`]: the rules of when things happen (digest, follow-ups, reminders, DST).
//! - [`digest`]: one group's weekly digest: figures from one week's records, then Fluent text.
//! - [`flood`]: the per-person flood limit, a token bucket.
//! - [`keyed`]: keyed hashes (HMAC-SHA-256) and hex.
//! - [`check`]: the checks behind `eftertanke check`, the plain-language (LIX) one among them.

pub mod agenda;
pub mod check;
pub mod command;
pub mod content;
pub mod dialogs;
pub mod digest;
pub mod engine;
pub mod flood;
pub mod i18n;
pub mod keyed;
pub mod records;
pub mod schedule;
