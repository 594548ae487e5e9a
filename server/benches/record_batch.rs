//! The request log writer's cost per batch: `record_batch` of 64 finished requests, each
//! with a charge (log rows, ledger entries, the balance and the key's spend), on SQLite in a
//! temporary folder; PostgreSQL too when `TEST_DATABASE_URL` names one. The table grows as
//! the bench runs, as it would in service. Run: `cargo bench -p server --bench record_batch`.
//! The batches go through `Store::log_writer`, as the gateway's log writer does.
//!
//! On SQLite the figure is the **CPU time** of the bench's thread, which runs the batch
//! itself (as the writer's thread does in the gateway): what a batch takes from the requests
//! beside it, without the short pauses the writer takes to let them run (`Pace`). On
//! PostgreSQL the work is in the server's process, so the figure there is wall time.
//!
//! Knobs: `BENCH_BATCH=1,7,63` sets the batch sizes (default 64); `BENCH_COST=0` makes the
//! requests free (no ledger entry: what the charges cost is the difference);
//! `BENCH_RANDOM_IDS=1` uses random (v4) ids; `BENCH_SQL='DROP INDEX …'` runs SQL on the
//! SQLite database after the migrations, to measure a schema change before writing it.
#![allow(clippy::unwrap_used)]

/// The gateway's allocator (`server/src/main.rs`), so the writer's Rust allocations (the
/// statements' arguments and results) cost what they do there; SQLite's own stay with the C malloc, as there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gateai::accounts::tokens::Hasher;
use gateai::accounts::ApiKeys;
use gateai::storage::{Db, RequestRecord};

fn sizes() -> Vec<usize> {
    let text = std::env::var("BENCH_BATCH").unwrap_or_else(|_| "64".into());
    text.split(',').map(|n| n.trim().parse().expect("BENCH_BATCH: sizes like 1,7,63")).collect()
}

async fn prepare(url: &str) -> (Db, String, String) {
    let db = gateai::storage::connect(url).await.unwrap();
    db.migrate().await.unwrap();
    if let (Ok(sql), Some(file)) = (std::env::var("BENCH_SQL"), url.strip_prefix("sqlite://")) {
        rusqlite::Connection::open(file).unwrap().execute_batch(&sql).unwrap();
    }
    let email = format!("bench-{}@example.com", uuid::Uuid::new_v4());
    let user = gateai::accounts::users::create_user(&db, &email, None, false).await.unwrap();
    let org = db.personal_org(&user.id).await.unwrap().unwrap();
    let keys = ApiKeys::new(db.clone(), Hasher::new(b"bench-secret-bench-secret-bench-secret".to_vec()));
    let (key, _) = keys.create(&org.id, &user.id, "bench", None, None, false).await.unwrap();
    (db, org.id, key.id)
}

/// The calling thread's CPU time.
fn thread_cpu() -> std::time::Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` outlives the call; the clock id is a constant.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    std::time::Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// What the knobs ask of each batch's rows, read once.
struct Rows {
    random_ids: bool,
    cost_units: i64,
}

impl Rows {
    fn from_env() -> Rows {
        Rows {
            random_ids: std::env::var("BENCH_RANDOM_IDS").is_ok_and(|v| v == "1"),
            cost_units: std::env::var("BENCH_COST").map_or(37, |c| c.parse().expect("BENCH_COST: units per request")),
        }
    }
}

fn batch(rows: &Rows, size: usize, org: &str, key: &str, clock: &mut i64) -> Vec<RequestRecord> {
    (0..size)
        .map(|_| RequestRecord {
            // as the gateway makes them; BENCH_RANDOM_IDS=1 for random (v4) ids, to compare
            id: if rows.random_ids { uuid::Uuid::new_v4() } else { uuid::Uuid::now_v7() }.to_string(),
            org_id: org.to_string(),
            key_id: Some(key.to_string()),
            created_at: {
                // time goes on: a few dozen requests per second
                *clock += 1;
                1_790_000_000 + *clock / 30
            },
            protocol: "openai".into(),
            model_requested: "deepseek/deepseek-v3.2".into(),
            model_used: Some("deepseek/deepseek-v3.2".into()),
            provider: Some("deepseek".into()),
            status: 200,
            input_tokens: 12,
            output_tokens: 16,
            cost_units: rows.cost_units,
            latency_ms: 1,
            ..RequestRecord::default()
        })
        .collect()
}

fn bench_on(c: &mut Criterion, rt: &tokio::runtime::Runtime, name: &str, url: &str) {
    let (db, org, key) = rt.block_on(prepare(url));
    // PostgreSQL's writer makes its pool in the runtime
    let mut writer = {
        let _in_runtime = rt.enter();
        db.log_writer()
    };
    let mut clock = 0;
    let on_this_thread = url.starts_with("sqlite:");
    let knobs = Rows::from_env();
    let mut g = c.benchmark_group("record_batch");
    for size in sizes() {
        g.throughput(Throughput::Elements(size as u64));
        g.bench_function(format!("{size} charged requests, {name}"), |b| {
            b.iter_custom(|n| {
                let mut spent = std::time::Duration::ZERO;
                for _ in 0..n {
                    let rows = batch(&knobs, size, &org, &key, &mut clock);
                    let (cpu, wall) = (thread_cpu(), std::time::Instant::now());
                    rt.block_on(writer.record_batch(&rows)).unwrap();
                    spent += if on_this_thread { thread_cpu() - cpu } else { wall.elapsed() };
                }
                spent
            })
        });
    }
    g.finish();
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    bench_on(c, &rt, "SQLite", &sqlite);
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        bench_on(c, &rt, "PostgreSQL", &url);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
