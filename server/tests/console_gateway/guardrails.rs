//! Guardrails and routing settings in the console: owners create, edit, assign and delete
//! guardrails and switch auto routing through the console's own endpoints (form-encoded, as
//! the browser posts them), and a real completion through the upstream double shows each
//! change holding from the next request. Members only read; another organization's guardrail
//! is not found; bad input is explained by field and changes nothing. The audit log lists it all.

use super::*;
use crate::both;
use crate::common::Answer;
use crate::gateway::harness::gateway;
use gateai::gateway::error::AUTO_ROUTING_OFF;
use serde_json::json;

const GPT: &str = "openai/gpt-5-mini";
const HAIKU: &str = "anthropic/claude-haiku-4.5";

async fn ask(gw: &Gw, model: &str) -> crate::gateway::harness::Reply {
    gw.openai(json!({"model": model, "max_tokens": 32, "messages": [{"role": "user", "content": "guardrail check"}]})).await
}

async fn the_key(gw: &Gw) -> gateai::storage::ApiKeyRow {
    gw.app.db.keys_of_org(&gw.org).await.unwrap().into_iter().find(|k| k.name == "test").unwrap()
}

/// A whole guardrail form: `fields` (name, value) pairs; lists repeat `allowed_models[]` etc.
async fn post(c: &Client, endpoint: &str, fields: &[(&str, &str)]) -> Answer {
    let csrf = c.csrf().await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    c.call(endpoint, &form).await
}

async fn create(c: &Client, fields: &[(&str, &str)]) -> Answer {
    post(c, "create_guardrail", fields).await
}

async fn update(c: &Client, id: &str, fields: &[(&str, &str)]) -> Answer {
    let mut form = vec![("guardrail_id", id)];
    form.extend_from_slice(fields);
    post(c, "update_guardrail", &form).await
}

async fn audits(gw: &Gw, org: &str) -> Vec<gateai::storage::AuditRow> {
    let mut rows = gw.app.db.audit_entries(org, 0, 1000).await.unwrap();
    rows.reverse();
    rows
}

fn actions(rows: &[gateai::storage::AuditRow], prefix: &str) -> Vec<String> {
    rows.iter().filter(|r| r.action.starts_with(prefix)).map(|r| r.action.clone()).collect()
}

both!(owners_create_edit_and_assign_guardrails_and_the_gateway_follows, |b| async move {
    let gw = gateway(b).await;
    let owner = owner(&gw).await;
    let key = the_key(&gw).await;

    let list = owner.call("list_guardrails", &[]).await;
    assert_eq!(list.status, 200, "{list:?}");
    assert_eq!(list.body["can_edit"], true);
    assert_eq!(list.body["guardrails"], json!([]));
    assert_eq!(list.body["keys"][0]["id"], key.id.as_str());
    let catalog = list.body["catalog"].as_array().unwrap();
    let anthropic = catalog.iter().find(|p| p["provider"] == "anthropic").expect("anthropic in the picker");
    assert!(anthropic["models"].as_array().unwrap().iter().any(|m| m["id"] == HAIKU), "{anthropic}");

    // an allowlist of one provider, for the key: other models are refused before any upstream call
    let made = create(
        &owner,
        &[("name", "Claude only"), ("description", "for the CI key"), ("allowed_models[]", "anthropic/*"), ("keys[]", &key.id)],
    )
    .await;
    assert_eq!(made.status, 200, "{made:?}");
    let id = made.body["id"].as_str().unwrap().to_string();
    let created_id = id.clone();
    assert_eq!(made.body["allowed_models"], json!(["anthropic/*"]));
    assert_eq!(made.body["keys"][0]["name"], "test");
    assert_eq!(made.body["org_assigned"], false);
    assert!(made.body["budget"].is_null() && made.body["allowed_providers"].is_null());
    let calls_before = gw.up.chat_requests().len();
    let r = ask(&gw, GPT).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["error"]["message"], "model not allowed by guardrail policy");
    assert_eq!(gw.up.chat_requests().len(), calls_before, "refused before any upstream call");
    assert_eq!(ask(&gw, HAIKU).await.status, 200);

    // the same guardrail with a tiny daily budget and any model: the budget refuses
    let a = update(
        &owner,
        &id,
        &[("name", "Claude only"), ("description", "for the CI key"), ("limit_usd", "0.0000000001"), ("reset_interval", "daily"), ("keys[]", &key.id)],
    )
    .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!((a.body["budget"].as_str(), a.body["period"].as_str()), (Some("0.0000000001"), Some("daily")));
    assert!(a.body["allowed_models"].is_null(), "no box checked: any model");
    let r = ask(&gw, GPT).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error"]["message"], "guardrail budget limit exceeded");

    // moved from the key to the whole organization: the organization's budget refuses
    let a = update(&owner, &id, &[("name", "Org cap"), ("limit_usd", "0.0000000001"), ("reset_interval", "monthly"), ("org_assigned", "on")]).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!((a.body["org_assigned"].as_bool(), a.body["keys"].as_array().map(Vec::len)), (Some(true), Some(0)));
    let r = ask(&gw, GPT).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error"]["message"], "organization guardrail budget limit exceeded");

    // one request a minute for the key, no budget: the first passes, the second waits
    let a = update(&owner, &id, &[("name", "Slow"), ("requests_per_minute", "1"), ("keys[]", &key.id)]).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!((a.body["requests_per_minute"].as_i64(), a.body["org_assigned"].as_bool()), (Some(1), Some(false)));
    assert_eq!(ask(&gw, GPT).await.status, 200);
    let r = ask(&gw, GPT).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert!(r.body["error"]["message"].as_str().unwrap().starts_with("rate limit exceeded"), "{}", r.text);
    assert!(r.headers.contains_key("retry-after"));

    // saving the same form again changes nothing and writes nothing
    let before = audits(&gw, &gw.org).await.len();
    assert_eq!(update(&owner, &id, &[("name", "Slow"), ("requests_per_minute", "1"), ("keys[]", &key.id)]).await.status, 200);
    assert_eq!(audits(&gw, &gw.org).await.len(), before);

    // the page renders on the server with the guardrail and its forms
    let html = owner.get("/guardrails").await;
    assert_eq!(html.status, 200);
    assert!(html.text.contains(r#"data-guardrail-name="Slow""#), "the card");
    assert!(html.text.contains(r#"data-testid="guardrail-edit-form""#) && html.text.contains(r#"data-testid="create-guardrail-form""#));
    assert!(html.text.contains(r#"value="anthropic/*""#), "the picker offers provider/*");

    // deleted: its limits stop at once
    let gone = post(&owner, "delete_guardrail", &[("guardrail_id", &id)]).await;
    assert_eq!(gone.status, 200, "{gone:?}");
    assert_eq!(ask(&gw, GPT).await.status, 200);
    assert!(gw.app.db.guardrail(&gw.org, &id).await.unwrap().is_none());

    let me = owner.viewer().await;
    let rows = audits(&gw, &gw.org).await;
    assert_eq!(
        actions(&rows, "guardrail."),
        [
            "guardrail.create",
            "guardrail.assign_keys",
            "guardrail.update",
            "guardrail.update",
            "guardrail.unassign_keys",
            "guardrail.assign_org",
            "guardrail.update",
            "guardrail.assign_keys",
            "guardrail.unassign_org",
            "guardrail.delete"
        ]
    );
    assert!(rows.iter().all(|r| r.actor_user_id.as_deref() == me["user_id"].as_str()), "{rows:?}");

    // the audit log page names who and what
    let log = owner.call("audit_log", &[("page", "1")]).await;
    assert_eq!(log.status, 200, "{log:?}");
    let first = &log.body["entries"][0];
    assert_eq!((first["action"].as_str(), first["who"].as_str()), (Some("guardrail.delete"), me["email"].as_str()));
    let entries = log.body["entries"].as_array().unwrap();
    let assigned = entries.iter().find(|e| e["action"] == "guardrail.assign_keys").unwrap();
    assert_eq!(assigned["detail"], "test", "keys by name: {assigned}");
    let created = entries.iter().find(|e| e["action"] == "guardrail.create").unwrap();
    assert_eq!(created["target"], created_id.as_str(), "a deleted guardrail is named by its id");
    let html = owner.get("/audit").await;
    assert!(html.text.contains(r#"data-action="guardrail.create""#), "audit rows rendered");
});

/// A refused form: its fields, the field the error names, words of the message.
type Case<'a> = (Vec<(&'a str, &'a str)>, String, &'a str);

both!(bad_guardrail_input_is_explained_by_field_and_changes_nothing, |b| async move {
    let gw = gateway(b).await;
    let owner = owner(&gw).await;
    let key = the_key(&gw).await;
    let good = [("name", "Steady"), ("limit_usd", "5"), ("reset_interval", "weekly"), ("allowed_models[]", GPT), ("requests_per_minute", "60")];
    let made = create(&owner, &good).await;
    assert_eq!(made.status, 200, "{made:?}");
    let id = made.body["id"].as_str().unwrap().to_string();
    let stored = gw.app.db.guardrail(&gw.org, &id).await.unwrap().unwrap();
    let audited = audits(&gw, &gw.org).await.len();

    let f = |name: &str| format!("{name}:{id}");
    let cases: Vec<Case> = vec![
        (vec![("name", "Steady"), ("allowed_models[]", "openai/gpt-9000")], f("allowed_models"), "unknown model"),
        (vec![("name", "Steady"), ("allowed_models[]", "nobody/*")], f("allowed_models"), "unknown provider"),
        (vec![("name", "Steady"), ("allowed_providers[]", "nobody")], f("allowed_providers"), "unknown provider"),
        (vec![("name", "Steady"), ("limit_usd", "-1")], f("limit_usd"), "zero or more"),
        (vec![("name", "Steady"), ("limit_usd", "1000000000000")], f("limit_usd"), "at most 100000000 USD"),
        (vec![("name", "Steady"), ("limit_usd", "ten")], f("limit_usd"), "plain number"),
        (vec![("name", "Steady"), ("limit_usd", "0.00000000001")], f("limit_usd"), "10 decimal places"),
        (vec![("name", "Steady"), ("reset_interval", "daily")], f("reset_interval"), "a reset needs a budget"),
        (vec![("name", "Steady"), ("limit_usd", "5"), ("reset_interval", "hourly")], f("reset_interval"), "never, daily, weekly or monthly"),
        (vec![("name", "Steady"), ("requests_per_minute", "0")], f("requests_per_minute"), "between 1 and"),
        (vec![("name", "Steady"), ("tokens_per_minute", "1.5")], f("tokens_per_minute"), "whole number"),
        (vec![("name", "Steady"), ("tokens_per_minute", "99999999999")], f("tokens_per_minute"), "between 1 and"),
        (vec![("name", "  ")], f("name"), "must not be empty"),
        (vec![("name", "Steady"), ("keys[]", "no-such-key")], f("keys"), "no key"),
    ];
    for (form, field_name, words) in &cases {
        let a = update(&owner, &id, form).await;
        assert_eq!(a.status, 400, "{form:?}: {a:?}");
        assert_eq!(field(&a.body), Some(field_name.as_str()), "{form:?}");
        assert!(a.message().contains(words), "{form:?}: {}", a.message());
    }
    // a key of the organization together with a bad field: the key is not assigned either
    let a = update(&owner, &id, &[("name", "Steady"), ("keys[]", &key.id), ("limit_usd", "-5")]).await;
    assert_eq!(a.status, 400, "{a:?}");
    // the create form's errors name the plain field, and nothing is made
    let a = create(&owner, &[("name", "Bad"), ("allowed_models[]", "openai/gpt-9000")]).await;
    assert_eq!((a.status, field(&a.body)), (400, Some("allowed_models")), "{a:?}");
    let a = create(&owner, &[("name", ""), ("limit_usd", "3")]).await;
    assert_eq!((a.status, field(&a.body)), (400, Some("name")), "{a:?}");
    // a forged form
    let forged = owner.call("update_guardrail", &[("csrf", "forged"), ("guardrail_id", &id), ("name", "Hijacked")]).await;
    assert_eq!(forged.status, 403, "{forged:?}");

    assert_eq!(gw.app.db.guardrails_of_org(&gw.org).await.unwrap().len(), 1, "nothing created");
    let after = gw.app.db.guardrail(&gw.org, &id).await.unwrap().unwrap();
    assert_eq!(after, stored, "nothing changed");
    assert!(gw.app.db.guardrail_keys_of_org(&gw.org).await.unwrap().is_empty(), "no key assigned");
    assert_eq!(audits(&gw, &gw.org).await.len(), audited, "nothing audited");

    // the largest values are accepted; an alias is stored as the model's id
    let a = update(
        &owner,
        &id,
        &[("name", "Steady"), ("limit_usd", "100000000"), ("requests_per_minute", "1000000000"), ("allowed_models[]", "OPENAI/*")],
    )
    .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body["allowed_models"], json!(["openai/*"]));
});

both!(members_only_read_guardrails_and_other_organizations_are_not_found, |b| async move {
    let gw = gateway(b).await;
    let owner = owner(&gw).await;
    let personal = create(&owner, &[("name", "Personal"), ("allowed_models[]", HAIKU), ("org_assigned", "on")]).await;
    assert_eq!(personal.status, 200, "{personal:?}");
    let personal_id = personal.body["id"].as_str().unwrap().to_string();

    // a team with a guardrail and a key, and a member in it
    let csrf = owner.csrf().await;
    let team = owner.call("create_org", &[("csrf", &csrf), ("name", "Guarded team")]).await;
    assert_eq!(team.status, 200, "{team:?}");
    let team_id = team.body["id"].as_str().unwrap().to_string();
    let made = owner.call("create_key", &[("csrf", &csrf), ("name", "team-ci"), ("expires_at", "")]).await;
    let team_key = made.body["info"]["id"].as_str().unwrap().to_string();
    let g = create(&owner, &[("name", "Team cap"), ("limit_usd", "10"), ("reset_interval", "monthly"), ("keys[]", &team_key)]).await;
    assert_eq!(g.status, 200, "{g:?}");
    let team_guardrail = g.body["id"].as_str().unwrap().to_string();
    let (member, v) = gw.app.user("guardrail-member@example.com").await;
    gw.app.db.add_member(&team_id, v["user_id"].as_str().unwrap(), "member", gateai::clock::now()).await.unwrap();
    let mcsrf = member.csrf().await;
    assert_eq!(member.call("switch_org", &[("csrf", &mcsrf), ("org_id", &team_id)]).await.status, 200);

    let list = member.call("list_guardrails", &[]).await;
    assert_eq!(list.status, 200, "{list:?}");
    assert_eq!(list.body["can_edit"], false);
    assert_eq!(list.body["guardrails"][0]["name"], "Team cap");
    assert_eq!(list.body["guardrails"][0]["keys"][0]["name"], "team-ci");
    for a in [
        update(&member, &team_guardrail, &[("name", "Loose")]).await,
        create(&member, &[("name", "Mine")]).await,
        post(&member, "delete_guardrail", &[("guardrail_id", &team_guardrail)]).await,
        post(&member, "set_routing_settings", &[("preference", "1")]).await,
    ] {
        assert_eq!(a.status, 403, "{a:?}");
        assert!(a.message().contains("only owners and admins"), "{}", a.message());
    }
    let html = member.get("/guardrails").await;
    assert!(html.text.contains(r#"data-testid="guardrails-read-only""#), "read-only note");
    assert!(!html.text.contains(r#"data-testid="guardrail-edit-form""#) && !html.text.contains(r#"data-testid="create-guardrail-form""#));
    let routing = member.call("get_routing_settings", &[]).await;
    assert_eq!((routing.status, routing.body["can_edit"].as_bool()), (200, Some(false)));
    assert!(member.get("/settings/routing").await.text.contains(r#"data-testid="routing-read-only""#));
    // members may read the audit log
    let log = member.call("audit_log", &[("page", "1")]).await;
    assert_eq!(log.status, 200, "{log:?}");
    assert!(log.body["entries"].as_array().unwrap().iter().any(|e| e["target"] == "guardrail Team cap"), "{log:?}");

    // the owner, now in the team, cannot reach the personal organization's guardrail
    assert_eq!(update(&owner, &personal_id, &[("name", "Moved")]).await.status, 404);
    assert_eq!(post(&owner, "delete_guardrail", &[("guardrail_id", &personal_id)]).await.status, 404);
    // nor can someone of another organization, nor a visitor
    let (other, _) = gw.app.user("guardrail-other@example.com").await;
    assert_eq!(update(&other, &team_guardrail, &[("name", "Mine now")]).await.status, 404);
    assert_eq!(post(&other, "delete_guardrail", &[("guardrail_id", &team_guardrail)]).await.status, 404);
    assert_eq!(update(&other, "no-such-guardrail", &[("name", "x")]).await.status, 404);
    // a key of another organization cannot be assigned
    let a = create(&other, &[("name", "Theirs"), ("keys[]", &team_key)]).await;
    assert_eq!((a.status, field(&a.body)), (400, Some("keys")), "{a:?}");
    assert_eq!(gw.app.client().call("list_guardrails", &[]).await.status, 401);

    // nothing changed: the team's guardrail and the personal one hold as they were
    let team_row = gw.app.db.guardrail(&team_id, &team_guardrail).await.unwrap().unwrap();
    assert_eq!((team_row.name.as_str(), team_row.limit_units), ("Team cap", Some(100_000_000_000)));
    let personal_row = gw.app.db.guardrail(&gw.org, &personal_id).await.unwrap().unwrap();
    assert_eq!((personal_row.name.as_str(), personal_row.org_assigned), ("Personal", true));
    let r = ask(&gw, GPT).await;
    assert_eq!(r.status, 403, "the personal organization's allowlist still holds: {}", r.text);
    assert!(gw.app.db.guardrails_of_org(other.viewer().await["org"]["id"].as_str().unwrap()).await.unwrap().is_empty());
});

both!(auto_routing_is_switched_in_settings_and_the_gateway_follows, |b| async move {
    let gw = gateway(b).await;
    let owner = owner(&gw).await;
    let auto = || gw.openai(json!({"model": "auto", "max_tokens": 16, "messages": [{"role": "user", "content": "route me"}]}));

    let s = owner.call("get_routing_settings", &[]).await;
    assert_eq!(s.status, 200, "{s:?}");
    assert_eq!(s.body, json!({"auto_routing": true, "preference": 0.0, "updated_at": null, "can_edit": true}));
    assert_eq!(auto().await.status, 200);

    // the box unchecked (absent) turns it off
    let a = post(&owner, "set_routing_settings", &[("preference", "0.75")]).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!((a.body["auto_routing"].as_bool(), a.body["preference"].as_f64()), (Some(false), Some(0.75)));
    let r = auto().await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["error"]["message"], AUTO_ROUTING_OFF);
    assert_eq!(ask(&gw, GPT).await.status, 200, "a named model still works");

    // bad preferences are refused by field and change nothing
    for typed in ["2", "-0.1", "lots", "NaN"] {
        let a = post(&owner, "set_routing_settings", &[("auto_routing", "on"), ("preference", typed)]).await;
        assert_eq!(a.status, 400, "{typed}: {a:?}");
        assert_eq!(field(&a.body), Some("preference"), "{typed}");
        assert!(a.message().contains("from 0 (cheapest) to 1 (best quality)"), "{}", a.message());
    }
    let row = gw.app.db.routing_settings(&gw.org).await.unwrap().unwrap();
    assert_eq!((row.auto_routing, row.preference), (false, 0.75));
    assert_eq!(auto().await.status, 400);

    // back on
    let a = post(&owner, "set_routing_settings", &[("auto_routing", "on"), ("preference", "0.75")]).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body["auto_routing"], true);
    assert!(a.body["updated_at"].is_string());
    assert_eq!(auto().await.status, 200);
    // the same again is no change
    assert_eq!(post(&owner, "set_routing_settings", &[("auto_routing", "on"), ("preference", "0.75")]).await.status, 200);
    let rows = audits(&gw, &gw.org).await;
    let details: Vec<_> = rows.iter().filter(|r| r.action == "routing.update").map(|r| r.detail.as_str()).collect();
    assert_eq!(details, ["auto routing off, preference 0.75", "auto routing on, preference 0.75"]);

    let html = owner.get("/settings/routing").await;
    assert_eq!(html.status, 200);
    assert!(html.text.contains(r#"data-testid="routing-form""#) && html.text.contains(r#"value="0.75""#), "the form, filled");
});
