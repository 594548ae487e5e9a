//! The request log writer: handlers hand over a finished record (log row + the charge it
//! carries) and go on; one task writes them in batches (one transaction per batch). The
//! queue is bounded and a full queue makes the sender wait rather than drop a record;
//! `flush` and `shutdown` wait until everything handed over is written.

use crate::billing::admission::Balances;
use crate::storage::{Db, RequestRecord};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

const BATCH: usize = 256;
const LINGER: Duration = Duration::from_millis(20);

enum Msg {
    Record(Box<RequestRecord>),
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::Sender<Msg>,
    /// Streams still running (they record when they end).
    in_flight: Arc<AtomicUsize>,
}

impl Recorder {
    pub fn start(db: Db, balances: Arc<Balances>, queue: usize) -> Recorder {
        let (tx, rx) = mpsc::channel(queue.max(16));
        tokio::spawn(writer(db, balances, rx));
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

async fn writer(db: Db, balances: Arc<Balances>, mut rx: mpsc::Receiver<Msg>) {
    let mut batch: Vec<RequestRecord> = Vec::with_capacity(BATCH);
    let mut acks: Vec<oneshot::Sender<()>> = Vec::new();
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
            write(&db, &balances, &batch).await;
            batch.clear();
        }
        for a in acks.drain(..) {
            let _ = a.send(());
        }
    }
}

/// One transaction for the batch; if it fails, each record alone (a bad one must not take
/// the others down), with retries for transient errors.
async fn write(db: &Db, balances: &Balances, batch: &[RequestRecord]) {
    match db.record_batch(batch).await {
        Ok(moved) => moved.iter().for_each(|(org, b)| balances.set(org, *b)),
        Err(e) => {
            tracing::warn!(error = %e, n = batch.len(), "batch write failed; writing records one by one");
            for r in batch {
                let mut attempt = 0;
                loop {
                    match db.record_batch(std::slice::from_ref(r)).await {
                        Ok(moved) => {
                            moved.iter().for_each(|(org, b)| balances.set(org, *b));
                            break;
                        }
                        Err(e) if attempt < 5 => {
                            attempt += 1;
                            tracing::warn!(error = %e, request_id = %r.id, attempt, "retrying request log write");
                            tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                        }
                        Err(e) => {
                            tracing::error!(error = %e, request_id = %r.id, "failed to record request log");
                            break;
                        }
                    }
                }
            }
        }
    }
}
