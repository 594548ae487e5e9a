//! Console pages rendered on the server finish, whatever else the process is doing.

use crate::both;
use crate::common::*;
use std::time::Duration;

// Building a router finds the console's page routes; Leptos does that with resource loading
// switched off process-wide, so a page whose data started loading at that moment waited
// forever (leptos issue #4773; it hung the activity test in CI once). Routers are now built
// while the dashboard renders again and again: every render must finish with its data.
both!(pages_finish_while_other_servers_start, |b| async move {
    let app = spawn(b).await;
    let (c, _) = app.user("busy@example.com").await;
    let state = app.state.clone();
    let builders = tokio::task::spawn_blocking(move || {
        for _ in 0..300 {
            drop(gateai::http::router(state.clone()).unwrap());
        }
    });
    for i in 0..60 {
        let page = tokio::time::timeout(Duration::from_secs(20), c.get("/")).await;
        let page = page.unwrap_or_else(|_| panic!("render {i} of the dashboard never finished"));
        assert_eq!(page.status, 200);
        assert!(page.text.contains("data-testid=\"balance\""), "render {i} lacks its data");
    }
    builders.await.unwrap();
});
