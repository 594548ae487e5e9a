//! SQLite's batch writer: rusqlite on a connection of its own, run synchronously on the
//! thread that calls it.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands it every statement
//! through a channel: each statement of a batch cost two thread wake-ups, and the batch's
//! fixed cost (about 350 µs of the writer's CPU for six statements and the commit) landed
//! inside the requests running beside it. Here a batch is plain function calls into SQLite
//! on the log writer's own thread: no channel, no wake-up, statements prepared once per
//! connection. It is the same SQLite library as sqlx's (one `libsqlite3-sys` in the build).

use super::Charges;
use crate::storage::{MovedBalance, RequestRecord};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A log row; its parameters in [`log_columns!`]' order. A row written before (a
/// batch retried after a lost commit outcome) is skipped, and the count tells.
const INSERT_LOG: &str = concat!(
    "INSERT INTO request_logs (",
    log_columns!(),
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22) ON CONFLICT (id) DO NOTHING"
);

const TAKE_FROM_BALANCE: &str = "UPDATE organizations SET balance_units = balance_units - ?1, balance_version = balance_version + 1 \
     WHERE id = ?2 RETURNING balance_units, balance_version";

const INSERT_CHARGE: &str = "INSERT INTO ledger_entries (org_id, kind, amount_units, balance_after_units, reference, note, actor_user_id, created_at) \
     VALUES (?1, 'charge', ?2, ?3, ?4, ?5, NULL, ?6)";

const ADD_KEY_SPEND: &str = "UPDATE api_keys SET spend_units = spend_units + ?1, last_used_at = ?2 WHERE id = ?3";

const READ_BALANCE: &str = "SELECT balance_units, balance_version FROM organizations WHERE id = ?1";

/// The database file and, once used, the connection to it (opened on first use, on the
/// thread that uses it).
pub struct SqliteBatchWriter {
    path: PathBuf,
    conn: Option<Connection>,
}

impl SqliteBatchWriter {
    /// A writer for the database file at `path` (made and migrated already).
    pub fn new(path: PathBuf) -> SqliteBatchWriter {
        SqliteBatchWriter { path, conn: None }
    }

    fn conn(&mut self) -> rusqlite::Result<&mut Connection> {
        let conn = match self.conn.take() {
            Some(c) => c,
            None => open(&self.path)?,
        };
        Ok(self.conn.insert(conn))
    }

    /// Writes the batch in one transaction, as [`crate::storage::Records::record_batch`]
    /// says: each log row once, and for each new one with a cost its charge (one balance
    /// update per organization) and its key's spend. Returns the balances it moved.
    pub fn record_batch(&mut self, batch: &[RequestRecord]) -> rusqlite::Result<Vec<MovedBalance>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        // IMMEDIATE: the write lock from the start, so waiting for it follows the busy timeout
        let tx = self.conn()?.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut pace = Pace::new();
        let mut written = Vec::with_capacity(batch.len());
        {
            let mut insert = tx.prepare_cached(INSERT_LOG)?;
            for r in batch {
                let n = insert.execute(params![
                    r.id,
                    r.org_id,
                    r.key_id,
                    r.created_at,
                    r.protocol,
                    r.model_requested,
                    r.model_used,
                    r.provider,
                    r.status,
                    r.error,
                    r.input_tokens,
                    r.output_tokens,
                    r.cached_tokens,
                    r.cost_units,
                    r.latency_ms,
                    r.ttft_ms,
                    r.streamed,
                    r.usage_estimated,
                    r.route_reason,
                    r.free,
                    r.guest_id,
                    r.guest_ip,
                ])?;
                if n == 1 {
                    written.push(r);
                }
                pace.step();
            }
        }
        let charges = Charges::of(written);
        let mut balances = Vec::with_capacity(charges.by_org.len());
        {
            let mut take = tx.prepare_cached(TAKE_FROM_BALANCE)?;
            let mut charge = tx.prepare_cached(INSERT_CHARGE)?;
            for (org, rows) in &charges.by_org {
                let total: i64 = rows.iter().map(|r| r.cost_units).sum();
                let (after, version): (i64, i64) = take.query_row(params![total, org], |row| Ok((row.get(0)?, row.get(1)?)))?;
                // each entry's balance_after, as if booked one after the other
                let mut running = after + total;
                for r in rows {
                    running -= r.cost_units;
                    let note = r.model_used.as_deref().unwrap_or(&r.model_requested);
                    charge.execute(params![r.org_id, -r.cost_units, running, crate::storage::request_charge_reference(&r.id), note, r.created_at])?;
                    pace.step();
                }
                balances.push(MovedBalance { org_id: org.to_string(), balance: after, version });
            }
            let mut spend = tx.prepare_cached(ADD_KEY_SPEND)?;
            for (key, (units, last)) in charges.by_key {
                spend.execute(params![units, last, key])?;
            }
        }
        tx.commit()?;
        Ok(balances)
    }

    /// An organization's balance and its version, as the ledger holds them.
    pub fn org_balance(&mut self, org_id: &str) -> rusqlite::Result<Option<(i64, i64)>> {
        let conn = self.conn()?;
        let mut read = conn.prepare_cached(READ_BALANCE)?;
        read.query_row(params![org_id], |row| Ok((row.get(0)?, row.get(1)?))).optional()
    }
}

/// Cuts the writer's CPU time into short runs: it sleeps a moment after each 200 µs of work,
/// so that threads woken meanwhile (requests) get the CPU. A batch of a hundred requests is
/// over a millisecond of work, and the scheduler let it run in one go (a woken thread waits
/// for the running one's time slice, 1.4 ms here) while requests waited behind it: on one
/// CPU that tail was +1.4 ms at p99 against +0.5 ms with the pauses (README, session 14).
struct Pace {
    since: Instant,
}

impl Pace {
    const RUN: Duration = Duration::from_micros(200);

    fn new() -> Pace {
        Pace { since: Instant::now() }
    }

    fn step(&mut self) {
        if self.since.elapsed() >= Pace::RUN {
            // the shortest sleep; the timer's slack makes it about 50 µs when the CPU is idle
            std::thread::sleep(Duration::from_micros(1));
            self.since = Instant::now();
        }
    }
}

/// Opens the file as the pool's connections are set up (WAL is the file's own setting).
fn open(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(Duration::from_secs(30))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(conn)
}

#[async_trait::async_trait]
impl crate::storage::LogWriter for SqliteBatchWriter {
    async fn record_batch(&mut self, batch: &[RequestRecord]) -> crate::storage::StoreResult<Vec<MovedBalance>> {
        Ok(SqliteBatchWriter::record_batch(self, batch)?)
    }

    async fn org_balance(&mut self, org_id: &str) -> crate::storage::StoreResult<Option<(i64, i64)>> {
        Ok(SqliteBatchWriter::org_balance(self, org_id)?)
    }
}
