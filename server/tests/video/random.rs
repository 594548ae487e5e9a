//! Fifty jobs at once with random outcomes (success with more or fewer tokens than
//! estimated, or failure): each is settled or refunded exactly once, the ledger sums to the
//! balance, and the balance, the key's spend and the request log agree on what was billed.

use super::*;
use crate::both;
use rand::{Rng, SeedableRng};
use std::sync::Arc;

both!(fifty_random_jobs_are_each_settled_or_refunded_exactly_once, |b| async move {
    let gw = Arc::new(video_gateway(b, "1000", |c| c.video.concurrency = 8).await);
    let mut rng = rand::rngs::StdRng::seed_from_u64(20_261_127);
    let bodies: Vec<Value> = (0..50)
        .map(|i| {
            let mut prompt = format!("clip number {i}");
            match rng.gen_range(0..4) {
                0 => prompt.push_str(" [[videofail]]"),
                1 => prompt.push_str(&format!(" [[videotokens:{}]]", rng.gen_range(1_000..400_000))),
                _ => {}
            }
            let mut b = body(&prompt);
            b["duration"] = rng.gen_range(4..=15).into();
            b["resolution"] = ["480p", "720p", "1080p"][rng.gen_range(0..3)].into();
            b
        })
        .collect();
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|b| {
            let gw = gw.clone();
            tokio::spawn(async move { submit_ok(&gw, &b).await })
        })
        .collect();
    let mut ids = vec![];
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for id in &ids {
        let d = wait_done(&gw, id).await;
        *outcomes.entry(format!("{}/{}", d["status"].as_str().unwrap(), d["billing_status"].as_str().unwrap())).or_default() += 1;
    }
    assert_eq!(outcomes.keys().cloned().collect::<Vec<_>>(), ["completed/settled", "failed/refunded"], "{outcomes:?}");
    let billed = check_books(&gw, &ids).await;
    assert_eq!(gw.balance_units().await, 10_000_000_000_000 - billed);
    let all = ledger(&gw).await;
    let settles = all.iter().filter(|e| e.reference.ends_with(":settle")).count();
    assert!(all.iter().any(|e| e.kind == "refund" && e.reference.ends_with(":settle")) && all.iter().any(|e| e.kind == "charge" && e.reference.ends_with(":settle")));
    assert!(settles <= 50);
    // one upstream task per job, whatever the retries
    assert_eq!(gw.up.video_tasks_created(), 50);
    // the key's spend and the request log hold the billed costs
    let key = gw.app.db.keys_of_org(&gw.org).await.unwrap().remove(0);
    assert_eq!(key.spend_units, billed);
    let logged: i64 = gw.logs().await.iter().filter(|l| l.protocol == "video").map(|l| l.cost_units).sum();
    assert_eq!(logged, billed);
});
