//! Money through the HTTP surface: redemption codes, the payment webhook, balances.

use crate::both;
use crate::common::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn sign(secret: &str, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn webhook(app: &TestApp, body: &str, signature: Option<String>) -> Answer {
    let mut r = reqwest::Client::new()
        .post(format!("{}/api/v1/payments/webhook", app.url))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(s) = signature {
        r = r.header("x-gateai-payment-signature", s);
    }
    Client::answer(r.send().await.unwrap()).await
}

both!(payment_webhook_credits_once_and_checks_its_signature, |b| async move {
    let app = spawn(b).await;
    let (ada, v) = app.user("ada@example.com").await;
    let org = v["org"]["id"].as_str().unwrap();
    let body = format!(r#"{{"payment_id":"pay_123","org_id":"{org}","amount":"25.50","currency":"USD","status":"succeeded"}}"#);

    let bad = webhook(&app, &body, Some(sign("wrong-secret", &body))).await;
    assert_eq!(bad.status, 401, "{bad:?}");
    let missing = webhook(&app, &body, None).await;
    assert_eq!(missing.status, 401);
    let tampered = webhook(&app, &body.replace("25.50", "2550.00"), Some(sign("whsec-test", &body))).await;
    assert_eq!(tampered.status, 401);

    let ok = webhook(&app, &body, Some(sign("whsec-test", &body))).await;
    assert_eq!((ok.status, ok.body["status"].as_str()), (200, Some("credited")), "{ok:?}");
    for _ in 0..3 {
        let replay = webhook(&app, &body, Some(sign("whsec-test", &body))).await;
        assert_eq!(replay.body["status"], "already_credited");
    }
    let dash = ada.call("dashboard", &[]).await;
    assert_eq!(dash.body["balance"], "25.5000000000", "{dash:?}");
    assert_eq!(dash.body["total_credited"], "25.5000000000");

    let neg = format!(r#"{{"payment_id":"pay_neg","org_id":"{org}","amount":"-5","status":"succeeded"}}"#);
    assert_eq!(webhook(&app, &neg, Some(sign("whsec-test", &neg))).await.status, 400);
    let nan = format!(r#"{{"payment_id":"pay_nan","org_id":"{org}","amount":"lots","status":"succeeded"}}"#);
    assert_eq!(webhook(&app, &nan, Some(sign("whsec-test", &nan))).await.status, 400);
    let ghost = r#"{"payment_id":"pay_g","org_id":"nope","amount":"5","status":"succeeded"}"#;
    assert_eq!(webhook(&app, ghost, Some(sign("whsec-test", ghost))).await.status, 404);
    let failed = format!(r#"{{"payment_id":"pay_f","org_id":"{org}","amount":"5","status":"failed"}}"#);
    assert_eq!(webhook(&app, &failed, Some(sign("whsec-test", &failed))).await.body["status"], "ignored");
    let t = app.db.totals(org).await.unwrap();
    assert_eq!(t.balance_units, 255_000_000_000);
    assert_eq!(t.balance_units, t.sum_units);
});

both!(redemption_codes_through_the_console, |b| async move {
    let app = spawn(b).await;
    let codes = gateai::billing::redemption::create(
        &app.db,
        &app.state.hasher,
        app::types::Usd::parse_positive("10").unwrap(),
        2,
        None,
    )
    .await
    .unwrap();
    let (ada, _) = app.user("ada@example.com").await;
    let csrf = ada.csrf().await;
    // typed in lower case with spaces: still the code
    let typed = codes[0].code.to_lowercase().replace('-', " ");
    let r = ada.call("redeem_code", &[("csrf", &csrf), ("code", &typed)]).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["amount"], "10.0000000000");
    let again = ada.call("redeem_code", &[("csrf", &csrf), ("code", &codes[0].code)]).await;
    assert_eq!(again.status, 400);
    assert!(again.message().contains("already been used"));
    let unknown = ada.call("redeem_code", &[("csrf", &csrf), ("code", "GATE-AAAA-BBBB-CCCC-DDDD")]).await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.message().contains("does not exist"));
    let ledger = ada.call("ledger", &[("page", "1")]).await;
    assert_eq!(ledger.body["total"], 1, "{ledger:?}");
    assert_eq!(ledger.body["entries"][0]["kind"], "redemption");
    // Only instance admins make codes.
    let no = ada.call("admin_create_codes", &[("csrf", &csrf), ("amount", "5"), ("count", "1")]).await;
    assert_eq!(no.status, 403);
});

both!(admins_make_codes_with_validated_amounts, |b| async move {
    let app = spawn(b).await;
    gateai::accounts::users::create_user(&app.db, "root@example.com", Some("correct horse battery"), true).await.unwrap();
    let c = app.client();
    let a = c.call("sign_in", &[("email", "root@example.com"), ("password", "correct horse battery")]).await;
    assert!(a.status < 400);
    let csrf = c.csrf().await;
    for (amount, count) in [("-5", "1"), ("abc", "1"), ("0", "1"), ("5", "0"), ("5", "x"), ("5", "100000")] {
        let r = c.call("admin_create_codes", &[("csrf", &csrf), ("amount", amount), ("count", count)]).await;
        assert_eq!(r.status, 400, "{amount} {count}: {r:?}");
    }
    let r = c.call("admin_create_codes", &[("csrf", &csrf), ("amount", "2.5"), ("count", "3")]).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body.as_array().unwrap().len(), 3);
    let listed = c.call("admin_codes", &[]).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 3);
    let full = r.body[0]["code"].as_str().unwrap();
    assert!(!listed.text.contains(full), "codes are listed by hint only");
});

both!(key_and_credits_endpoints_answer_for_the_calling_key, |b| async move {
    let app = spawn(b).await;
    let (ada, v) = app.user("ada@example.com").await;
    let org = v["org"]["id"].as_str().unwrap();
    let uid = v["user_id"].as_str().unwrap();
    let (_, secret) = app
        .state
        .keys
        .create(org, uid, "ci", None, Some(app::types::Usd::parse_positive("5").unwrap()), false)
        .await
        .unwrap();
    let body = format!(r#"{{"payment_id":"pay_k","org_id":"{org}","amount":"40","status":"succeeded"}}"#);
    assert_eq!(webhook(&app, &body, Some(sign("whsec-test", &body))).await.status, 200);
    let http = reqwest::Client::new();
    let key = Client::answer(http.get(format!("{}/api/v1/key", app.url)).bearer_auth(&secret).send().await.unwrap()).await;
    assert_eq!(key.status, 200, "{key:?}");
    assert_eq!(key.body["data"]["name"], "ci");
    assert_eq!(key.body["data"]["limit"], "5.0000000000");
    assert_eq!(key.body["data"]["limit_remaining"], "5.0000000000");
    assert_eq!(key.body["data"]["usage"], "0.0000000000");
    assert!(!key.text.contains(&secret[9..]), "never echoes the key");
    // x-api-key works too (Anthropic clients)
    let credits = Client::answer(http.get(format!("{}/api/v1/credits", app.url)).header("x-api-key", &secret).send().await.unwrap()).await;
    assert_eq!(credits.status, 200);
    assert_eq!(credits.body["data"]["total_credits"], "40.0000000000");
    assert_eq!(credits.body["data"]["balance"], "40.0000000000");
    assert_eq!(credits.body["data"]["total_usage"], "0.0000000000");
    // bad keys: 401 invalid api key, in the OpenAI envelope
    for bad in ["", "sk-or-v1-nope", &gateai::accounts::api_keys::generate()] {
        let r = Client::answer(http.get(format!("{}/api/v1/credits", app.url)).bearer_auth(bad).send().await.unwrap()).await;
        assert_eq!(r.status, 401);
        assert_eq!(r.body["error"]["message"], "invalid api key");
    }
    let none = Client::answer(http.get(format!("{}/api/v1/key", app.url)).send().await.unwrap()).await;
    assert_eq!(none.status, 401);
    let _ = ada;
});
