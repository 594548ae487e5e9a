//! The request log writer: handlers hand over a finished record (log row + the charge it
//! carries) and go on; one task writes them in batches (one transaction per batch). The
//! queue is bounded and a full queue makes the sender wait rather than drop a record;
//! `flush` and `shutdown` wait until everything handed over is written.
//!
//! The writer also keeps admission's balance counters true: after a batch is committed it
//! sets each organization's counter to the balance the ledger now holds and takes the
//! written charges off what the counter uses, in one step; and it is the one place that
//! re-reads a balance (first use, a refusal to confirm), so a read never races a write.

mod thread;

pub use thread::WriterScheduling;
use thread::Priority;

use crate::controls::admission::balance_counter;
use crate::controls::Counters;
use crate::storage::{Db, LogWriter, MovedBalance, RequestRecord};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::{oneshot, Notify, Semaphore};

const BATCH: usize = 256;
/// Records waiting, or how long the oldest has waited, past which the writer is behind (it
/// should have taken them a linger ago): any sender raises its priority.
const RAISE_AT: usize = 2 * BATCH;
const RAISE_AFTER: Duration = Duration::from_millis(2 * LINGER.as_millis() as u64);
const LINGER: Duration = Duration::from_millis(20);

/// What handlers have handed over and the writer has not taken yet. A handler wakes the
/// writer only when it puts the first record of a batch (or asks for a flush): the request
/// path costs a lock and a push, not a task wake-up per record.
#[derive(Default)]
struct Pending {
    records: Vec<RequestRecord>,
    /// When the first of `records` came (watched under `auto` only).
    since: Option<std::time::Instant>,
    acks: Vec<oneshot::Sender<()>>,
    /// Organizations whose balance to read from the ledger into their counter.
    refresh: Vec<String>,
}

impl Pending {
    fn urgent(&self) -> bool {
        !self.acks.is_empty() || self.records.len() >= BATCH
    }
}

struct Shared {
    pending: Mutex<Pending>,
    wake: Notify,
    /// One permit per record the queue can still take: a full queue makes senders wait.
    space: Semaphore,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Clone)]
pub struct Recorder {
    shared: Arc<Shared>,
    /// Streams still running (they record when they end).
    in_flight: Arc<AtomicUsize>,
    priority: Arc<Priority>,
}

impl Recorder {
    /// Starts the writer on a thread of its own (see [`thread`]), scheduled as `how`, with
    /// its own access to the database ([`crate::storage::Store::log_writer`]).
    pub fn start(db: Db, counters: Counters, queue: usize, how: WriterScheduling) -> std::io::Result<Recorder> {
        let shared = Arc::new(Shared { pending: Mutex::default(), wake: Notify::new(), space: Semaphore::new(queue.max(16)) });
        let weak = Arc::downgrade(&shared);
        let priority = thread::spawn("gateai-log-writer", how, move |priority| async move { writer(db.log_writer(), counters, weak, priority).await })?;
        Ok(Recorder { shared, in_flight: Arc::new(AtomicUsize::new(0)), priority })
    }

    pub async fn record(&self, r: RequestRecord) {
        match self.shared.space.acquire().await {
            Ok(permit) => permit.forget(),
            Err(_) => {
                tracing::error!("failed to record request log: writer stopped");
                return;
            }
        }
        let (wake, behind) = {
            let mut p = self.shared.lock();
            p.records.push(r);
            let behind = self.priority.switches() && {
                let since = *p.since.get_or_insert_with(std::time::Instant::now);
                p.records.len() >= RAISE_AT || since.elapsed() >= RAISE_AFTER
            };
            (p.records.len() == 1 || p.urgent(), behind)
        };
        if behind {
            self.priority.raise();
        }
        if wake {
            self.shared.wake.notify_one();
        }
    }

    async fn ask(&self, refresh: Option<String>) {
        let (ack, done) = oneshot::channel();
        {
            let mut p = self.shared.lock();
            p.acks.push(ack);
            p.refresh.extend(refresh);
        }
        // someone waits for the writer: it runs as any thread until it has answered
        self.priority.raise();
        self.shared.wake.notify_one();
        let _ = done.await;
    }

    /// Waits until every record handed over so far is written.
    pub async fn flush(&self) {
        self.ask(None).await
    }

    /// Reads `org_id`'s balance into its admission counter (after anything queued is written).
    pub async fn refresh_balance(&self, org_id: &str) {
        self.ask(Some(org_id.to_string())).await
    }

    /// A guard held by a running stream; shutdown waits for the guards.
    pub fn stream_started(&self) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(self.in_flight.clone())
    }

    /// Graceful shutdown: waits (up to `grace`) for running streams, then flushes.
    pub async fn shutdown(&self, grace: Duration) {
        let deadline = tokio::time::Instant::now() + grace;
        while self.in_flight.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.flush().await;
    }
}

pub struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Sleeps until handed something, lingers up to 20 ms for the batch to fill (unless a flush
/// or a full batch is waiting), then writes what is there. Ends when the state is gone.
/// Caught up (nothing urgent waiting), it lowers its priority again (`auto`).
async fn writer(mut db: Box<dyn LogWriter>, counters: Counters, shared: Weak<Shared>, priority: Arc<Priority>) {
    loop {
        let Some(s) = shared.upgrade() else { return };
        priority.lower_if(|| !s.lock().urgent());
        // wake up now and then to notice that the state is gone
        if tokio::time::timeout(Duration::from_secs(1), s.wake.notified()).await.is_err() && s.lock().records.is_empty() {
            continue;
        }
        let deadline = tokio::time::Instant::now() + LINGER;
        while !s.lock().urgent() && tokio::time::Instant::now() < deadline {
            let _ = tokio::time::timeout_at(deadline, s.wake.notified()).await;
        }
        let taken = std::mem::take(&mut *s.lock());
        for chunk in taken.records.chunks(BATCH) {
            write(db.as_mut(), &counters, chunk).await;
        }
        s.space.add_permits(taken.records.len());
        for org in taken.refresh {
            let (balance, version) = match db.org_balance(&org).await {
                Ok(found) => found.unwrap_or((0, 0)),
                Err(e) => {
                    tracing::error!(error = %e, "balance lookup failed");
                    continue;
                }
            };
            if let Err(e) = counters.set_balance(&balance_counter(&org), balance, version, 0).await {
                tracing::error!(error = %e, "could not update the shared balance counter");
            }
        }
        for a in taken.acks {
            let _ = a.send(());
        }
    }
}

/// After records are written (or given up): each organization's balance counter gets the
/// balance the ledger holds and loses the charges it was carrying for them.
async fn settle_counters(counters: &Counters, records: &[RequestRecord], moved: &[MovedBalance]) {
    let mut written: BTreeMap<&str, i64> = BTreeMap::new();
    for r in records.iter().filter(|r| r.cost_units > 0) {
        *written.entry(r.org_id.as_str()).or_default() += r.cost_units;
    }
    for (org, units) in written {
        let counter = balance_counter(org);
        let done = match moved.iter().find(|m| m.org_id == org) {
            Some(m) => counters.set_balance(&counter, m.balance, m.version, units).await,
            // already written before (a retry), or given up: the balance did not move, the
            // counter stops carrying the charges
            None => counters.forget_written(counter, units).await,
        };
        if let Err(e) = done {
            tracing::error!(error = %e, "could not update the shared balance counter");
        }
    }
}

/// One transaction for the batch; if it fails, each record alone (a bad one must not take
/// the others down), with retries for transient errors only: a record that can never be
/// written (its organization deleted meanwhile) must not hold up the queue behind it.
async fn write(db: &mut dyn LogWriter, counters: &Counters, batch: &[RequestRecord]) {
    match db.record_batch(batch).await {
        Ok(moved) => settle_counters(counters, batch, &moved).await,
        Err(e) => {
            tracing::warn!(error = %e, n = batch.len(), "batch write failed; writing records one by one");
            for r in batch {
                let mut attempt = 0;
                loop {
                    match db.record_batch(std::slice::from_ref(r)).await {
                        Ok(moved) => {
                            settle_counters(counters, std::slice::from_ref(r), &moved).await;
                            break;
                        }
                        Err(e) if attempt < 5 && e.is_transient() => {
                            attempt += 1;
                            tracing::warn!(error = %e, request_id = %r.id, attempt, "retrying request log write");
                            tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                        }
                        Err(e) => {
                            tracing::error!(error = %e, request_id = %r.id, "failed to record request log");
                            // not charged: the counter stops carrying it
                            settle_counters(counters, std::slice::from_ref(r), &[]).await;
                            break;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use crate::storage::{LogQuery, OrgRow, UserRow};

    /// Waits (up to 10 s) for the writer's policy to become `want`.
    async fn until(recorder: &Recorder, want: i32) -> bool {
        for _ in 0..1000 {
            if recorder.priority.policy() == Some(want) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }

    /// Under `auto`: a writer that cannot write (another connection holds SQLite's write
    /// lock) while records pile up is raised by the senders; once it has written them all
    /// it lowers itself again, and nothing was lost on the way.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_writer_that_falls_behind_is_raised_and_lowers_itself_once_caught_up() {
        if !thread::may_leave_idle() {
            return;
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let file = dir.path().join("t.db");
        let db = crate::storage::connect(&format!("sqlite://{}", file.display())).await.expect("open the database");
        db.migrate().await.expect("migrate");
        let user = UserRow { id: "u1".into(), email: "a@example.com".into(), password_hash: None, is_admin: false, created_at: 1 };
        let org = OrgRow { id: "org-1".into(), name: "a".into(), personal: true, balance_units: 0, created_at: 1 };
        db.create_user(&user, &org).await.expect("an organization for the records");
        let recorder = Recorder::start(db.clone(), Counters::default(), 10_000, WriterScheduling::Auto).expect("start the writer");
        assert!(until(&recorder, libc::SCHED_IDLE).await, "starts idle");

        let blocker = rusqlite::Connection::open(&file).expect("a second connection");
        blocker.execute_batch("BEGIN IMMEDIATE").expect("take the write lock");
        let record = |i: usize| RequestRecord { id: format!("r{i:05}"), org_id: "org-1".into(), created_at: 100, protocol: "openai".into(), model_requested: "m".into(), status: 200, ..RequestRecord::default() };
        let mut sent = 0;
        while recorder.priority.policy() != Some(libc::SCHED_OTHER) {
            // the writer takes at most one batch before it waits for the lock: the rest piles up
            // (raised at RAISE_AT records or once the first has waited RAISE_AFTER)
            assert!(sent < 5_000, "{sent} records waiting and the writer was not raised");
            recorder.record(record(sent)).await;
            sent += 1;
        }
        blocker.execute_batch("COMMIT").expect("let the writer go");
        recorder.flush().await;
        assert!(until(&recorder, libc::SCHED_IDLE).await, "caught up, the writer lowers itself");
        let q = LogQuery { org_id: "org-1".into(), since: 0, until: i64::MAX, limit: 10, ..LogQuery::default() };
        assert_eq!(db.log_totals(&q).await.expect("totals").requests, sent as i64);
    }
}
