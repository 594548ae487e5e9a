//! Sign-up, sign-in, sessions, CSRF, throttling, organizations and keys through the
//! console's own HTTP endpoints (the server functions a browser calls).

use crate::both;
use crate::common::*;

both!(sign_up_sign_in_sign_out, |b| async move {
    let app = spawn(b).await;
    let (c, v) = app.user("Ada@Example.com").await;
    assert_eq!(v["email"], "ada@example.com");
    assert_eq!(v["org"]["role"], "owner");
    assert_eq!(v["org"]["personal"], true);

    let csrf = c.csrf().await;
    let out = c.call("sign_out", &[("csrf", &csrf)]).await;
    assert!(out.status < 400, "{out:?}");
    assert_eq!(c.call("get_viewer", &[]).await.body, serde_json::Value::Null);

    let c2 = app.client();
    let a = c2.call("sign_in", &[("email", "ada@example.com"), ("password", "correct horse battery")]).await;
    assert!(a.status < 400, "{a:?}");
    assert_eq!(c2.viewer().await["email"], "ada@example.com");
});

both!(bad_sign_up_and_sign_in_get_clear_4xx, |b| async move {
    let app = spawn(b).await;
    let c = app.client();
    let cases: &[(&str, &str, &str, u16, &str)] = &[
        ("sign_up", "not-an-email", "correct horse battery", 400, "email"),
        ("sign_up", "ada@example.com", "short", 400, "at least 10 characters"),
        ("sign_up", "", "correct horse battery", 400, "email"),
    ];
    for (f, email, pw, status, needle) in cases {
        let a = c.call(f, &[("email", email), ("password", pw)]).await;
        assert_eq!(a.status, *status, "{f} {email}: {a:?}");
        assert!(a.message().contains(needle), "{f} {email}: {}", a.message());
    }
    app.user("ada@example.com").await;
    let dup = c.call("sign_up", &[("email", "ada@example.com"), ("password", "another long password")]).await;
    assert_eq!(dup.status, 400);
    assert!(dup.message().contains("already exists"), "{}", dup.message());
    let wrong = c.call("sign_in", &[("email", "ada@example.com"), ("password", "not the password")]).await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.message(), "wrong email or password");
    let nobody = c.call("sign_in", &[("email", "nobody@example.com"), ("password", "not the password")]).await;
    assert_eq!(nobody.message(), "wrong email or password", "same answer: no account enumeration");
    assert_eq!(app.db.user_count().await.unwrap(), 1, "nothing created by the bad requests");
});

both!(sign_in_is_throttled_per_account, |b| async move {
    let app = spawn(b).await;
    app.user("ada@example.com").await;
    let c = app.client();
    for _ in 0..5 {
        let a = c.call("sign_in", &[("email", "ada@example.com"), ("password", "wrong wrong wrong")]).await;
        assert_eq!(a.status, 400);
    }
    let a = c.call("sign_in", &[("email", "ada@example.com"), ("password", "correct horse battery")]).await;
    assert_eq!(a.status, 429, "{a:?}");
    assert!(a.message().contains("too many failed sign-in attempts"), "{}", a.message());
});

both!(forged_csrf_and_cross_site_writes_are_refused, |b| async move {
    let app = spawn(b).await;
    let (c, _) = app.user("ada@example.com").await;
    let forged = c.call("create_key", &[("csrf", "forged"), ("name", "x"), ("expires_at", "")]).await;
    assert_eq!(forged.status, 403, "{forged:?}");
    let csrf = c.csrf().await;
    let cross = c
        .http
        .post(format!("{}/console/api/create_key", c.base))
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str()), ("name", "x"), ("expires_at", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    let keys = c.call("list_keys", &[]).await;
    assert_eq!(keys.body.as_array().unwrap().len(), 0, "nothing created");
});

both!(expired_or_missing_session_is_unauthorized, |b| async move {
    let app = spawn(b).await;
    let (c, _) = app.user("ada@example.com").await;
    // The session's row disappears (expiry purge): the cookie no longer signs anyone in.
    app.db.sessions_purge(i64::MAX).await.unwrap();
    let a = c.call("list_keys", &[]).await;
    assert_eq!(a.status, 401, "{a:?}");
    let anon = app.client().call("dashboard", &[]).await;
    assert_eq!(anon.status, 401);
});

both!(keys_are_shown_once_and_owned_by_their_org, |b| async move {
    let app = spawn(b).await;
    let (ada, _) = app.user("ada@example.com").await;
    let csrf = ada.csrf().await;
    let created = ada.call("create_key", &[("csrf", &csrf), ("name", "laptop"), ("expires_at", "")]).await;
    assert_eq!(created.status, 200, "{created:?}");
    let secret = created.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("sk-or-v1-") && secret.len() == 73);
    let id = created.body["info"]["id"].as_str().unwrap().to_string();
    let list = ada.call("list_keys", &[]).await;
    assert!(!list.text.contains(&secret[9..]), "the secret is never listed");
    assert_eq!(list.body[0]["status"], "active");
    // stored as a keyed hash only
    let org = ada.viewer().await["org"]["id"].as_str().unwrap().to_string();
    let row = app.db.key_by_id(&org, &id).await.unwrap().unwrap();
    assert_eq!(row.key_hash, app.state.keys.hash(&secret));
    assert!(!row.key_hash.contains(&secret[9..]) && !row.prefix.contains(&secret[9..]));
    assert!(app.state.keys.authenticate(&secret).await.is_ok());

    // Another person can neither see nor change it.
    let (bob, _) = app.user("bob@example.com").await;
    let bob_csrf = bob.csrf().await;
    assert_eq!(bob.call("list_keys", &[]).await.body.as_array().unwrap().len(), 0);
    let steal = bob.call("change_key", &[("csrf", &bob_csrf), ("key_id", &id), ("action", "revoke")]).await;
    assert_eq!(steal.status, 404, "{steal:?}");
    assert!(app.state.keys.authenticate(&secret).await.is_ok(), "still active");

    // Disable, enable, revoke; then it is refused.
    for (action, status) in [("disable", "disabled"), ("enable", "active"), ("revoke", "revoked")] {
        let a = ada.call("change_key", &[("csrf", &csrf), ("key_id", &id), ("action", action)]).await;
        assert_eq!(a.status, 200, "{action}: {a:?}");
        assert_eq!(a.body["status"], status);
    }
    assert!(app.state.keys.authenticate(&secret).await.is_err());
    let again = ada.call("change_key", &[("csrf", &csrf), ("key_id", &id), ("action", "enable")]).await;
    assert_eq!(again.status, 409);
    let bad = ada.call("create_key", &[("csrf", &csrf), ("name", " "), ("expires_at", "")]).await;
    assert_eq!(bad.status, 400);
    let past = ada.call("create_key", &[("csrf", &csrf), ("name", "old"), ("expires_at", "2001-01-01")]).await;
    assert_eq!(past.status, 400);
    assert!(past.message().contains("future"));
});

both!(invalid_keys_are_refused_whatever_the_reason, |b| async move {
    use gateai::accounts::KeyAuthError;
    let app = spawn(b).await;
    let (ada, v) = app.user("ada@example.com").await;
    let _ = ada;
    let org = v["org"]["id"].as_str().unwrap();
    let uid = v["user_id"].as_str().unwrap();
    let keys = &app.state.keys;
    let (_, active) = keys.create(org, uid, "a", None, None, false).await.unwrap();
    let (_, expired) = keys.create(org, uid, "e", Some(gateai::clock::now() - 1), None, false).await.unwrap();
    let (d, disabled) = keys.create(org, uid, "d", None, None, false).await.unwrap();
    keys.set_status(org, &d.id, "disabled").await.unwrap();
    let (r, revoked) = keys.create(org, uid, "r", None, None, false).await.unwrap();
    keys.set_status(org, &r.id, "revoked").await.unwrap();
    assert!(keys.authenticate(&active).await.is_ok());
    let unknown = gateai::accounts::api_keys::generate();
    for k in [&expired, &disabled, &revoked, &unknown, &"sk-or-v1-short".to_string(), &String::new()] {
        assert_eq!(keys.authenticate(k).await.unwrap_err(), KeyAuthError::Invalid, "{k}");
    }
    assert_eq!(KeyAuthError::Invalid.to_string(), "invalid api key");
});

both!(organizations_invites_and_roles, |b| async move {
    let app = spawn(b).await;
    let (ada, _) = app.user("ada@example.com").await;
    let csrf = ada.csrf().await;
    let org = ada.call("create_org", &[("csrf", &csrf), ("name", "Acme")]).await;
    assert_eq!(org.status, 200, "{org:?}");
    assert_eq!(ada.viewer().await["org"]["name"], "Acme");
    let inv = ada.call("create_invite", &[("csrf", &csrf), ("role", "member")]).await;
    assert_eq!(inv.status, 200, "{inv:?}");
    let link = inv.body["link"].as_str().unwrap().to_string();
    let token = link.rsplit('/').next().unwrap().to_string();

    let (bob, _) = app.user("bob@example.com").await;
    let bob_csrf = bob.csrf().await;
    let acc = bob.call("accept_invite", &[("csrf", &bob_csrf), ("token", &token)]).await;
    assert_eq!(acc.status, 200, "{acc:?}");
    let bv = bob.viewer().await;
    assert_eq!(bv["org"]["name"], "Acme");
    assert_eq!(bv["org"]["role"], "member");
    // a member cannot invite or change roles
    let no = bob.call("create_invite", &[("csrf", &bob_csrf), ("role", "member")]).await;
    assert_eq!(no.status, 403);
    let ada_id = ada.viewer().await["user_id"].as_str().unwrap().to_string();
    let no2 = bob.call("set_member_role", &[("csrf", &bob_csrf), ("user_id", &ada_id), ("role", "member")]).await;
    assert_eq!(no2.status, 403);
    // the invite was single-use
    let (carol, _) = app.user("carol@example.com").await;
    let cc = carol.csrf().await;
    let used = carol.call("accept_invite", &[("csrf", &cc), ("token", &token)]).await;
    assert_eq!(used.status, 400);
    // carol cannot switch into Acme
    let acme = bv["org"]["id"].as_str().unwrap().to_string();
    let sw = carol.call("switch_org", &[("csrf", &cc), ("org_id", &acme)]).await;
    assert_eq!(sw.status, 404);
    // the last owner cannot step down
    let last = ada.call("set_member_role", &[("csrf", &csrf), ("user_id", &ada_id), ("role", "admin")]).await;
    assert_eq!(last.status, 400, "{last:?}");
    // owner promotes bob to admin; keys made in Acme are Acme's
    let bob_id = bv["user_id"].as_str().unwrap().to_string();
    let up = ada.call("set_member_role", &[("csrf", &csrf), ("user_id", &bob_id), ("role", "admin")]).await;
    assert_eq!(up.status, 200, "{up:?}");
    let k = bob.call("create_key", &[("csrf", &bob_csrf), ("name", "acme-ci"), ("expires_at", "")]).await;
    assert_eq!(k.status, 200);
    assert_eq!(ada.call("list_keys", &[]).await.body.as_array().unwrap().len(), 1);
    assert_eq!(carol.call("list_keys", &[]).await.body.as_array().unwrap().len(), 0);
});

#[tokio::test(flavor = "multi_thread")]
async fn session_cookie_flags_follow_the_public_url() {
    for (public, secure) in [(None, false), (Some("https://gate.example.test"), true)] {
        let app = spawn_with(Backend::Sqlite, |c| c.public_url = public.map(String::from)).await;
        let r = reqwest::Client::new()
            .post(format!("{}/console/api/sign_up", app.url))
            .header("accept", "application/json")
            .form(&[("email", "ada@example.com"), ("password", "correct horse battery")])
            .send()
            .await
            .unwrap();
        let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
        assert!(cookie.starts_with("gateai_session="), "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
    }
}
