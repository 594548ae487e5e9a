//! Key budgets in the console: owners and admins set and clear them (audited), the gateway
//! follows from the next request; members only read them, another organization's key is not
//! found, and bad input changes nothing. The create-key form takes a budget, a reset period
//! and the management flag.

use super::*;
use crate::both;
use crate::common::Answer;
use crate::gateway::harness::gateway;
use serde_json::json;

async fn ask(gw: &Gw) -> crate::gateway::harness::Reply {
    gw.openai(json!({"model": "openai/gpt-5-mini", "max_tokens": 32, "messages": [{"role": "user", "content": "budget check"}]})).await
}

async fn set(c: &Client, key_id: &str, budget: &str, reset: &str) -> Answer {
    let csrf = c.csrf().await;
    c.call("set_key_budget", &[("csrf", &csrf), ("key_id", key_id), ("budget", budget), ("reset", reset)]).await
}

async fn the_key(gw: &Gw) -> gateai::storage::ApiKeyRow {
    gw.app.db.keys_of_org(&gw.org).await.unwrap().into_iter().find(|k| k.name == "test").unwrap()
}

async fn budget_audits(gw: &Gw, org: &str) -> Vec<String> {
    let rows = gw.app.db.audit_entries(org, 0, 100).await.unwrap();
    rows.into_iter().filter(|r| r.action == "key.budget").rev().map(|r| r.detail).collect()
}

both!(owners_set_and_clear_a_key_budget_and_the_gateway_follows, |b| async move {
    let gw = gateway(b).await;
    let owner = owner(&gw).await;
    let key = the_key(&gw).await;

    let list = owner.call("list_budgets", &[]).await;
    assert_eq!(list.status, 200, "{list:?}");
    assert_eq!(list.body["can_edit"], true);
    let row = &list.body["keys"][0];
    assert_eq!((row["name"].as_str(), row["budget"].is_null(), row["period"].as_str()), (Some("test"), true, Some("never")));
    assert!(row["resets_at"].is_null() && row["remaining"].is_null());

    let a = set(&owner, &key.id, "5", "daily").await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!((a.body["budget"].as_str(), a.body["period"].as_str()), (Some("5.0000000000"), Some("daily")));
    let next = gateai::controls::Period::Daily.next_reset(gateai::clock::now()).unwrap();
    assert_eq!(a.body["resets_at"], gateai::clock::rfc3339(next));
    let stored = the_key(&gw).await;
    assert_eq!((stored.budget_units, stored.budget_reset.as_deref()), (Some(50_000_000_000), Some("daily")));

    // a request counts against it; the page shows spend and what is left
    assert_eq!(ask(&gw).await.status, 200);
    gw.settled().await;
    let spent: i64 = gw.logs().await.iter().map(|l| l.cost_units).sum();
    assert!(spent > 0);
    let list = owner.call("list_budgets", &[]).await;
    let row = &list.body["keys"][0];
    assert_eq!(row["spend"], app::types::Usd::from_units(spent).to_string());
    assert_eq!(row["remaining"], app::types::Usd::from_units(50_000_000_000 - spent).to_string());

    // a tiny budget refuses the next request at once
    let a = set(&owner, &key.id, "0.0000000001", "monthly").await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body["remaining"], "0.0000000000");
    let r = ask(&gw).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error"]["message"], "api key budget quota exceeded");

    // cleared: the key works again
    let a = set(&owner, &key.id, "", "never").await;
    assert_eq!(a.status, 200, "{a:?}");
    assert!(a.body["budget"].is_null());
    assert_eq!(ask(&gw).await.status, 200);
    let stored = the_key(&gw).await;
    assert_eq!((stored.budget_units, stored.budget_reset), (None, None));

    // saving the same values again is no change
    assert_eq!(set(&owner, &key.id, "", "never").await.status, 200);
    assert_eq!(
        budget_audits(&gw, &gw.org).await,
        vec!["budget none → 5 USD daily", "budget 5 USD daily → 0.0000000001 USD monthly", "budget 0.0000000001 USD monthly → none"]
    );
    let entry = gw.app.db.audit_entries(&gw.org, 0, 1).await.unwrap().remove(0);
    let me = owner.viewer().await;
    assert_eq!((entry.actor_user_id.as_deref(), entry.target.as_str()), (me["user_id"].as_str(), key.id.as_str()));

    // the page renders on the server with the row and its form
    let html = owner.get("/budgets").await;
    assert_eq!(html.status, 200);
    assert!(html.text.contains(r#"data-testid="budget-row""#) && html.text.contains(r#"data-testid="budget-form""#));
});

both!(bad_budget_input_is_explained_next_to_its_field_and_changes_nothing, |b| async move {
    let gw = gateway(b).await;
    let owner = owner(&gw).await;
    let key = the_key(&gw).await;
    assert_eq!(set(&owner, &key.id, "5", "weekly").await.status, 200);
    let budget_field = format!("budget:{}", key.id);
    let reset_field = format!("reset:{}", key.id);
    for (budget, reset, wanted, words) in [
        ("-1", "never", &budget_field, "more than zero"),
        ("0", "never", &budget_field, "more than zero"),
        ("ten", "never", &budget_field, "plain number"),
        ("1e3", "never", &budget_field, "plain number"),
        ("0.00000000001", "never", &budget_field, "10 decimal places"),
        ("100000001", "never", &budget_field, "at most 100000000 USD"),
        ("", "daily", &reset_field, "a reset needs a budget"),
        ("5", "hourly", &reset_field, "never, daily, weekly or monthly"),
    ] {
        let a = set(&owner, &key.id, budget, reset).await;
        assert_eq!(a.status, 400, "{budget:?} {reset:?}: {a:?}");
        assert_eq!(field(&a.body), Some(wanted.as_str()), "{budget:?} {reset:?}");
        assert!(a.message().contains(words), "{budget:?} {reset:?}: {}", a.message());
    }
    // the largest budget is accepted
    assert_eq!(set(&owner, &key.id, "100000000", "weekly").await.status, 200);
    assert_eq!(set(&owner, &key.id, "5", "weekly").await.status, 200);
    // a forged form is refused
    let forged = owner.call("set_key_budget", &[("csrf", "forged"), ("key_id", &key.id), ("budget", "9"), ("reset", "never")]).await;
    assert_eq!(forged.status, 403, "{forged:?}");
    let stored = the_key(&gw).await;
    assert_eq!((stored.budget_units, stored.budget_reset.as_deref()), (Some(50_000_000_000), Some("weekly")));
    assert_eq!(budget_audits(&gw, &gw.org).await.len(), 3, "only the three saves that changed something");
});

both!(members_only_read_budgets_and_other_organizations_keys_are_not_found, |b| async move {
    let gw = gateway(b).await;
    let owner = owner(&gw).await;
    let key = the_key(&gw).await;

    // a team with a key, and a member in it
    let csrf = owner.csrf().await;
    let team = owner.call("create_org", &[("csrf", &csrf), ("name", "Budget team")]).await;
    assert_eq!(team.status, 200, "{team:?}");
    let team_id = team.body["id"].as_str().unwrap().to_string();
    let made = owner.call("create_key", &[("csrf", &csrf), ("name", "team-ci"), ("expires_at", "")]).await;
    assert_eq!(made.status, 200, "{made:?}");
    let team_key = made.body["info"]["id"].as_str().unwrap().to_string();
    let (member, v) = gw.app.user("budget-member@example.com").await;
    gw.app.db.add_member(&team_id, v["user_id"].as_str().unwrap(), "member", gateai::clock::now()).await.unwrap();
    let mcsrf = member.csrf().await;
    assert_eq!(member.call("switch_org", &[("csrf", &mcsrf), ("org_id", &team_id)]).await.status, 200);

    let list = member.call("list_budgets", &[]).await;
    assert_eq!(list.status, 200, "{list:?}");
    assert_eq!(list.body["can_edit"], false);
    assert_eq!(list.body["keys"][0]["key_id"], team_key.as_str());
    let no = set(&member, &team_key, "1", "daily").await;
    assert_eq!(no.status, 403, "{no:?}");
    assert!(no.message().contains("only owners and admins"), "{}", no.message());
    let html = member.get("/budgets").await;
    assert!(html.text.contains(r#"data-testid="budgets-read-only""#) && !html.text.contains(r#"data-testid="budget-form""#));
    // members cannot make management keys either (they manage every key of the organization)
    let mgmt = member.call("create_key", &[("csrf", &mcsrf), ("name", "sneaky"), ("expires_at", ""), ("management", "on")]).await;
    assert_eq!(mgmt.status, 403, "{mgmt:?}");

    // the owner, now working in the team, cannot reach the personal organization's key
    let theirs = set(&owner, &key.id, "1", "daily").await;
    assert_eq!(theirs.status, 404, "{theirs:?}");
    // nor can someone of another organization, nor a visitor
    let (other, _) = gw.app.user("budget-other@example.com").await;
    assert_eq!(set(&other, &key.id, "1", "daily").await.status, 404);
    assert_eq!(set(&other, &team_key, "1", "daily").await.status, 404);
    assert_eq!(set(&other, "no-such-key", "1", "daily").await.status, 404);
    let visitor = gw.app.client();
    assert_eq!(visitor.call("list_budgets", &[]).await.status, 401);

    let (stored, team_stored) = (the_key(&gw).await, gw.app.db.key_by_id(&team_id, &team_key).await.unwrap().unwrap());
    assert_eq!((stored.budget_units, team_stored.budget_units), (None, None), "nothing changed");
    assert!(budget_audits(&gw, &gw.org).await.is_empty() && budget_audits(&gw, &team_id).await.is_empty());
    assert_eq!(ask(&gw).await.status, 200);
});

both!(a_key_is_created_with_a_budget_a_reset_or_as_a_management_key, |b| async move {
    let gw = gateway(b).await;
    let owner = owner(&gw).await;
    let csrf = owner.csrf().await;
    let create = |name: &'static str, extra: Vec<(&'static str, &'static str)>| {
        let (owner, csrf) = (&owner, csrf.clone());
        async move {
            let mut form = vec![("csrf", csrf.as_str()), ("name", name), ("expires_at", "")];
            form.extend(extra);
            owner.call("create_key", &form).await
        }
    };

    let a = create("capped", vec![("budget", "2.5"), ("budget_reset", "weekly")]).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!((a.body["info"]["budget"].as_str(), a.body["info"]["budget_reset"].as_str()), (Some("2.5000000000"), Some("weekly")));
    assert_eq!(a.body["info"]["management"], false);
    let id = a.body["info"]["id"].as_str().unwrap();
    let row = gw.app.db.key_by_id(&gw.org, id).await.unwrap().unwrap();
    assert_eq!((row.budget_units, row.budget_reset.as_deref(), row.management), (Some(25_000_000_000), Some("weekly"), false));

    let plain = create("plain", vec![("budget", ""), ("budget_reset", "never")]).await;
    assert_eq!(plain.status, 200, "{plain:?}");
    assert!(plain.body["info"]["budget"].is_null() && plain.body["info"]["budget_reset"].is_null());

    let mgmt = create("admin-bot", vec![("management", "on")]).await;
    assert_eq!(mgmt.status, 200, "{mgmt:?}");
    assert_eq!(mgmt.body["info"]["management"], true);
    // a management key does not call models
    let secret = mgmt.body["secret"].as_str().unwrap();
    let r = gw
        .http
        .post(format!("{}/openai/v1/chat/completions", gw.app.url))
        .bearer_auth(secret)
        .json(&json!({"model": "openai/gpt-5-mini", "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());

    let count = gw.app.db.keys_of_org(&gw.org).await.unwrap().len();
    for (extra, field_name) in [
        (vec![("budget", ""), ("budget_reset", "daily")], "budget_reset"),
        (vec![("budget", "-3"), ("budget_reset", "never")], "budget"),
        (vec![("budget", "abc"), ("budget_reset", "never")], "budget"),
        (vec![("budget", "1.12345678901"), ("budget_reset", "never")], "budget"),
        (vec![("budget", "200000000"), ("budget_reset", "never")], "budget"),
        (vec![("budget", "5"), ("budget_reset", "yearly")], "budget_reset"),
        (vec![("budget", "5"), ("management", "on")], "budget"),
    ] {
        let a = create("bad", extra.clone()).await;
        assert_eq!(a.status, 400, "{extra:?}: {a:?}");
        assert_eq!(field(&a.body), Some(field_name), "{extra:?}");
    }
    assert_eq!(gw.app.db.keys_of_org(&gw.org).await.unwrap().len(), count, "no key made from bad input");
    let created: Vec<_> = gw.app.db.audit_entries(&gw.org, 0, 100).await.unwrap().into_iter().filter(|e| e.action == "key.create").collect();
    assert_eq!(created.len(), 3);
    assert!(created.iter().any(|e| e.detail == r#"created key "capped" (budget 2.5 USD weekly)"#), "{created:?}");
    assert!(created.iter().any(|e| e.detail == r#"created management key "admin-bot" (budget none)"#), "{created:?}");
});
