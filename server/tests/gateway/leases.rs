//! Redis-shared admission counters give back what a process that died had reserved: each
//! process keeps its share of every counter under its own id, beats, and a live process reaps
//! one that fell silent for the lease. Real Redis (`TEST_REDIS_URL`), two counter clients as
//! two processes; the "dead" one simply stops beating, as a killed process would.

use crate::common::redis_url;
use gateai::controls::counters::{Cap, Limit};
use gateai::controls::shared::{RedisCounters, LEASE_SECS};

fn redis() -> Option<String> {
    let url = redis_url();
    if url.is_none() {
        assert!(std::env::var("CI").is_err(), "TEST_REDIS_URL must be set in CI");
        eprintln!("SKIPPED: TEST_REDIS_URL is not set (run scripts/test.sh)");
    }
    url
}

fn limit(counter: &str, cap: Cap, amount: i64) -> Limit {
    Limit { counter: counter.into(), cap, until: i64::MAX, amount }
}

/// What a counter uses, read straight from Redis.
async fn used(url: &str, prefix: &str, counter: &str) -> i64 {
    let mut conn = redis::Client::open(url).unwrap().get_multiplexed_async_connection().await.unwrap();
    let v: Option<i64> = redis::cmd("HGET").arg(format!("{prefix}c:{counter}")).arg("used").query_async(&mut conn).await.unwrap();
    v.unwrap_or(0)
}

#[tokio::test]
async fn a_dead_process_reservations_and_unwritten_charges_are_given_back_and_a_live_ones_kept() {
    let Some(url) = redis() else { return };
    let prefix = format!("t{}:", uuid::Uuid::new_v4().simple());
    let (dead, alive) = (RedisCounters::connect(&url, &prefix).await.unwrap(), RedisCounters::connect(&url, &prefix).await.unwrap());
    let now = gateai::clock::now();
    // a balance of 1000 and a budget of 500 (already 100 spent this period)
    dead.set_balance("bal", 1000, 1, 0).await.unwrap();
    dead.seed("bal", 0, i64::MAX).await.unwrap();
    dead.seed("budget", 100, now + 3600).await.unwrap();
    let both = |amount| vec![limit("bal", Cap::Stored, amount), limit("budget", Cap::Fixed(500), amount)];

    // the doomed process: one request settled (cost 30 of 50 reserved, its charge not yet
    // written), one in flight (80)
    dead.reserve(&both(50)).await.unwrap().unwrap();
    dead.adjust_each(&[("bal".into(), 30 - 50, 30 - 50), ("budget".into(), 30 - 50, -50)]).await.unwrap();
    dead.reserve(&both(80)).await.unwrap().unwrap();
    // the live process: one request in flight (40)
    alive.reserve(&both(40)).await.unwrap().unwrap();
    assert_eq!(used(&url, &prefix, "bal").await, 30 + 80 + 40);

    // within the lease nothing is reaped
    assert_eq!(alive.beat(now + 1, LEASE_SECS).await.unwrap(), 0);
    assert_eq!(used(&url, &prefix, "bal").await, 150);
    // the live one keeps beating, the dead one has not since it joined: past the lease it is reaped
    alive.beat(now + LEASE_SECS, LEASE_SECS).await.unwrap();
    assert_eq!(alive.beat(now + LEASE_SECS + 2, LEASE_SECS).await.unwrap(), 1);
    // balance: its unwritten charge (30) and its request in flight (80) are given back;
    // budget: its settled spend (30) stays spent, its request in flight is given back
    assert_eq!(used(&url, &prefix, "bal").await, 40);
    assert_eq!(used(&url, &prefix, "budget").await, 100 + 30 + 40);
    // the live process settles normally afterwards (cost 25 of 40, then written)
    alive.adjust_each(&[("bal".into(), 25 - 40, 25 - 40), ("budget".into(), 25 - 40, -40)]).await.unwrap();
    alive.set_balance("bal", 1000 - 25, 2, 25).await.unwrap();
    assert_eq!(alive.balance("bal").await.unwrap(), Some((975, 0)));
    assert_eq!(alive.beat(now + LEASE_SECS + 4, LEASE_SECS).await.unwrap(), 0, "reaped once");
}

#[tokio::test]
async fn a_process_that_was_reaped_while_alive_rejoins_under_a_new_id() {
    let Some(url) = redis() else { return };
    let prefix = format!("t{}:", uuid::Uuid::new_v4().simple());
    let (slow, other) = (RedisCounters::connect(&url, &prefix).await.unwrap(), RedisCounters::connect(&url, &prefix).await.unwrap());
    let now = gateai::clock::now();
    slow.seed("budget", 0, now + 3600).await.unwrap();
    slow.reserve(&[limit("budget", Cap::Fixed(100), 60)]).await.unwrap().unwrap();
    let before = slow.instance();
    // `slow` could not beat for a whole lease: `other` reaps it
    other.beat(now + LEASE_SECS + 1, LEASE_SECS).await.unwrap();
    assert_eq!(used(&url, &prefix, "budget").await, 0);
    // its next beat notices and takes a new id; what it reserves from now on is kept under it
    slow.beat(now + LEASE_SECS + 2, LEASE_SECS).await.unwrap();
    assert_ne!(slow.instance(), before);
    slow.reserve(&[limit("budget", Cap::Fixed(100), 70)]).await.unwrap().unwrap();
    other.beat(now + LEASE_SECS + 3, LEASE_SECS).await.unwrap();
    assert_eq!(used(&url, &prefix, "budget").await, 70, "the rejoined process's reservation is not reaped");
}
