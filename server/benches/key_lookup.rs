//! Key lookup on the request path: shape check + keyed hash + cache hit (the common case),
//! and a cache miss that goes to SQLite. Run: `cargo bench -p server --bench key_lookup`.
#![allow(clippy::unwrap_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use gateai::accounts::tokens::Hasher;
use gateai::accounts::ApiKeys;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (keys, secret, misses) = rt.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let db = gateai::storage::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let user = gateai::accounts::users::create_user(&db, "bench@example.com", None, false).await.unwrap();
        let org = db.personal_org(&user.id).await.unwrap().unwrap();
        let keys = ApiKeys::new(db.clone(), Hasher::new(b"bench-secret-bench-secret-bench-secret".to_vec()));
        let (_, secret) = keys.create(&org.id, &user.id, "bench", None, None, false).await.unwrap();
        let mut misses = Vec::new();
        for i in 0..2000 {
            let (_, s) = keys.create(&org.id, &user.id, &format!("k{i}"), None, None, false).await.unwrap();
            misses.push(s);
        }
        (keys, secret, misses)
    });
    rt.block_on(keys.authenticate(&secret)).unwrap();
    c.bench_function("authenticate (cache hit)", |b| b.iter(|| rt.block_on(keys.authenticate(&secret)).unwrap()));
    let fresh = ApiKeys::new_uncached_for_bench(&keys);
    let mut i = 0usize;
    c.bench_function("authenticate (cache miss, SQLite indexed lookup)", |b| {
        b.iter(|| {
            i = (i + 1) % misses.len();
            rt.block_on(fresh.authenticate(&misses[i])).unwrap()
        })
    });
    let hasher = Hasher::new(b"bench-secret-bench-secret-bench-secret".to_vec());
    c.bench_function("keyed hash only (HMAC-SHA256)", |b| b.iter(|| hasher.hash("api-key", &secret)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
