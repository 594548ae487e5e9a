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

use crate::controls::admission::balance_counter;
use crate::controls::Counters;
use crate::storage::{Db, LogWriter, MovedBalance, RequestRecord};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::{oneshot, Notify, Semaphore};

const BATCH: usize = 256;
const LINGER: Duration = Duration::from_millis(20);

/// What handlers have handed over and the writer has not taken yet. A handler wakes the
/// writer only when it puts the first record of a batch (or asks for a flush): the request
/// path costs a lock and a push, not a task wake-up per record.
#[derive(Default)]
struct Pending {
    records: Vec<RequestRecord>,
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
}

impl Recorder {
    /// Starts the writer on a thread of its own (see [`thread`]), scheduled as `how`, with
    /// its own access to the database ([`crate::storage::Store::log_writer`]).
    pub fn start(db: Db, counters: Counters, queue: usize, how: WriterScheduling) -> std::io::Result<Recorder> {
        let shared = Arc::new(Shared { pending: Mutex::default(), wake: Notify::new(), space: Semaphore::new(queue.max(16)) });
        let weak = Arc::downgrade(&shared);
        thread::spawn("gateai-log-writer", how, move || async move { writer(db.log_writer(), counters, weak).await })?;
        Ok(Recorder { shared, in_flight: Arc::new(AtomicUsize::new(0)) })
    }

    pub async fn record(&self, r: RequestRecord) {
        match self.shared.space.acquire().await {
            Ok(permit) => permit.forget(),
            Err(_) => {
                tracing::error!("failed to record request log: writer stopped");
                return;
            }
        }
        let wake = {
            let mut p = self.shared.lock();
            p.records.push(r);
            p.records.len() == 1 || p.urgent()
        };
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
async fn writer(mut db: Box<dyn LogWriter>, counters: Counters, shared: Weak<Shared>) {
    loop {
        let Some(s) = shared.upgrade() else { return };
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
/// the others down), with retries for transient errors.
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
                        Err(e) if attempt < 5 => {
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
