//! Small middlewares: the client address for the console, and refusing cross-site writes.

use app::backend::ClientIp;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

pub async fn client_ip(mut req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// State-changing console and sign-in requests must come from our own pages: a browser
/// sends `Origin` (and `Sec-Fetch-Site`) on such requests; a foreign one is refused. The
/// per-session CSRF token checked by every console write is the second line.
pub async fn same_origin_writes(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let guarded = req.method() != Method::GET
        && req.method() != Method::HEAD
        && (path.starts_with("/console/") || path.starts_with("/auth/"));
    if guarded {
        let headers = req.headers();
        if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
            return refuse();
        }
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            let origin_host = origin.split("://").nth(1).unwrap_or("");
            if origin == "null" || origin_host != host {
                return refuse();
            }
        }
    }
    next.run(req).await
}

fn refuse() -> Response {
    (StatusCode::FORBIDDEN, "cross-site request refused").into_response()
}
