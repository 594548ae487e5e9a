//! The marketplace lists what can be called here, to visitors too, and nothing else.

use crate::both;
use crate::gateway::harness::gateway;
use testkit::upstream::UPSTREAM_KEY;

both!(marketplace_lists_models_of_configured_providers_to_anyone, |b| async move {
    let gw = gateway(b).await;
    let visitor = gw.app.client();
    let a = visitor.call("list_models", &[]).await;
    assert_eq!(a.status, 200, "{a:?}");
    let ids: Vec<&str> = a.body.as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"openai/gpt-5-mini") && ids.contains(&"anthropic/claude-haiku-4.5"));
    assert!(ids.contains(&"bytedance/seedance-2.0"), "video models are listed too");
    assert!(!ids.contains(&"x-ai/grok-4"), "x-ai has no key here: not listed");
    let mini = a.body.as_array().unwrap().iter().find(|m| m["id"] == "openai/gpt-5-mini").unwrap();
    assert_eq!((mini["price_input"].as_str(), mini["price_output"].as_str()), (Some("0.25"), Some("2")));
    assert_eq!(mini["context"], 400_000);
    assert!(!a.text.contains(UPSTREAM_KEY) && !a.text.contains(&gw.org), "nothing secret or organization-specific");

    let page = visitor.call("model_page", &[("id", "openai/gpt-5-mini")]).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.body["base_url"], gw.app.url.as_str(), "snippets point at this instance");
    assert_eq!(page.body["model"]["name"], "GPT-5 mini");
    for hidden in ["x-ai/grok-4", "no/such-model"] {
        let p = visitor.call("model_page", &[("id", hidden)]).await;
        assert_eq!(p.status, 404, "{hidden}: {p:?}");
    }

    // the page itself renders for a visitor, without a redirect to sign in
    let html = visitor.get("/models?q=haiku").await;
    assert_eq!(html.status, 200);
    // (the page also carries the whole list for hydration: look at the cards)
    assert!(html.text.contains(r#"data-model="anthropic/claude-haiku-4.5""#));
    assert!(!html.text.contains(r#"data-model="openai/gpt-5-mini""#));
    let detail = visitor.get("/models/openai/gpt-5-mini").await;
    assert_eq!(detail.status, 200);
    assert!(detail.text.contains(&format!("{}/openai/v1/chat/completions", gw.app.url)));
    for (path, status) in [("/models", 200), ("/keys", 302), ("/activity", 302)] {
        let r = visitor.http.get(format!("{}{path}", gw.app.url)).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}: only the marketplace is open to visitors");
    }
});
