//! The address rule: at submit a non-https URL, a literal private address or a name that
//! resolves to one is a 400 naming webhook_url with nothing charged or queued; at delivery the
//! name is resolved and checked again, so one that turned private since is not contacted.

use super::*;
use crate::both;
use gateai::video::webhooks::address::{Resolve, SystemResolver};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

/// Names of the test: each answers its script in turn (the last answer repeats); any other
/// name goes to the system resolver (`localhost`).
#[derive(Default)]
struct Names {
    script: Mutex<HashMap<String, Vec<Vec<IpAddr>>>>,
    lookups: Mutex<Vec<String>>,
}

impl Names {
    fn with(names: &[(&str, &[&[&str]])]) -> Arc<Names> {
        let n = Names::default();
        for (name, answers) in names {
            let answers = answers.iter().map(|a| a.iter().map(|ip| ip.parse().unwrap()).collect()).collect();
            n.script.lock().unwrap().insert(name.to_string(), answers);
        }
        Arc::new(n)
    }
    fn lookups_of(&self, name: &str) -> usize {
        self.lookups.lock().unwrap().iter().filter(|n| *n == name).count()
    }
}

#[async_trait::async_trait]
impl Resolve for Names {
    async fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        self.lookups.lock().unwrap().push(host.to_string());
        let answer = {
            let mut script = self.script.lock().unwrap();
            script.get_mut(host).map(|answers| if answers.len() > 1 { answers.remove(0) } else { answers[0].clone() })
        };
        match answer {
            Some(ips) => Ok(ips.into_iter().map(|ip| SocketAddr::new(ip, port)).collect()),
            None => SystemResolver.lookup(host, port).await,
        }
    }
}

/// The strict rule (the default): https only, public addresses only.
fn strict(c: &mut Config) {
    c.video.webhooks.allow_private = false;
    c.video.webhooks.allow_http = false;
}

both!(non_https_and_private_urls_are_refused_at_submit_with_nothing_charged_or_queued, |b| async move {
    let gw = webhook_gateway(b, strict).await;
    gw.app.state.video.webhooks.set_resolver(Names::with(&[
        ("internal.example", &[&["10.0.0.7"]]),
        ("mixed.example", &[&["93.184.216.34", "192.168.1.20"]]),
        ("metadata.example", &[&["169.254.169.254"]]),
        ("v6.example", &[&["fd00::1"]]),
        ("nowhere.example", &[&[]]),
    ]));
    let before = gw.balance_units().await;
    let entries_before = ledger(&gw).await.len();
    let cases: &[(&str, &str)] = &[
        ("http://example.com/hook", "webhook_url must be an https URL"),
        ("https://user:pw@example.com/hook", "must not contain a user name or password"),
        ("https://127.0.0.1/hook", "not 127.0.0.1 (loopback)"),
        ("https://localhost:8443/hook", "not localhost: it resolves to"),
        ("https://2130706433/hook", "not 127.0.0.1 (loopback)"),
        ("https://10.1.2.3/hook", "(private)"),
        ("https://172.16.5.4/hook", "(private)"),
        ("https://192.168.1.10/hook", "(private)"),
        ("https://100.64.0.1/hook", "not 100.64.0.1 (shared, CGNAT)"),
        ("https://169.254.169.254/latest/meta-data", "(link-local)"),
        ("https://224.0.0.1/hook", "(multicast)"),
        ("https://0.0.0.0/hook", "(unspecified, this network)"),
        ("https://255.255.255.255/hook", "not 255.255.255.255 (broadcast)"),
        ("https://192.0.2.1/hook", "(documentation)"),
        ("https://[::1]/hook", "not ::1 (loopback)"),
        ("https://[fe80::1]/hook", "(link-local)"),
        ("https://[::ffff:10.0.0.1]/hook", "(private)"),
        ("https://internal.example/hook", "not internal.example: it resolves to 10.0.0.7 (private)"),
        ("https://mixed.example/hook", "not mixed.example: it resolves to 192.168.1.20 (private)"),
        ("https://metadata.example/hook", "(link-local)"),
        ("https://v6.example/hook", "not v6.example: it resolves to fd00::1 (private, unique local)"),
        ("https://nowhere.example/hook", "webhook_url host could not be resolved: nowhere.example"),
    ];
    for (url, words) in cases {
        let r = submit(&gw, &body_with_hook("refused", url)).await;
        assert_eq!(r.status, 400, "{url}: {}", r.text);
        assert_eq!(r.body["code"], 400, "{url}");
        assert_eq!(r.body["data"]["field"], "webhook_url", "{url}: {}", r.text);
        let msg = r.body["msg"].as_str().unwrap();
        assert!(msg.contains("webhook_url") && msg.contains(words), "{url}: {msg}");
    }
    // nothing charged, logged or queued, nothing sent upstream
    assert_eq!(gw.balance_units().await, before);
    assert_eq!(ledger(&gw).await.len(), entries_before);
    assert!(gw.logs().await.is_empty());
    assert_eq!(gw.up.video_tasks_created(), 0);
    let (deliveries, _) = gw.app.db.webhook_deliveries(&gw.org, 0, 100).await.unwrap();
    assert!(deliveries.is_empty());
});

both!(a_name_that_turns_private_after_submit_is_not_contacted_at_delivery, |b| async move {
    let gw = webhook_gateway(b, strict).await;
    // public when the job is submitted, loopback when it is delivered (DNS rebinding)
    let names = Names::with(&[("rebind.example", &[&["93.184.216.34"], &["127.0.0.1"]])]);
    gw.app.state.video.webhooks.set_resolver(names.clone());
    let id = submit_ok(&gw, &body_with_hook("rebinding", "https://rebind.example/hook")).await;
    assert_eq!(names.lookups_of("rebind.example"), 1, "checked at submit");
    wait_done(&gw, &id).await;
    let (d, attempts) = wait_delivery(&gw, &id, "a refused attempt", |d, a| d.attempts >= 1 && !a.is_empty()).await;
    assert!(names.lookups_of("rebind.example") >= 2, "resolved again at delivery");
    let a = &attempts[0];
    assert_eq!(a.status_code, None);
    assert_eq!(
        a.error.as_deref(),
        Some(
            "not sent: webhook_url must point to a public address, not rebind.example: it resolves to 127.0.0.1 \
             (loopback); private, loopback, link-local, multicast and reserved addresses are refused"
        )
    );
    assert_eq!(d.status, "pending", "retried later, in case the name comes back");
    assert!(d.next_attempt_ms > a.started_at_ms);
});

both!(a_private_receiver_is_reached_only_where_allowed, |b| async move {
    // the same local receiver, refused under the strict rule, reached when it is lifted
    let rx = Receiver::start().await;
    let https_local = rx.url("/hook").replace("http://", "https://");
    let gw = webhook_gateway(b, strict).await;
    let r = submit(&gw, &body_with_hook("strict", &https_local)).await;
    assert_eq!((r.status, r.body["data"]["field"].as_str()), (400, Some("webhook_url")), "{}", r.text);
    let r = submit(&gw, &body_with_hook("strict", &rx.url("/hook"))).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("https"), "{}", r.text);
    let open = webhook_gateway(b, |_| {}).await;
    let id = submit_ok(&open, &body_with_hook("allowed", &rx.url("/hook"))).await;
    wait_delivery(&open, &id, "delivered", |d, _| d.status == "delivered").await;
    assert_eq!(rx.seen().len(), 1);
});
