//! The console's webhook endpoints: members see their organization's masked secret, the whole
//! one on request, and its deliveries with every attempt; only owners and admins rotate (with
//! the session's CSRF token); another organization sees none of it; visitors get 401.

use super::*;
use crate::both;
use crate::console_gateway::owner;

async fn page(c: &crate::common::Client) -> crate::common::Answer {
    c.call("webhooks", &[("page", "1")]).await
}

async fn reveal(c: &crate::common::Client) -> String {
    let a = c.call("reveal_webhook_secret", &[]).await;
    assert_eq!(a.status, 200, "{a:?}");
    a.body["secret"].as_str().unwrap().to_string()
}

both!(an_organization_sees_only_its_own_secret_and_deliveries, |b| async move {
    let rx = Receiver::start().await;
    rx.answer(&[503]);
    let gw = webhook_gateway(b, |_| {}).await;
    let id = submit_ok(&gw, &body_with_hook("console", &rx.url("/hook"))).await;
    let (d, _) = wait_delivery(&gw, &id, "delivered", |d, _| d.status == "delivered").await;

    let owner = owner(&gw).await;
    let p = page(&owner).await;
    assert_eq!(p.status, 200, "{p:?}");
    let secret = reveal(&owner).await;
    assert_eq!(secret, org_secret(&gw).await);
    assert!(secret.starts_with("whsec_") && secret.len() == 6 + 64, "{secret}");
    let hint = p.body["secret_hint"].as_str().unwrap();
    assert_eq!(hint, format!("whsec_…{}", &secret[secret.len() - 4..]));
    assert!(!p.text.contains(&secret), "the page itself carries only the masked secret");
    assert_eq!(p.body["can_rotate"], true);
    let list = p.body["deliveries"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let row = &list[0];
    assert_eq!((row["id"].as_str(), row["job_id"].as_str()), (Some(d.id.as_str()), Some(id.as_str())));
    assert_eq!((row["status"].as_str(), row["event"].as_str()), (Some("delivered"), Some("video.completed")));
    assert_eq!(row["url"], rx.url("/hook").as_str());
    assert!(row["next_attempt_at"].is_null() && row["finished_at"].is_string());
    let attempts = row["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!((attempts[0]["status_code"].as_u64(), attempts[0]["ok"].as_bool()), (Some(503), Some(false)));
    assert_eq!(attempts[0]["error"], "HTTP 503");
    assert_eq!((attempts[1]["status_code"].as_u64(), attempts[1]["ok"].as_bool()), (Some(200), Some(true)));
    assert!(attempts[1]["at"].as_str().unwrap().ends_with('Z'));

    // another organization: its own secret, none of these deliveries
    let (other, _) = gw.app.user(&format!("wh-other-{}@example.com", uuid::Uuid::new_v4().simple())).await;
    let theirs = page(&other).await;
    assert_eq!(theirs.status, 200, "{theirs:?}");
    assert_eq!(theirs.body["deliveries"].as_array().unwrap().len(), 0);
    let their_secret = reveal(&other).await;
    assert_ne!(their_secret, secret);
    assert!(!theirs.text.contains(&d.id) && !theirs.text.contains(&id));
    // the HTML page of another organization shows none of it either
    let html = other.get("/webhooks").await;
    assert_eq!(html.status, 200);
    assert!(!html.text.contains(&d.id) && !html.text.contains(&secret) && !html.text.contains(hint));

    // a visitor gets nothing
    let visitor = gw.app.client();
    assert_eq!(page(&visitor).await.status, 401);
    assert_eq!(visitor.call("reveal_webhook_secret", &[]).await.status, 401);
    assert_eq!(visitor.call("rotate_webhook_secret", &[("csrf", "x")]).await.status, 401);
});

both!(only_owners_and_admins_rotate_and_the_next_delivery_signs_with_the_new_secret, |b| async move {
    let rx = Receiver::start().await;
    let gw = webhook_gateway(b, |_| {}).await;
    let owner = owner(&gw).await;
    let before = reveal(&owner).await;

    // a member of the organization reads the secret and the log, but cannot rotate
    let (member, v) = gw.app.user(&format!("wh-member-{}@example.com", uuid::Uuid::new_v4().simple())).await;
    gw.app.db.add_member(&gw.org, v["user_id"].as_str().unwrap(), "member", gateai::clock::now()).await.unwrap();
    let mcsrf = member.csrf().await;
    assert_eq!(member.call("switch_org", &[("csrf", &mcsrf), ("org_id", &gw.org)]).await.status, 200);
    let mp = page(&member).await;
    assert_eq!((mp.status, mp.body["can_rotate"].as_bool()), (200, Some(false)), "{mp:?}");
    assert_eq!(reveal(&member).await, before);
    let no = member.call("rotate_webhook_secret", &[("csrf", &mcsrf)]).await;
    assert_eq!(no.status, 403, "{no:?}");
    assert!(no.message().contains("only owners and admins"), "{}", no.message());

    // the owner needs the session's CSRF token
    let bad = owner.call("rotate_webhook_secret", &[("csrf", "not-the-token")]).await;
    assert_eq!(bad.status, 403, "{bad:?}");
    assert_eq!(reveal(&owner).await, before);
    let csrf = owner.csrf().await;
    let rotated = owner.call("rotate_webhook_secret", &[("csrf", &csrf)]).await;
    assert_eq!(rotated.status, 200, "{rotated:?}");
    let after = rotated.body["secret"].as_str().unwrap().to_string();
    assert!(after.starts_with("whsec_") && after != before);
    assert!(rotated.body["rotated_at"].is_string());
    assert_eq!(reveal(&member).await, after);
    let audit = gw.app.db.audit_entries(&gw.org, 0, 10).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "webhook.rotate_secret" && !e.detail.contains(&after)), "{audit:?}");

    // deliveries from now on are signed with the new secret only
    let id = submit_ok(&gw, &body_with_hook("after rotation", &rx.url("/hook"))).await;
    let (d, _) = wait_delivery(&gw, &id, "delivered", |d, _| d.status == "delivered").await;
    let c = &rx.wait_for(1).await[0];
    assert_signed(c, &after, &d.id);
    let sig = c.header("x-gateai-signature");
    assert!(!gateai::video::webhooks::sign::verify(&before, &sig, &c.body, gateai::clock::now()));
});
