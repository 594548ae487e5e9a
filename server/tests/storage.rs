//! The storage suite: every test runs on SQLite and on PostgreSQL (but the one about SQLite's URLs).

use crate::both;
use crate::common::*;
use gateai::storage::*;

fn user(email: &str) -> (UserRow, OrgRow) {
    let id = uuid::Uuid::now_v7().to_string();
    (
        UserRow { id: id.clone(), email: email.into(), password_hash: None, is_admin: false, created_at: 1 },
        OrgRow { id: format!("org-{id}"), name: format!("{email} (personal)"), personal: true, balance_units: 0, created_at: 1 },
    )
}

fn entry(org: &str, amount: i64, reference: &str) -> NewLedgerEntry {
    NewLedgerEntry {
        org_id: org.into(),
        kind: if amount < 0 { "charge" } else { "top_up" },
        amount_units: amount,
        reference: reference.into(),
        note: String::new(),
        actor_user_id: None,
        now: 1,
    }
}

/// A key of `org` made by `user`, without a budget.
fn key(id: &str, hash: &str, org: &OrgRow, user: &UserRow) -> NewApiKey {
    NewApiKey {
        id: id.into(),
        org_id: org.id.clone(),
        created_by: user.id.clone(),
        name: "ci".into(),
        key_hash: hash.into(),
        prefix: "sk-or-v1-abcd…wxyz".into(),
        management: false,
        budget_units: None,
        budget_reset: None,
        expires_at: None,
        now: 10,
    }
}

both!(user_gets_personal_org_and_email_is_unique, |b| async move {
    let t = test_db(b).await;
    let (u, o) = user("ada@example.com");
    t.db.create_user(&u, &o).await.unwrap();
    assert_eq!(t.db.user_count().await.unwrap(), 1);
    let orgs = t.db.orgs_of_user(&u.id).await.unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0].role, "owner");
    assert!(orgs[0].personal);
    let (u2, o2) = user("ada@example.com");
    assert!(matches!(t.db.create_user(&u2, &o2).await, Err(StoreError::Conflict("email"))));
    // nothing of the failed sign-up was left behind
    assert!(t.db.org(&o2.id).await.unwrap().is_none());
    assert_eq!(t.db.user_count().await.unwrap(), 1);
});

both!(ledger_reference_books_once, |b| async move {
    let t = test_db(b).await;
    let (u, o) = user("a@example.com");
    t.db.create_user(&u, &o).await.unwrap();
    let first = t.db.append(&entry(&o.id, 500, "payment:p1")).await.unwrap();
    assert!(matches!(first, Appended::New(ref r) if r.balance_after_units == 500));
    let again = t.db.append(&entry(&o.id, 500, "payment:p1")).await.unwrap();
    assert!(matches!(again, Appended::Duplicate(ref r) if r.amount_units == 500));
    let totals = t.db.totals(&o.id).await.unwrap();
    assert_eq!(totals.balance_units, 500);
    assert_eq!(totals.sum_units, 500);
    assert_eq!(t.db.entry_count(&o.id).await.unwrap(), 1);
    // a request's charge is booked with its log row by the log writer, never through append
    // (the unique index leaves request charges out: their log row makes them unique)
    let refused = t.db.append(&entry(&o.id, -5, &format!("{REQUEST_CHARGE_PREFIX}r1"))).await;
    assert!(matches!(refused, Err(StoreError::Other(ref m)) if m.contains("log writer")), "{refused:?}");
    assert_eq!(t.db.totals(&o.id).await.unwrap().balance_units, 500);
    // the database itself refuses a second entry with a reference that is not a request's
    let insert = "INSERT INTO ledger_entries (org_id, kind, amount_units, balance_after_units, reference, created_at) VALUES ($1, 'top_up', 1, 501, 'payment:p1', 1)";
    let duplicate = if t.url.starts_with("sqlite") {
        sqlx::query(insert).bind(&o.id).execute(&sqlx::SqlitePool::connect(&t.url).await.unwrap()).await.is_err()
    } else {
        sqlx::query(insert).bind(&o.id).execute(&sqlx::PgPool::connect(&t.url).await.unwrap()).await.is_err()
    };
    assert!(duplicate, "a duplicate reference was stored");
    assert_eq!(t.db.entry_count(&o.id).await.unwrap(), 1);
});

both!(ledger_balance_equals_its_sum_after_a_concurrent_run, |b| async move {
    let t = test_db(b).await;
    let (u, o) = user("a@example.com");
    t.db.create_user(&u, &o).await.unwrap();
    // 60 appends in parallel: credits, charges and replays of the same references
    let mut tasks = Vec::new();
    for i in 0..60i64 {
        let db = t.db.clone();
        let org = o.id.clone();
        tasks.push(tokio::spawn(async move {
            let amount = if i % 3 == 0 { -(i * 7 + 1) } else { i * 1000 + 3 };
            let reference = format!("ref-{}", i % 40); // 20 references are sent twice
            db.append(&entry(&org, amount, &reference)).await.unwrap()
        }));
    }
    let mut new = 0;
    for t in tasks {
        if let Appended::New(_) = t.await.unwrap() {
            new += 1;
        }
    }
    assert_eq!(new, 40, "each reference booked exactly once");
    let totals = t.db.totals(&o.id).await.unwrap();
    assert_eq!(totals.balance_units, totals.sum_units, "cached balance equals the ledger's sum");
    // balance_after of the newest entry is the balance: entries were serialized
    let newest = t.db.entries(&o.id, 0, 1).await.unwrap();
    assert_eq!(newest[0].balance_after_units, totals.balance_units);
    // every entry's balance_after is the running sum in booking order
    let mut all = t.db.entries(&o.id, 0, 100).await.unwrap();
    all.reverse();
    let mut running = 0;
    for e in &all {
        running += e.amount_units;
        assert_eq!(e.balance_after_units, running);
    }
});

both!(ledger_is_append_only, |b| async move {
    let t = test_db(b).await;
    let (u, o) = user("a@example.com");
    t.db.create_user(&u, &o).await.unwrap();
    t.db.append(&entry(&o.id, 10, "r1")).await.unwrap();
    // The database itself refuses to change history.
    let url = t.url.clone();
    let refused = if url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let a = sqlx::query("UPDATE ledger_entries SET amount_units = 99").execute(&pool).await.is_err();
        let b = sqlx::query("DELETE FROM ledger_entries").execute(&pool).await.is_err();
        a && b
    } else {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let a = sqlx::query("UPDATE ledger_entries SET amount_units = 99").execute(&pool).await.is_err();
        let b = sqlx::query("DELETE FROM ledger_entries").execute(&pool).await.is_err();
        a && b
    };
    assert!(refused);
});

both!(twenty_parallel_redemptions_of_one_code_book_one_credit, |b| async move {
    let t = test_db(b).await;
    let mut orgs = Vec::new();
    for i in 0..20 {
        let (u, o) = user(&format!("u{i}@example.com"));
        t.db.create_user(&u, &o).await.unwrap();
        orgs.push((u.id, o.id));
    }
    let code = RedemptionCodeRow {
        id: "c1".into(),
        code_hash: "hash-1".into(),
        hint: "GATE-…".into(),
        amount_units: 7_000_000_000,
        created_by: None,
        created_at: 1,
        redeemed_by: None,
        redeemed_org: None,
        redeemed_at: None,
    };
    t.db.insert_codes(&[code]).await.unwrap();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(20));
    let mut tasks = Vec::new();
    for (uid, oid) in orgs.clone() {
        let db = t.db.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            db.redeem("hash-1", &uid, &oid, 2).await.unwrap()
        }));
    }
    let mut ok = 0;
    let mut used = 0;
    for t in tasks {
        match t.await.unwrap() {
            Redeemed::Ok(_) => ok += 1,
            Redeemed::AlreadyUsed => used += 1,
            Redeemed::UnknownCode => panic!("code exists"),
        }
    }
    assert_eq!((ok, used), (1, 19));
    let mut credited = 0;
    for (_, oid) in &orgs {
        let tot = t.db.totals(oid).await.unwrap();
        assert_eq!(tot.balance_units, tot.sum_units);
        credited += tot.balance_units;
    }
    assert_eq!(credited, 7_000_000_000);
    assert!(matches!(t.db.redeem("nope", &orgs[0].0, &orgs[0].1, 3).await.unwrap(), Redeemed::UnknownCode));
});

both!(keys_are_found_by_hash_and_scoped_to_their_org, |b| async move {
    let t = test_db(b).await;
    let (u, o) = user("a@example.com");
    t.db.create_user(&u, &o).await.unwrap();
    let (u2, o2) = user("b@example.com");
    t.db.create_user(&u2, &o2).await.unwrap();
    let k = t.db.insert_key(&NewApiKey { budget_units: Some(5), ..key("k1", "h1", &o, &u) }).await.unwrap();
    assert_eq!(k.status, "active");
    assert_eq!(t.db.key_by_hash("h1").await.unwrap().unwrap().id, "k1");
    assert!(t.db.key_by_hash("h2").await.unwrap().is_none());
    assert!(t.db.key_by_id(&o2.id, "k1").await.unwrap().is_none(), "another org cannot see the key");
    assert!(t.db.set_key_status(&o2.id, "k1", "revoked", 11).await.unwrap().is_none(), "nor change it");
    assert_eq!(t.db.set_key_status(&o.id, "k1", "disabled", 11).await.unwrap().unwrap().status, "disabled");
    assert_eq!(t.db.set_key_status(&o.id, "k1", "revoked", 12).await.unwrap().unwrap().status, "revoked");
    assert!(t.db.set_key_status(&o.id, "k1", "active", 13).await.unwrap().is_none(), "revoked stays revoked");
    assert_eq!(t.db.keys_of_org(&o.id).await.unwrap().len(), 1);
    assert!(t.db.keys_of_org(&o2.id).await.unwrap().is_empty());
});

both!(sessions_expire_and_invites_are_accepted_once, |b| async move {
    let t = test_db(b).await;
    assert!(t.db.session_insert(&SessionRow { id: "s1".into(), data: "{}".into(), expiry_date: 100 }).await.unwrap());
    assert!(!t.db.session_insert(&SessionRow { id: "s1".into(), data: "{}".into(), expiry_date: 100 }).await.unwrap());
    assert!(t.db.session_load("s1", 50).await.unwrap().is_some());
    assert!(t.db.session_load("s1", 100).await.unwrap().is_none(), "expired");
    assert_eq!(t.db.sessions_purge(200).await.unwrap(), 1);

    let (u, o) = user("owner@example.com");
    t.db.create_user(&u, &o).await.unwrap();
    let (u2, o2) = user("guest@example.com");
    t.db.create_user(&u2, &o2).await.unwrap();
    let (u3, o3) = user("third@example.com");
    t.db.create_user(&u3, &o3).await.unwrap();
    let inv = InviteRow {
        id: "i1".into(),
        org_id: o.id.clone(),
        token_hash: "th".into(),
        role: "member".into(),
        created_by: u.id.clone(),
        created_at: 1,
        expires_at: 1000,
        accepted_by: None,
        accepted_at: None,
        revoked: false,
    };
    t.db.create_invite(&inv).await.unwrap();
    assert_eq!(t.db.open_invites(&o.id, 10).await.unwrap().len(), 1);
    assert!(!t.db.accept_invite("i1", &u2.id, 2000).await.unwrap(), "expired invite");
    assert!(t.db.accept_invite("i1", &u2.id, 10).await.unwrap());
    assert!(!t.db.accept_invite("i1", &u3.id, 11).await.unwrap(), "used once");
    assert_eq!(t.db.role_in(&o.id, &u2.id).await.unwrap().as_deref(), Some("member"));
    assert!(t.db.role_in(&o.id, &u3.id).await.unwrap().is_none());
    assert_eq!(t.db.members(&o.id).await.unwrap().len(), 2);
});

fn logged(id: &str, org: &str, key: &str, cost: i64, at: i64) -> RequestRecord {
    RequestRecord {
        id: id.into(),
        org_id: org.into(),
        key_id: Some(key.into()),
        created_at: at,
        protocol: "openai".into(),
        model_requested: "m".into(),
        status: 200,
        cost_units: cost,
        ..RequestRecord::default()
    }
}

/// A user's organization with `units` on its balance and one key, `key_id`.
async fn funded_org_with_key(t: &TestDb, email: &str, units: i64, key_id: &str) -> OrgRow {
    let (u, o) = user(email);
    t.db.create_user(&u, &o).await.unwrap();
    t.db.append(&entry(&o.id, units, "top-up")).await.unwrap();
    t.db.insert_key(&key(key_id, &format!("hash-{key_id}"), &o, &u)).await.unwrap();
    o
}

// A batch written again (the writer retries one whose commit it could not confirm) with
// new records among the old: each request is logged and charged once, the balance, the
// key's spend and the ledger move by the new ones only, in one and in many statements.
both!(a_batch_with_records_written_before_charges_only_the_new_ones, |b| async move {
    let t = test_db(b).await;
    let o = funded_org_with_key(&t, "a@example.com", 1_000_000, "k1").await;
    let first: Vec<_> = (0..70).map(|i| logged(&format!("r{i:03}"), &o.id, "k1", 10 + i, 100 + i)).collect();
    let moved = t.db.record_batch(&first).await.unwrap();
    let first_cost: i64 = first.iter().map(|r| r.cost_units).sum();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].balance, 1_000_000 - first_cost);
    // the same 70 again, with 5 new ones in the middle and 1 at the end
    let mut again = first.clone();
    let new: Vec<_> = (70..76).map(|i| logged(&format!("r{i:03}"), &o.id, "k1", 1_000 + i, 100 + i)).collect();
    again.splice(30..30, new[..5].iter().cloned());
    again.push(new[5].clone());
    let moved = t.db.record_batch(&again).await.unwrap();
    let new_cost: i64 = new.iter().map(|r| r.cost_units).sum();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].balance, 1_000_000 - first_cost - new_cost);
    // nothing new at all: nothing moves
    assert!(t.db.record_batch(&again[..40]).await.unwrap().is_empty());
    let totals = t.db.totals(&o.id).await.unwrap();
    assert_eq!(totals.balance_units, 1_000_000 - first_cost - new_cost);
    assert_eq!(totals.balance_units, totals.sum_units, "cached balance equals the ledger's sum");
    assert_eq!(t.db.entry_count(&o.id).await.unwrap(), 1 + 76, "one charge per request");
    assert_eq!(t.db.key_by_id(&o.id, "k1").await.unwrap().unwrap().spend_units, first_cost + new_cost);
    let logs = t
        .db
        .request_logs(&LogQuery { org_id: o.id.clone(), since: 0, until: 10_000, limit: 1_000, ..LogQuery::default() })
        .await
        .unwrap();
    assert_eq!(logs.len(), 76);
});

// The request-log writer's own connection (on SQLite, rusqlite on the writer's thread; on
// PostgreSQL, a small pool of its own): what it writes the store sees, and the reverse.
both!(the_log_writers_connection_writes_and_reads_what_the_store_does, |b| async move {
    let t = test_db(b).await;
    let o = funded_org_with_key(&t, "w@example.com", 500_000, "kw").await;
    let mut writer = t.db.log_writer();
    let batch: Vec<_> = (0..9).map(|i| logged(&format!("w{i}"), &o.id, "kw", 100 + i, 50 + i)).collect();
    let cost: i64 = batch.iter().map(|r| r.cost_units).sum();
    let moved = writer.record_batch(&batch).await.unwrap();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].balance, 500_000 - cost);
    assert_eq!(writer.org_balance(&o.id).await.unwrap(), t.db.org_balance(&o.id).await.unwrap());
    assert_eq!(writer.org_balance(&o.id).await.unwrap().map(|(b, _)| b), Some(500_000 - cost));
    assert_eq!(writer.org_balance("no-such-org").await.unwrap(), None);
    // written by the writer, seen as written by the store: nothing moves twice
    assert!(t.db.record_batch(&batch[3..]).await.unwrap().is_empty());
    // a top-up through the store, then the writer reads the new balance
    t.db.append(&entry(&o.id, 1_000, "top-up-2")).await.unwrap();
    assert_eq!(writer.org_balance(&o.id).await.unwrap().map(|(b, _)| b), Some(501_000 - cost));
    assert_eq!(t.db.key_by_id(&o.id, "kw").await.unwrap().unwrap().spend_units, cost);
    assert_eq!(t.db.entry_count(&o.id).await.unwrap(), 2 + 9, "two top-ups and one charge per request");
});

// A record whose organization is gone (deleted while its request ran) can never be written:
// the error says so, so that the log writer gives it up at once instead of retrying it for
// seconds while the queue behind it waits; the batch it came in fails whole, nothing of it
// is left written.
both!(a_record_for_a_missing_organization_fails_for_good, |b| async move {
    let t = test_db(b).await;
    let o = funded_org_with_key(&t, "gone@example.com", 1_000, "kg").await;
    let batch = [logged("g1", &o.id, "kg", 10, 1), logged("g2", "org-deleted", "kg", 10, 2)];
    let from_store = t.db.record_batch(&batch).await.expect_err("the organization does not exist");
    assert!(!from_store.is_transient(), "{from_store}");
    let from_writer = t.db.log_writer().record_batch(&batch).await.expect_err("the organization does not exist");
    assert!(!from_writer.is_transient(), "{from_writer}");
    assert_eq!(t.db.entry_count(&o.id).await.unwrap(), 1, "no charge of the failed batch");
    let q = LogQuery { org_id: o.id.clone(), since: 0, until: i64::MAX, limit: 10, ..LogQuery::default() };
    assert_eq!(t.db.log_totals(&q).await.unwrap().requests, 0);
});

// A database that cannot be reached is worth trying again.
#[tokio::test]
async fn an_unreachable_database_is_a_passing_error() {
    use sqlx::Connection;
    let refused = sqlx::PgConnection::connect("postgres://gateai:gateai@127.0.0.1:1/none").await.err().expect("nothing listens on port 1");
    let err = StoreError::Database(refused);
    assert!(err.is_transient(), "{err}");
}

// The log writer opens the database file from a connection of its own: a database that
// lives only in one pool's memory is refused at start, with what to do instead.
#[tokio::test]
async fn an_in_memory_sqlite_database_is_refused_with_a_clear_message() {
    for url in ["sqlite::memory:", "sqlite://file.db?mode=memory"] {
        let err = gateai::storage::connect(url).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("in-memory SQLite database cannot be used"), "{url}: {err}");
    }
}
