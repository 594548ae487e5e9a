//! The operator CLI, run as a process against the same database as a running server.

use crate::common::*;
use std::process::Command;

fn gateai(app: &TestApp, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gateai"))
        .args(args)
        .env("DATABASE_URL", app.state.config.database_url())
        .env("GATEAI_DATA_DIR", &app.state.config.data_dir)
        .env("GATEAI_SECRET", app.state.config.secret.clone().unwrap())
        .env("GATEAI_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn cli_works_while_the_server_runs(b: Backend) {
    let app = spawn(b).await;
    let (code, out, err) = gateai(&app, &["admin", "create-user", "--email", "ops@example.com", "--password", "correct horse battery"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.trim().is_empty());

    let (code, key, _) = gateai(&app, &["admin", "create-key", "--email", "ops@example.com", "--name", "deploy", "--budget", "5"]);
    assert_eq!(code, 0);
    let key = key.trim_end_matches('\n');
    assert!(key.starts_with("sk-or-v1-") && key.len() == 73 && !key.contains('\n'), "only the key on stdout: {key:?}");
    // the running server accepts the key the CLI made
    assert!(app.state.keys.authenticate(key).await.is_ok());

    let (code, key, err) = gateai(&app, &["admin", "create-key", "--email", "ops@example.com", "--budget", "2.5", "--budget-reset", "weekly"]);
    assert_eq!(code, 0, "{err}");
    let k = app.state.keys.authenticate(key.trim()).await.unwrap();
    assert_eq!((k.budget_units, k.budget_period), (Some(25_000_000_000), gateai::controls::Period::Weekly));
    assert!(!k.management);
    let (code, key, err) = gateai(&app, &["admin", "create-key", "--email", "ops@example.com", "--management"]);
    assert_eq!(code, 0, "{err}");
    assert!(app.state.keys.authenticate(key.trim()).await.unwrap().management);

    let (code, out, _) = gateai(&app, &["admin", "credit", "--email", "ops@example.com", "--amount", "12.5", "--note", "welcome"]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "12.5000000000");

    let (code, out, _) = gateai(&app, &["admin", "redeem-code", "--amount", "3", "--count", "4"]);
    assert_eq!(code, 0);
    let codes: Vec<&str> = out.lines().collect();
    assert_eq!(codes.len(), 4);
    assert!(codes.iter().all(|c| c.starts_with("GATE-")));

    for bad in [
        vec!["admin", "credit", "--email", "ops@example.com", "--amount", "-3"],
        vec!["admin", "credit", "--email", "ops@example.com", "--amount", "abc"],
        vec!["admin", "credit", "--email", "nobody@example.com", "--amount", "3"],
        vec!["admin", "create-user", "--email", "not-an-email", "--password", "correct horse battery"],
        vec!["admin", "create-user", "--email", "ops@example.com", "--password", "correct horse battery"],
        vec!["admin", "create-user", "--email", "x@example.com", "--password", "short"],
        vec!["admin", "redeem-code", "--amount", "3", "--count", "0"],
        vec!["admin", "create-key", "--email", "ops@example.com", "--budget", "-1"],
        vec!["admin", "create-key", "--email", "ops@example.com", "--budget", "1", "--budget-reset", "hourly"],
        vec!["admin", "create-key", "--email", "ops@example.com", "--budget-reset", "daily"],
    ] {
        let (code, out, err) = gateai(&app, &bad);
        assert_ne!(code, 0, "{bad:?} should fail");
        assert!(out.is_empty(), "{bad:?} printed {out}");
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{bad:?}: one line, got {err}");
        assert!(lines[0].starts_with("error: "), "{err}");
    }
    let org = app.db.personal_org(&app.db.user_by_email("ops@example.com").await.unwrap().unwrap().id).await.unwrap().unwrap();
    let t = app.db.totals(&org.id).await.unwrap();
    assert_eq!(t.balance_units, 125_000_000_000, "only the good credit was booked");
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_on_sqlite() {
    cli_works_while_the_server_runs(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_on_postgres() {
    if skip_postgres(Backend::Postgres) {
        return;
    }
    cli_works_while_the_server_runs(Backend::Postgres).await
}

#[tokio::test(flavor = "multi_thread")]
async fn first_start_prints_a_setup_link_and_env_admin_skips_it() {
    let app = spawn(Backend::Sqlite).await;
    let link = gateai::accounts::setup::on_start(&app.db, &app.state.hasher, &app.state.config).await.unwrap().unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let c = app.client();
    let bad = c.call("setup_admin", &[("token", "nope"), ("email", "root@example.com"), ("password", "correct horse battery")]).await;
    assert_eq!(bad.status, 400);
    let short = c.call("setup_admin", &[("token", token), ("email", "root@example.com"), ("password", "short")]).await;
    assert_eq!(short.status, 400, "a bad password does not use up the link");
    // many browsers racing with the same link: one admin
    let tries: Vec<_> = (0..8)
        .map(|i| {
            let c = app.client();
            let token = token.to_string();
            tokio::spawn(async move {
                let email = format!("racer{i}@example.com");
                c.call("setup_admin", &[("token", token.as_str()), ("email", email.as_str()), ("password", "correct horse battery")]).await.status
            })
        })
        .collect();
    let mut won = 0;
    for t in tries {
        if t.await.unwrap() < 400 {
            won += 1;
        }
    }
    assert_eq!(won, 1, "exactly one set-up succeeds");
    assert_eq!(app.db.user_count().await.unwrap(), 1);
    assert!(app.db.list_users().await.unwrap()[0].is_admin);
    let reuse = app.client().call("setup_admin", &[("token", token), ("email", "x@example.com"), ("password", "correct horse battery")]).await;
    assert_eq!(reuse.status, 400, "the link works once");
    assert!(gateai::accounts::setup::on_start(&app.db, &app.state.hasher, &app.state.config).await.unwrap().is_none());

    let app2 = spawn_with(Backend::Sqlite, |c| {
        c.admin_email = Some("boss@example.com".into());
        c.admin_password = Some("correct horse battery".into());
    })
    .await;
    assert!(gateai::accounts::setup::on_start(&app2.db, &app2.state.hasher, &app2.state.config).await.unwrap().is_none());
    assert!(app2.db.user_by_email("boss@example.com").await.unwrap().unwrap().is_admin);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_api_paths_answer_in_json() {
    let app = spawn(Backend::Sqlite).await;
    let c = app.client();
    let a = c.get("/openai/v1/nope").await;
    assert_eq!(a.status, 404);
    assert_eq!(a.body["error"]["message"], "unknown api path");
    let b = c.get("/anthropic/v1/nope").await;
    assert_eq!(b.body, serde_json::json!({"type": "error", "error": {"type": "not_found_error", "message": "unknown api path"}}));
    assert!(a.headers.get("x-request-id").is_some());
}
