//! The channel kit: what every chat channel (Telegram, Matrix, and whatever comes next) is
//! built from, so a new platform is one crate of its own plus wiring.
//!
//! - [`lanes`]: per-conversation lanes with bounded queues, and the flood limit at the door;
//! - [`transport`]: what a platform implements (send one reply, classify a failure), and the
//!   one retry policy;
//! - [`sender`]: one place's replies in order, handed on without waiting;
//! - [`outbox`]: the one loop that delivers what waits;
//! - [`text`]: text split at a platform's own limit.
//!
//! Shutdown is one [`CancellationToken`](tokio_util::sync::CancellationToken) for all.

pub mod lanes;
pub mod outbox;
pub mod sender;
pub mod text;
pub mod transport;
