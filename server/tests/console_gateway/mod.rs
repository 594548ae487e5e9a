//! The console's gateway pages end to end: the marketplace, the activity log and the
//! dashboard's spend, key budgets, the admin catalog (changes apply to the next request) and the
//! providers' view; each checked for who may see or change what.

mod activity;
mod budgets;
mod catalog;
mod free_usage;
mod guardrails;
mod marketplace;

use crate::common::Client;
use crate::gateway::harness::Gw;
use serde_json::Value;

pub const PASSWORD: &str = "correct horse battery";

/// The gateway user's console session (the harness signs them up with [`PASSWORD`]).
pub async fn owner(gw: &Gw) -> Client {
    let members = gw.app.db.members(&gw.org).await.expect("members");
    let email = members[0].email.clone();
    let c = gw.app.client();
    let a = c.call("sign_in", &[("email", &email), ("password", PASSWORD)]).await;
    assert!(a.status < 400, "sign in failed: {a:?}");
    c
}

/// An instance administrator's console session.
pub async fn admin(gw: &Gw) -> Client {
    let email = format!("admin-{}@example.com", uuid::Uuid::new_v4().simple());
    gateai::accounts::users::create_user(&gw.app.db, &email, Some(PASSWORD), true).await.expect("admin");
    let c = gw.app.client();
    let a = c.call("sign_in", &[("email", &email), ("password", PASSWORD)]).await;
    assert!(a.status < 400, "sign in failed: {a:?}");
    c
}

/// Calls a server function whose argument is a struct (`filter[key]=…`, raw brackets as
/// serde_qs reads them).
pub async fn call_qs(c: &Client, name: &str, pairs: &[(&str, &str)]) -> crate::common::Answer {
    // an empty struct is no argument at all for serde_qs: always send the page
    let page = [("filter[page]", "1")];
    let body = pairs
        .iter()
        .chain(page.iter().filter(|_| !pairs.iter().any(|(k, _)| *k == "filter[page]")))
        .map(|(k, v)| format!("{k}={}", url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
        .collect::<Vec<_>>()
        .join("&");
    let r = c
        .http
        .post(format!("{}/console/api/{name}", c.base))
        .header("origin", c.base.clone())
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("send");
    Client::answer(r).await
}

/// The field an `Invalid` console error is about.
pub fn field(body: &Value) -> Option<&str> {
    body.get("Invalid").and_then(|i| i["field"].as_str())
}
