//! Admission's cost per request and per limit: an all-or-nothing reservation over N limits
//! and its settlement, on the in-process counters, and on Redis when `TEST_REDIS_URL` is set
//! (one round trip to a local Redis per reservation and one per settlement).
//! Run: `cargo bench -p server --bench admission`.
#![allow(clippy::unwrap_used)]

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use gateai::controls::counters::{Cap, Limit, LocalCounters};
use gateai::controls::shared::RedisCounters;

fn limits(n: usize) -> Vec<Limit> {
    (0..n).map(|i| Limit { counter: format!("bench-{i}"), cap: Cap::Fixed(i64::MAX / 2), until: i64::MAX, amount: 1_000 }).collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("admission/local");
    for n in [1usize, 2, 4, 8] {
        let counters = LocalCounters::default();
        let l = limits(n);
        for x in &l {
            counters.seed(&x.counter, 0, i64::MAX);
        }
        let names: Vec<(String, i64)> = l.iter().map(|x| (x.counter.clone(), -400)).collect();
        g.bench_with_input(BenchmarkId::new("reserve+settle", n), &n, |b, _| {
            b.iter(|| {
                counters.reserve(black_box(&l)).unwrap();
                counters.adjust_each(names.iter().map(|(c, d)| (c.as_str(), *d)));
            })
        });
    }
    g.finish();

    let Some(url) = std::env::var("TEST_REDIS_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("admission/redis skipped: TEST_REDIS_URL is not set");
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let prefix = format!("bench{}:", uuid::Uuid::new_v4().simple());
    let redis = rt.block_on(RedisCounters::connect(&url, &prefix)).unwrap();
    let mut g = c.benchmark_group("admission/redis");
    for n in [1usize, 4, 8] {
        let l = limits(n);
        for x in &l {
            rt.block_on(redis.seed(&x.counter, 0, i64::MAX)).unwrap();
        }
        // settle as a hold does: used to the actual cost, this process's share back to zero
        let moves: Vec<(String, i64, i64)> = l.iter().map(|x| (x.counter.clone(), -400, -1_000)).collect();
        g.bench_with_input(BenchmarkId::new("reserve+settle", n), &n, |b, _| {
            b.iter(|| {
                rt.block_on(async {
                    redis.reserve(black_box(&l)).await.unwrap().unwrap();
                    redis.adjust_each(&moves).await.unwrap();
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
