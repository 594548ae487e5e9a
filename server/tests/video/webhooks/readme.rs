//! The README's signature verifiers, run as written there (python3 and node) against a real
//! delivery: they accept it, and refuse a changed body, another secret and an old timestamp.

use super::*;
use std::process::Command;

/// The code block after `<!-- webhook-verify: <lang> -->` in the README.
fn snippet(lang: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let marker = format!("<!-- webhook-verify: {lang} -->");
    let at = readme.find(&marker).unwrap_or_else(|| panic!("README has no {marker}"));
    let rest = &readme[at + marker.len()..];
    let fence = rest.find("```").unwrap();
    let code = fence + rest[fence..].find('\n').unwrap() + 1;
    let end = code + rest[code..].find("\n```").unwrap();
    rest[code..end].to_string()
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Runs the README's `verify` in `lang` on one delivery; its printed answer.
fn run(lang: &str, secret: &str, header: &str, body: &std::path::Path) -> String {
    let code = snippet(lang);
    let (tool, script) = match lang {
        "python" => (
            "python3",
            format!("{code}\n\nimport os\nprint(verify(os.environ['SECRET'], os.environ['HEADER'], open(os.environ['BODY_FILE'], 'rb').read()))\n"),
        ),
        _ => (
            "node",
            format!("{code}\n\nconsole.log(verify(process.env.SECRET, process.env.HEADER, require('node:fs').readFileSync(process.env.BODY_FILE)));\n"),
        ),
    };
    let out = Command::new(tool)
        .args([if tool == "node" { "-e" } else { "-c" }, &script])
        .env("SECRET", secret)
        .env("HEADER", header)
        .env("BODY_FILE", body)
        .output()
        .unwrap();
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_lowercase()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_readme_verifiers_accept_a_real_delivery_and_nothing_else() {
    let rx = Receiver::start().await;
    let gw = webhook_gateway(crate::common::Backend::Sqlite, |_| {}).await;
    let id = submit_ok(&gw, &body_with_hook("verify me", &rx.url("/hook"))).await;
    wait_delivery(&gw, &id, "delivered", |d, _| d.status == "delivered").await;
    let c = rx.wait_for(1).await.remove(0);
    let secret = org_secret(&gw).await;
    let header = c.header("x-gateai-signature");

    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(&body, &c.body).unwrap();
    let changed = dir.path().join("changed.json");
    std::fs::write(&changed, String::from_utf8(c.body.clone()).unwrap().replace("completed", "c0mpleted")).unwrap();
    let now = gateai::clock::now();
    let sign = |t: i64| gateai::video::webhooks::sign::header(&secret, t, &c.body);

    for lang in ["python", "node"] {
        let tool = if lang == "python" { "python3" } else { "node" };
        if !have(tool) {
            assert!(std::env::var("CI").is_err(), "{tool} is needed to check the README's {lang} example");
            eprintln!("SKIPPED the {lang} example: no {tool}");
            continue;
        }
        assert_eq!(run(lang, &secret, &header, &body), "true", "{lang}: the real delivery");
        assert_eq!(run(lang, &secret, &sign(now - 200), &body), "true", "{lang}: 200 s old");
        assert_eq!(run(lang, &secret, &header, &changed), "false", "{lang}: a changed body");
        assert_eq!(run(lang, &org_secret_of_another(&gw).await, &header, &body), "false", "{lang}: another secret");
        assert_eq!(run(lang, &secret, &sign(now - 301), &body), "false", "{lang}: older than 5 minutes");
        assert_eq!(run(lang, &secret, &header.replace(",v1=", ",v0="), &body), "false", "{lang}: no v1");
        assert_eq!(run(lang, &secret, "", &body), "false", "{lang}: no header");
    }
}

async fn org_secret_of_another(gw: &Gw) -> String {
    let (_, v) = gw.app.user(&format!("wh-readme-{}@example.com", uuid::Uuid::new_v4().simple())).await;
    gateai::video::webhooks::secret::current(&gw.app.state, v["org"]["id"].as_str().unwrap()).await.unwrap().0
}
