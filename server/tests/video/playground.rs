//! The console's video playground (`/playground/videos…`): a signed-in user's job goes
//! through the user's playground key and the organization pays (same checks, estimate and
//! pre-deduction as the API); the history lists every job of the organization (the API's
//! too) with its status and cost; a guest's job is billed to the guest pool under the guest's
//! daily limits (the estimate reserved against them, refunds given back, video spend counted
//! after a restart); every route answers 404 for another organization's or guest's job.

use super::*;
use crate::both;
use crate::common::{spawn_sharing, Client};
use crate::gateway::harness::point_providers_at;
use app::types::{LedgerKind, Usd, VideoHistory, VideoJobInfo};
use gateai::playground::caller::GUEST_POOL_ORG;
use serde_json::json;

const GUEST_LIMIT: &str = "Guest daily spending limit exceeded. Please try again tomorrow or upgrade to a paid plan.";
/// The default job's estimate (108 000 tokens) and what the double's 108 900 tokens settle at.
const ESTIMATE: i64 = DEFAULT_TOKENS * UNITS_PER_TOKEN;
const SETTLED: i64 = DOUBLE_TOKENS * UNITS_PER_TOKEN;

/// A browser: cookies kept (a session, or a guest's cookie).
fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().unwrap()
}

async fn post_video(url: &str, http: &reqwest::Client, body: &Value) -> Reply {
    reply(http.post(format!("{url}/playground/videos")).header("origin", url).json(body).send().await.unwrap()).await
}

async fn get(url: &str, http: &reqwest::Client, path: &str) -> Reply {
    reply(http.get(format!("{url}{path}")).send().await.unwrap()).await
}

fn job_of(r: &Reply) -> VideoJobInfo {
    serde_json::from_str(&r.text).unwrap_or_else(|e| panic!("{e}: {}", r.text))
}

/// Polls the job through the playground until it is over.
async fn wait_over(url: &str, http: &reqwest::Client, id: &str) -> VideoJobInfo {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let r = get(url, http, &format!("/playground/videos/{id}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let j = job_of(&r);
        if j.status == "completed" || j.status == "failed" {
            return j;
        }
        assert!(tokio::time::Instant::now() < deadline, "job {id} still {}", j.status);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn history(url: &str, http: &reqwest::Client, page: u32) -> VideoHistory {
    let r = get(url, http, &format!("/playground/videos?page={page}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    serde_json::from_str(&r.text).unwrap()
}

/// A signed-up person with `usd` in their organization: their browser and organization id.
async fn member(gw: &Gw, email: &str, usd: &str) -> (Client, String) {
    let (user, viewer) = gw.app.user(email).await;
    let org = viewer["org"]["id"].as_str().unwrap().to_string();
    gateai::billing::ledger::book(&gw.app.db, &org, LedgerKind::AdminGrant, Usd::parse_positive(usd).unwrap(), format!("grant:{org}"), "t".into(), None)
        .await
        .unwrap();
    (user, org)
}

async fn fund_pool(db: &gateai::storage::Db, usd: &str) {
    gateai::billing::ledger::book(db, GUEST_POOL_ORG, LedgerKind::AdminGrant, Usd::parse_positive(usd).unwrap(), format!("pool:{usd}"), "pool".into(), None)
        .await
        .unwrap();
}

fn guests(c: &mut Config, per_guest: &str) {
    c.gateway.guest_daily_usd = Usd::parse_positive(per_guest).unwrap();
    c.gateway.guest_daily_usd_per_ip = Usd::ZERO;
}

both!(a_user_makes_a_video_the_organization_pays_and_the_history_lists_every_key, |b| async move {
    let gw = video_gateway(b, "1", |_| {}).await;
    let (user, org) = member(&gw, "maker@example.com", "10").await;
    let url = gw.app.url.clone();

    let r = post_video(&url, &user.http, &json!({"model": MODEL, "prompt": "a red kite over dunes", "metadata": {"source": "playground"}})).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let j = job_of(&r);
    assert_eq!((j.status.as_str(), j.billing_status.as_str(), j.source.as_str()), ("pending", "pre_deducted", "Playground"));
    assert_eq!((j.estimated_cost, j.billed_cost), (Usd::from_units(ESTIMATE), Usd::from_units(ESTIMATE)));
    assert_eq!((j.size.as_str(), j.duration, j.seed, j.generate_audio), ("1280x720", 5, -1, true));
    assert!(j.video_url.is_none());
    // pre-deducted from the person's organization at once, through their playground key
    assert_eq!(gw.app.db.totals(&org).await.unwrap().balance_units, 10 * 10_000_000_000 - ESTIMATE);
    let row = job(&gw, &j.job_id).await;
    assert!(row.guest_id.is_none() && row.org_id == org);
    assert!(gw.app.db.keys_of_org(&org).await.unwrap().is_empty(), "the playground key is no listed key");

    let done = wait_over(&url, &user.http, &j.job_id).await;
    assert_eq!((done.status.as_str(), done.stage.as_str(), done.billing_status.as_str()), ("completed", "completed", "settled"));
    assert_eq!((done.billed_cost, done.video_tokens), (Usd::from_units(SETTLED), Some(DOUBLE_TOKENS)));
    // the signed link plays the gateway's copy, without a session, with Range
    let link = done.video_url.clone().unwrap();
    assert!(link.starts_with(&format!("/api/v1/videos/{}/file?expires=", j.job_id)), "{link}");
    let file = reqwest::Client::new().get(format!("{url}{link}")).send().await.unwrap();
    assert_eq!(file.status().as_u16(), 200);
    assert_eq!(file.headers()["content-type"], "video/mp4");
    assert!(file.bytes().await.unwrap().len() > 1000);
    let part = reqwest::Client::new().get(format!("{url}{link}")).header("range", "bytes=0-99").send().await.unwrap();
    assert_eq!((part.status().as_u16(), part.bytes().await.unwrap().len()), (206, 100));

    // a job of an API key of the same organization shows in the history too, newest first
    let uid = user.viewer().await["user_id"].as_str().unwrap().to_string();
    let (_, api_key) = gw.app.state.keys.create(&org, &uid, "ci", None, None, false).await.unwrap();
    let api_job = submit_as(&gw, &api_key, &body("made by a script"), None).await;
    assert_eq!(api_job.status, 202, "{}", api_job.text);
    let api_id = api_job.body["data"]["job_id"].as_str().unwrap().to_string();
    let h = history(&url, &user.http, 1).await;
    assert_eq!((h.total, h.page, h.per_page), (2, 1, app::types::VIDEO_HISTORY_PAGE));
    assert_eq!(h.jobs.iter().map(|j| j.job_id.as_str()).collect::<Vec<_>>(), [api_id.as_str(), j.job_id.as_str()]);
    assert_eq!(h.jobs[0].source, "API key “ci”");
    assert_eq!((h.jobs[1].status.as_str(), h.jobs[1].billed_cost), ("completed", Usd::from_units(SETTLED)));
    assert!(h.jobs[1].video_url.is_some());
    // the API cannot read the playground's job with another key (its key is the playground's)
    assert_eq!(get_as(&gw, &api_key, &format!("/api/v1/videos/{}", j.job_id)).await.status, 404);
    // `/playground/me` shows the balance the form compares the estimate with
    let me = get(&url, &user.http, "/playground/me").await;
    let after = gw.app.db.totals(&org).await.unwrap().balance_units;
    assert_eq!(me.body["balance_usd"], Usd::from_units(after).to_string());
    wait_done_as(&gw, &api_key, &api_id).await;
    check_books_of(&gw.app.db, &org, &[j.job_id.clone(), api_id]).await;
});

both!(a_refused_field_is_named_and_nothing_is_charged, |b| async move {
    let gw = video_gateway(b, "1", |_| {}).await;
    let (user, org) = member(&gw, "typo@example.com", "10").await;
    let url = gw.app.url.clone();
    for (extra, field, message) in [
        (json!({"duration": 20}), "duration", "duration must be a whole number of seconds from 4 to 15"),
        (json!({"size": "1000x1000"}), "size", ""),
        (json!({"metadata": [1]}), "metadata", "metadata must be a JSON object"),
        (json!({"prompt": " "}), "prompt", "prompt must not be empty"),
    ] {
        let mut body = body("x");
        for (k, v) in extra.as_object().unwrap() {
            body[k.as_str()] = v.clone();
        }
        let r = post_video(&url, &user.http, &body).await;
        assert_eq!((r.status, r.body["code"].as_i64(), r.body["data"]["field"].as_str()), (400, Some(400), Some(field)), "{}", r.text);
        assert!(r.body["msg"].as_str().unwrap().starts_with(message), "{}", r.text);
    }
    let r = post_video(&url, &user.http, &json!({"model": "openai/gpt-5-mini", "prompt": "x"})).await;
    assert_eq!((r.status, r.body["data"]["field"].as_str()), (400, Some("model")), "{}", r.text);
    // a balance short of the estimate: the seed's 402 with the figures
    let (poor, _) = member(&gw, "poor@example.com", "0.5").await;
    let r = post_video(&url, &poor.http, &body("too dear")).await;
    assert_eq!((r.status, r.body["data"]["estimated_cost"].as_str()), (402, Some("0.8316000000")), "{}", r.text);
    assert_eq!(gw.app.db.totals(&org).await.unwrap().balance_units, 10 * 10_000_000_000, "nothing charged");
    assert_eq!(history(&url, &user.http, 1).await.total, 0, "nothing queued");
    // a page of another site cannot submit in a visitor's name
    let r = reqwest::Client::new().post(format!("{url}/playground/videos")).header("origin", "https://evil.example").json(&body("x")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
});

both!(another_organization_or_guest_gets_404_for_a_job, |b| async move {
    let gw = video_gateway(b, "1", |c| guests(c, "5")).await;
    fund_pool(&gw.app.db, "20").await;
    let url = gw.app.url.clone();
    let (alice, _) = member(&gw, "alice@example.com", "10").await;
    let (bob, _) = member(&gw, "bob@example.com", "10").await;
    let (g1, g2) = (browser(), browser());
    let a = job_of(&post_video(&url, &alice.http, &body("alice's")).await).job_id;
    let g = post_video(&url, &g1, &body("guest one's")).await;
    assert_eq!(g.status, 202, "{}", g.text);
    let g = job_of(&g).job_id;
    for (who, http, theirs, others) in [("bob", &bob.http, None, [&a, &g]), ("guest two", &g2, None, [&a, &g])]
        .into_iter()
        .chain([("alice", &alice.http, Some(&a), [&g, &g]), ("guest one", &g1, Some(&g), [&a, &a])])
    {
        for id in others {
            let r = get(&url, http, &format!("/playground/videos/{id}")).await;
            assert_eq!((r.status, r.body["msg"].as_str()), (404, Some("video job not found")), "{who} reads {id}");
        }
        let h = history(&url, http, 1).await;
        assert_eq!(h.jobs.iter().map(|j| &j.job_id).collect::<Vec<_>>(), theirs.into_iter().collect::<Vec<_>>(), "{who}'s history");
        if let Some(id) = theirs {
            assert_eq!(get(&url, http, &format!("/playground/videos/{id}")).await.status, 200, "{who} reads its own");
        }
    }
    for bad in ["video_00000000000000000000000000000000", "..%2F..%2Fetc%2Fpasswd", "video_1'%20OR%20'1'='1"] {
        assert_eq!(get(&url, &alice.http, &format!("/playground/videos/{bad}")).await.status, 404, "{bad}");
    }
    wait_over(&url, &alice.http, &a).await;
    wait_over(&url, &g1, &g).await;
    // without a session and with guests turned off: sign in first
    let off = video_gateway(b, "1", |c| c.gateway.guest_daily_usd = Usd::ZERO).await;
    let r = post_video(&off.app.url, &browser(), &body("x")).await;
    assert_eq!((r.status, r.body["msg"].as_str()), (401, Some(gateai::gateway::error::GUESTS_OFF)), "{}", r.text);
    assert_eq!(get(&off.app.url, &browser(), "/playground/videos").await.status, 401);
});

both!(a_guest_video_is_billed_to_the_pool_and_held_to_the_guest_limit, |b| async move {
    // a guest may spend $1.00 a day: one default job ($0.8316 estimated) fits, two do not
    let gw = video_gateway(b, "1", |c| guests(c, "1")).await;
    fund_pool(&gw.app.db, "20").await;
    let url = gw.app.url.clone();
    let guest = browser();
    let pool_before = gw.app.db.totals(GUEST_POOL_ORG).await.unwrap().balance_units;

    // a job that fails is refunded, and its reservation is given back to the guest's limit
    let r = post_video(&url, &guest, &body("[[videofail]] a storm")).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert!(r.headers["set-cookie"].to_str().unwrap().starts_with("gateai_guest="), "a new guest gets its cookie");
    let failed = wait_over(&url, &guest, &job_of(&r).job_id).await;
    assert_eq!((failed.status.as_str(), failed.billing_status.as_str(), failed.billed_cost), ("failed", "refunded", Usd::ZERO));

    let r = post_video(&url, &guest, &body("a lighthouse at dusk")).await;
    assert_eq!(r.status, 202, "the refund made room again: {}", r.text);
    let id = job_of(&r).job_id;
    let row = job(&gw, &id).await;
    let guest_id = row.guest_id.clone().unwrap();
    assert_eq!((row.org_id.as_str(), row.key_id.as_str(), row.guest_ip.as_deref()), (GUEST_POOL_ORG, "guest-pool", Some("127.0.0.1")));
    // its log row names the guest, under no key, so the limits count it after a restart
    let q = gateai::storage::LogQuery { org_id: GUEST_POOL_ORG.into(), since: 0, until: i64::MAX, limit: 100, ..Default::default() };
    let logs = gw.app.db.request_logs(&q).await.unwrap();
    let log = logs.iter().find(|l| l.id == id).unwrap();
    assert_eq!((log.key_id.as_deref(), log.guest_id.as_deref(), log.cost_units), (None, Some(guest_id.as_str()), ESTIMATE));

    // a guest has no organization secret to check webhook signatures with
    let r = post_video(&url, &guest, &json!({"model": MODEL, "prompt": "x", "webhook_url": "https://example.com/hook"})).await;
    assert_eq!((r.status, r.body["data"]["field"].as_str()), (400, Some("webhook_url")), "{}", r.text);
    assert_eq!(r.body["msg"], gateai::playground::video::GUEST_WEBHOOK);
    // what is left ($1 − $0.8316) cannot take a second job
    let r = post_video(&url, &guest, &body("another one")).await;
    assert_eq!((r.status, r.body["code"].as_i64(), r.body["msg"].as_str()), (429, Some(429), Some(GUEST_LIMIT)), "{}", r.text);
    let done = wait_over(&url, &guest, &id).await;
    assert_eq!((done.status.as_str(), done.billed_cost), ("completed", Usd::from_units(SETTLED)));
    let me = get(&url, &guest, "/playground/me").await;
    assert_eq!(me.body["guest"]["spent_usd"], Usd::from_units(SETTLED).to_string(), "{}", me.text);
    assert_eq!(me.body["guest"]["remaining_usd"], Usd::from_units(10_000_000_000 - SETTLED).to_string());
    let h = history(&url, &guest, 1).await;
    assert_eq!(h.jobs.iter().map(|j| (j.status.as_str(), j.source.as_str())).collect::<Vec<_>>(), [("completed", "Playground"), ("failed", "Playground")]);

    // the guest pool paid the settled job once, the failed one not at all; no member's organization did
    let pool = gw.app.db.totals(GUEST_POOL_ORG).await.unwrap();
    assert_eq!(pool.balance_units, pool_before - SETTLED);
    check_books_of(&gw.app.db, GUEST_POOL_ORG, &[failed.job_id.clone(), id.clone()]).await;
    assert_eq!(gw.balance_units().await, 10_000_000_000);

    // a second process (fresh counters, as after a restart) seeds the guest's limit from the
    // log, video spend included: the same guest is still refused there
    let up = gw.up.clone();
    let second = spawn_sharing(&gw.app, move |c| {
        point_providers_at(c, &up);
        fast(c);
        guests(c, "1");
    })
    .await;
    let r = post_video(&second.url, &guest, &body("after a restart")).await;
    assert_eq!((r.status, r.body["msg"].as_str()), (429, Some(GUEST_LIMIT)), "{}", r.text);
    // another guest (own cookie, no address limit) still may
    let someone = browser();
    let r = post_video(&second.url, &someone, &body("someone else")).await;
    assert_eq!(r.status, 202, "{}", r.text);
    wait_over(&second.url, &someone, &job_of(&r).job_id).await;
});
