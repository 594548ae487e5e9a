//! The request log writer's cost per batch: `record_batch` of 64 finished requests, each
//! with a charge (log rows, ledger entries, the balance and the key's spend), on SQLite in a
//! temporary folder; PostgreSQL too when `TEST_DATABASE_URL` names one. The table grows as
//! the bench runs, as it would in service. Run: `cargo bench -p server --bench record_batch`.
//! `BENCH_BATCH=1,7,63` sets the batch sizes (default 64). A second group compares, on
//! SQLite, the two ways to insert a batch's log rows: one statement made for its size and
//! prepared each time, or the writer's four cached shapes (64, 16, 4, 1 rows).
#![allow(clippy::unwrap_used)]

/// The gateway's allocator (`server/src/main.rs`), so the writer's Rust allocations (sqlx's
/// arguments and results) cost what they do there; SQLite's own stay with the C malloc, as there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
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
    let email = format!("bench-{}@example.com", uuid::Uuid::new_v4());
    let user = gateai::accounts::users::create_user(&db, &email, None, false).await.unwrap();
    let org = db.personal_org(&user.id).await.unwrap().unwrap();
    let keys = ApiKeys::new(db.clone(), Hasher::new(b"bench-secret-bench-secret-bench-secret".to_vec()));
    let (key, _) = keys.create(&org.id, &user.id, "bench", None, None, false).await.unwrap();
    (db, org.id, key.id)
}

fn random_ids() -> bool {
    std::env::var("BENCH_RANDOM_IDS").is_ok_and(|v| v == "1")
}

fn batch(size: usize, org: &str, key: &str, clock: &mut i64) -> Vec<RequestRecord> {
    (0..size)
        .map(|_| RequestRecord {
            // as the gateway makes them; BENCH_RANDOM_IDS=1 for random (v4) ids, to compare
            id: if random_ids() { uuid::Uuid::new_v4() } else { uuid::Uuid::now_v7() }.to_string(),
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
            cost_units: 37,
            latency_ms: 1,
            ..RequestRecord::default()
        })
        .collect()
}

fn bench_on(c: &mut Criterion, rt: &tokio::runtime::Runtime, name: &str, url: &str) {
    let (db, org, key) = rt.block_on(prepare(url));
    let mut clock = 0;
    let mut g = c.benchmark_group("record_batch");
    for size in sizes() {
        g.throughput(Throughput::Elements(size as u64));
        g.bench_function(format!("{size} charged requests, {name}"), |b| {
            b.iter_batched(
                || batch(size, &org, &key, &mut clock),
                |rows| rt.block_on(db.record_batch(&rows)).unwrap(),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

/// The log rows' insert alone, in one transaction: a statement for the batch's size, not
/// kept (`persistent(false)`: prepared every time, as any size that is not in sqlx's
/// statement cache), against the cached shapes the writer uses.
fn bench_shapes(c: &mut Criterion, rt: &tokio::runtime::Runtime, url: &str) {
    let (_db, org, key) = rt.block_on(prepare(url));
    // as the writer's connections: temporary storage in memory
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = rt.block_on(sqlx::SqlitePool::connect_with(options.pragma("temp_store", "memory"))).unwrap();
    let mut clock = 0;
    let mut g = c.benchmark_group("log rows insert, SQLite");
    for size in sizes() {
        g.throughput(Throughput::Elements(size as u64));
        for cached in [false, true] {
            let how = if cached { "cached shapes" } else { "one statement, prepared" };
            g.bench_function(format!("{size} rows, {how}"), |b| {
                b.iter_batched(
                    || batch(size, &org, &key, &mut clock),
                    |rows| rt.block_on(insert_logs(&pool, &rows, cached)),
                    BatchSize::SmallInput,
                )
            });
        }
    }
    g.finish();
}

async fn insert_logs(pool: &sqlx::SqlitePool, rows: &[RequestRecord], cached: bool) {
    let mut tx = pool.begin().await.unwrap();
    let chunks: Vec<&[RequestRecord]> = if cached { gateai::storage::in_cached_shapes(rows).collect() } else { vec![rows] };
    for chunk in chunks {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!("INSERT INTO request_logs ({}) ", gateai::storage::LOG_COLUMNS));
        // in LOG_COLUMNS' order, as the writer binds them
        q.push_values(chunk, |mut b, r| {
            b.push_bind(&r.id)
                .push_bind(&r.org_id)
                .push_bind(&r.key_id)
                .push_bind(r.created_at)
                .push_bind(&r.protocol)
                .push_bind(&r.model_requested)
                .push_bind(&r.model_used)
                .push_bind(&r.provider)
                .push_bind(r.status)
                .push_bind(&r.error)
                .push_bind(r.input_tokens)
                .push_bind(r.output_tokens)
                .push_bind(r.cached_tokens)
                .push_bind(r.cost_units)
                .push_bind(r.latency_ms)
                .push_bind(r.ttft_ms)
                .push_bind(r.streamed)
                .push_bind(r.usage_estimated)
                .push_bind(&r.route_reason)
                .push_bind(r.free)
                .push_bind(&r.guest_id)
                .push_bind(&r.guest_ip);
        });
        q.push(" ON CONFLICT (id) DO NOTHING RETURNING id");
        q.build_query_scalar::<String>().persistent(cached).fetch_all(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    bench_on(c, &rt, "SQLite", &sqlite);
    bench_shapes(c, &rt, &sqlite);
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        bench_on(c, &rt, "PostgreSQL", &url);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
