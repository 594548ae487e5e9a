//! The request log writer: handlers hand over a finished record (log row + the charge it
//! carries) and go on; one task writes them in batches (one transaction per batch). The
//! queue is bounded and a full queue makes the sender wait rather than drop a record;
//! `flush` and `shutdown` wait until everything handed over is written.
//!
//! The writer also keeps admission's balance counters true: after a batch is committed it
//! sets each organization's counter to the balance the ledger now holds and takes the
//! written charges off what the counter uses, in one step; and it is the one place that
//! re-reads a balance (first use, a refusal to confirm), so a read never races a write.

use crate::controls::admission::balance_counter;
use crate::controls::counters::LocalCounters;
use crate::storage::{Db, RequestRecord};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

const BATCH: usize = 256;
const LINGER: Duration = Duration::from_millis(20);

enum Msg {
    Record(Box<RequestRecord>),
    Flush(oneshot::Sender<()>),
    /// Read an organization's balance from the ledger into its counter.
    Refresh(String, oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::Sender<Msg>,
    /// Streams still running (they record when they end).
    in_flight: Arc<AtomicUsize>,
}

impl Recorder {
    pub fn start(db: Db, counters: Arc<LocalCounters>, queue: usize) -> Recorder {
        let (tx, rx) = mpsc::channel(queue.max(16));
        tokio::spawn(writer(db, counters, rx));
        Recorder { tx, in_flight: Arc::new(AtomicUsize::new(0)) }
    }

    pub async fn record(&self, r: RequestRecord) {
        if self.tx.send(Msg::Record(Box::new(r))).await.is_err() {
            tracing::error!("failed to record request log: writer stopped");
        }
    }

    /// Waits until every record handed over so far is written.
    pub async fn flush(&self) {
        let (ack, done) = oneshot::channel();
        if self.tx.send(Msg::Flush(ack)).await.is_ok() {
            let _ = done.await;
        }
    }

    /// Reads `org_id`'s balance into its admission counter (after anything queued is written).
    pub async fn refresh_balance(&self, org_id: &str) {
        let (ack, done) = oneshot::channel();
        if self.tx.send(Msg::Refresh(org_id.to_string(), ack)).await.is_ok() {
            let _ = done.await;
        }
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

async fn writer(db: Db, counters: Arc<LocalCounters>, mut rx: mpsc::Receiver<Msg>) {
    let mut batch: Vec<RequestRecord> = Vec::with_capacity(BATCH);
    let mut acks: Vec<oneshot::Sender<()>> = Vec::new();
    let mut refresh: Vec<String> = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut msg = Some(first);
        let deadline = tokio::time::Instant::now() + LINGER;
        loop {
            match msg.take() {
                Some(Msg::Record(r)) => batch.push(*r),
                Some(Msg::Flush(a)) => {
                    acks.push(a);
                    break;
                }
                Some(Msg::Refresh(org, a)) => {
                    refresh.push(org);
                    acks.push(a);
                    break;
                }
                None => {}
            }
            if batch.len() >= BATCH {
                break;
            }
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(m)) => msg = Some(m),
                _ => break,
            }
        }
        if !batch.is_empty() {
            write(&db, &counters, &batch).await;
            batch.clear();
        }
        for org in refresh.drain(..) {
            match db.org(&org).await {
                Ok(Some(o)) => counters.set_balance(&balance_counter(&org), o.balance_units, 0),
                Ok(None) => counters.set_balance(&balance_counter(&org), 0, 0),
                Err(e) => tracing::error!(error = %e, "balance lookup failed"),
            }
        }
        for a in acks.drain(..) {
            let _ = a.send(());
        }
    }
}

/// After records are written (or given up): each organization's balance counter gets the
/// balance the ledger holds and loses the charges it was carrying for them.
fn settle_counters(counters: &LocalCounters, records: &[RequestRecord], moved: &[(String, i64)]) {
    let mut written: BTreeMap<&str, i64> = BTreeMap::new();
    for r in records.iter().filter(|r| r.cost_units > 0) {
        *written.entry(r.org_id.as_str()).or_default() += r.cost_units;
    }
    for (org, units) in written {
        let counter = balance_counter(org);
        match moved.iter().find(|(o, _)| o == org) {
            Some((_, balance)) => counters.set_balance(&counter, *balance, units),
            // already written before (a retry): the counter still carried it
            None => match counters.balance(&counter) {
                Some((cap, _)) => counters.set_balance(&counter, cap, units),
                None => {}
            },
        }
    }
}

/// One transaction for the batch; if it fails, each record alone (a bad one must not take
/// the others down), with retries for transient errors.
async fn write(db: &Db, counters: &LocalCounters, batch: &[RequestRecord]) {
    match db.record_batch(batch).await {
        Ok(moved) => settle_counters(counters, batch, &moved),
        Err(e) => {
            tracing::warn!(error = %e, n = batch.len(), "batch write failed; writing records one by one");
            for r in batch {
                let mut attempt = 0;
                loop {
                    match db.record_batch(std::slice::from_ref(r)).await {
                        Ok(moved) => {
                            settle_counters(counters, std::slice::from_ref(r), &moved);
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
                            settle_counters(counters, std::slice::from_ref(r), &[]);
                            break;
                        }
                    }
                }
            }
        }
    }
}
