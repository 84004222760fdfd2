//! What an operator watches from outside: `/metrics` in the Prometheus text format and
//! `/healthz`, served on `[metrics] listen` when the configuration has it.
//!
//! Labels name channels only (`telegram`, `matrix`, `console`): never a person, a group, a
//! code or any text.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use jiff::Timestamp;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};
use tokio_util::sync::CancellationToken;

use eftertanke_core::records::Platform;
use eftertanke_store::Store;

use crate::App;

/// A channel whose last successful sync or poll is older than this is reported unhealthy
/// (a Matrix sync waits 30 s at most; Telegram is asked at least once a minute).
pub const STALE_AFTER: Duration = Duration::from_secs(180);
/// How long a store probe's result stands: `/healthz` asked in a loop costs at most one
/// write in this time, however often it is asked.
const PROBE_STANDS: Duration = Duration::from_secs(5);
/// The scheduler ticks every 30 s; one that has not ticked for this long is stuck.
const SCHEDULER_STALE_AFTER: Duration = Duration::from_secs(180);

/// The one label a metric may have: which channel.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ChannelLabel {
    channel: &'static str,
}

impl ChannelLabel {
    #[must_use]
    pub fn of(platform: Platform) -> ChannelLabel {
        ChannelLabel {
            channel: platform.name(),
        }
    }
}

type SecondsGauge = Gauge<f64, AtomicU64>;

/// The process's metrics and what `/healthz` reads. Counting is a few atomic additions, so it
/// is always on; only serving them is optional.
pub struct Metrics {
    registry: Registry,
    /// Events made durable (an answer, a command), each acknowledged by its replies.
    pub steps: Counter,
    /// How long making an event durable took (the group commit's fsync included).
    pub commit_seconds: Histogram,
    sent: Family<ChannelLabel, Counter>,
    failed: Family<ChannelLabel, Counter>,
    flooded: Family<ChannelLabel, Counter>,
    lane_full: Family<ChannelLabel, Counter>,
    outbox_depth: Gauge,
    outbox_oldest: SecondsGauge,
    scheduler_lag: SecondsGauge,
    sync_age: Family<ChannelLabel, SecondsGauge>,
    health: Mutex<Health>,
}

#[derive(Default)]
struct Health {
    /// Each running channel's last successful contact with its server, and last failure.
    channels: BTreeMap<&'static str, Contact>,
    last_tick: Option<Timestamp>,
    /// The last store probe: when, and what it found.
    probed: Option<(std::time::Instant, Result<(), String>)>,
}

#[derive(Clone, Copy, Default)]
struct Contact {
    ok: Option<Timestamp>,
    failed: Option<Timestamp>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    #[must_use]
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("eftertanke");
        let steps = Counter::default();
        registry.register("steps", "Events made durable and answered", steps.clone());
        // From 0.5 ms to about 16 s.
        let commit_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        registry.register_with_unit(
            "commit",
            "Time to make an event durable",
            Unit::Seconds,
            commit_seconds.clone(),
        );
        let sent = Family::default();
        registry.register("messages_sent", "Replies delivered", sent.clone());
        let failed = Family::default();
        registry.register(
            "messages_failed",
            "Replies not delivered (kept in the outbox, or refused by the platform)",
            failed.clone(),
        );
        let flooded = Family::default();
        registry.register(
            "flood_dropped",
            "Messages not read: over a person's flood limit",
            flooded.clone(),
        );
        let lane_full = Family::default();
        registry.register(
            "lane_full_dropped",
            "Messages not read: their conversation's queue was full",
            lane_full.clone(),
        );
        let outbox_depth = Gauge::default();
        registry.register(
            "outbox_depth",
            "Messages waiting in the outbox",
            outbox_depth.clone(),
        );
        let outbox_oldest = SecondsGauge::default();
        registry.register_with_unit(
            "outbox_oldest_age",
            "Age of the oldest message waiting in the outbox (0 when none waits)",
            Unit::Seconds,
            outbox_oldest.clone(),
        );
        let scheduler_lag = SecondsGauge::default();
        registry.register_with_unit(
            "scheduler_lag",
            "How long after its planned moment the scheduler's last tick finished",
            Unit::Seconds,
            scheduler_lag.clone(),
        );
        let sync_age = Family::default();
        registry.register_with_unit(
            "sync_age",
            "Time since the channel's last successful sync (Matrix) or poll (Telegram)",
            Unit::Seconds,
            sync_age.clone(),
        );
        Metrics {
            registry,
            steps,
            commit_seconds,
            sent,
            failed,
            flooded,
            lane_full,
            outbox_depth,
            outbox_oldest,
            scheduler_lag,
            sync_age,
            health: Mutex::default(),
        }
    }

    /// Counts replies delivered on `platform`.
    pub fn sent(&self, platform: Platform, count: usize) {
        self.sent
            .get_or_create(&ChannelLabel::of(platform))
            .inc_by(count as u64);
    }

    /// Counts a message that could not be delivered on `platform` (for now, or for good).
    pub fn failed(&self, platform: Platform) {
        self.failed.get_or_create(&ChannelLabel::of(platform)).inc();
    }

    /// The drop counters of a channel: over the flood limit, and a full lane.
    #[must_use]
    pub fn drop_counters(&self, platform: Platform) -> (Counter, Counter) {
        let label = ChannelLabel::of(platform);
        (
            self.flooded.get_or_create_owned(&label),
            self.lane_full.get_or_create_owned(&label),
        )
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The channel reached its server (a sync or poll came back).
    pub fn contact_ok(&self, platform: Platform, at: Timestamp) {
        self.health()
            .channels
            .entry(platform.name())
            .or_default()
            .ok = Some(at);
    }

    /// The channel's sync or poll failed.
    pub fn contact_failed(&self, platform: Platform, at: Timestamp) {
        self.health()
            .channels
            .entry(platform.name())
            .or_default()
            .failed = Some(at);
    }

    /// The scheduler finished a tick planned for `planned`.
    pub fn ticked(&self, lag: Duration, at: Timestamp) {
        self.scheduler_lag.set(lag.as_secs_f64());
        self.health().last_tick = Some(at);
    }

    /// The metrics in the Prometheus text format, with the outbox and sync ages as of `now`.
    pub fn encode(&self, outbox: (u64, Option<Timestamp>), now: Timestamp) -> String {
        let (depth, oldest) = outbox;
        self.outbox_depth
            .set(i64::try_from(depth).unwrap_or(i64::MAX));
        self.outbox_oldest
            .set(oldest.map_or(0.0, |at| seconds_between(at, now)));
        for (&channel, contact) in &self.health().channels {
            let age = contact
                .ok
                .map_or(f64::INFINITY, |at| seconds_between(at, now));
            self.sync_age
                .get_or_create(&ChannelLabel { channel })
                .set(age);
        }
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    /// What `/healthz` says: every part, and whether all are well.
    fn report(&self, store: Result<(), String>, now: Timestamp) -> (bool, serde_json::Value) {
        let health = self.health();
        let mut healthy = store.is_ok();
        let mut channels = serde_json::Map::new();
        for (&channel, contact) in &health.channels {
            let age = contact.ok.map(|at| seconds_between(at, now));
            let ok = age.is_some_and(|age| age < STALE_AFTER.as_secs_f64())
                && contact
                    .failed
                    .is_none_or(|failed| Some(failed) < contact.ok);
            healthy &= ok;
            channels.insert(
                channel.into(),
                serde_json::json!({
                    "ok": ok,
                    "last_contact_seconds_ago": age.map(f64::round),
                    "last_failure_seconds_ago": contact.failed.map(|at| seconds_between(at, now).round()),
                }),
            );
        }
        let tick_age = health.last_tick.map(|at| seconds_between(at, now));
        // Before the first tick (at start) the scheduler is as yet unjudged.
        let scheduler_ok = tick_age.is_none_or(|age| age < SCHEDULER_STALE_AFTER.as_secs_f64());
        healthy &= scheduler_ok;
        let report = serde_json::json!({
            "status": if healthy { "ok" } else { "failing" },
            "store": match &store { Ok(()) => "writable".to_owned(), Err(err) => err.clone() },
            "channels": channels,
            "scheduler": { "ok": scheduler_ok, "last_tick_seconds_ago": tick_age.map(f64::round) },
        });
        (healthy, report)
    }
}

fn seconds_between(earlier: Timestamp, later: Timestamp) -> f64 {
    later.duration_since(earlier).as_secs_f64().max(0.0)
}

/// Serves `/metrics` and `/healthz` on `listen` until `stop`.
pub async fn serve<S: Store>(
    app: Arc<App<S>>,
    listen: SocketAddr,
    stop: CancellationToken,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(%listen, "serving /metrics and /healthz");
    let routes = axum::Router::new()
        .route("/metrics", axum::routing::get(metrics::<S>))
        .route("/healthz", axum::routing::get(healthz::<S>))
        .with_state(app);
    axum::serve(listener, routes)
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await
}

async fn metrics<S: Store>(State(app): State<Arc<App<S>>>) -> impl IntoResponse {
    let outbox = match app.records().outbox_depth() {
        Ok(outbox) => outbox,
        Err(err) => {
            tracing::warn!("metrics: reading the outbox: {err}");
            (0, None)
        }
    };
    let text = app.metrics().encode(outbox, app.now());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}

async fn healthz<S: Store>(State(app): State<Arc<App<S>>>) -> impl IntoResponse {
    let recent = app
        .metrics()
        .health()
        .probed
        .clone()
        .filter(|(at, _)| at.elapsed() < PROBE_STANDS);
    let store = match recent {
        Some((_, found)) => found,
        None => {
            let found = app
                .records()
                .probe(app.now())
                .await
                .map_err(|err| format!("not writable: {err}"));
            app.metrics().health().probed = Some((std::time::Instant::now(), found.clone()));
            found
        }
    };
    let (healthy, report) = app.metrics().report(store, app.now());
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_every_metric_and_no_one() {
        let metrics = Metrics::new();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        metrics.steps.inc();
        metrics.sent(Platform::Telegram, 2);
        metrics.failed(Platform::Matrix);
        metrics.contact_ok(Platform::Matrix, now - jiff::SignedDuration::from_secs(7));
        let text = metrics.encode((3, Some(now - jiff::SignedDuration::from_secs(60))), now);
        for line in [
            "eftertanke_steps_total 1",
            "eftertanke_messages_sent_total{channel=\"telegram\"} 2",
            "eftertanke_messages_failed_total{channel=\"matrix\"} 1",
            "eftertanke_outbox_depth 3",
            "eftertanke_outbox_oldest_age_seconds 60.0",
            "eftertanke_sync_age_seconds{channel=\"matrix\"} 7.0",
            "eftertanke_commit_seconds_count 0",
        ] {
            assert!(text.contains(line), "{line} in:\n{text}");
        }
    }

    #[test]
    fn health_fails_on_a_stale_channel_a_failed_sync_or_the_store() {
        let metrics = Metrics::new();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let ago = |secs| now - jiff::SignedDuration::from_secs(secs);
        assert!(metrics.report(Ok(()), now).0, "nothing running yet");
        metrics.contact_ok(Platform::Telegram, ago(10));
        assert!(metrics.report(Ok(()), now).0);
        assert!(!metrics.report(Err("full disk".into()), now).0);
        metrics.contact_failed(Platform::Telegram, ago(5));
        assert!(
            !metrics.report(Ok(()), now).0,
            "failing since its last success"
        );
        metrics.contact_ok(Platform::Telegram, ago(1));
        assert!(metrics.report(Ok(()), now).0, "recovered");
        assert!(
            !metrics.report(Ok(()), now + STALE_AFTER).0,
            "nothing for too long"
        );
    }
}
