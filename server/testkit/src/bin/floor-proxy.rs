//! The floor for the gateway bench: a proxy on the gateway's own HTTP stack (axum server,
//! reqwest client with a kept-alive pool) that forwards a POST body's bytes to the upstream and
//! the response's bytes back, streamed. No auth, no parsing, no admission, no logs. Whatever it
//! adds over a direct call is the cost of the second HTTP leg itself, which the gateway cannot go
//! under. Benchmarks only: `floor-proxy --addr 127.0.0.1:9500 --upstream http://127.0.0.1:9400`.

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{HeaderMap, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::post,
    Router,
};
use clap::Parser;

#[derive(Parser)]
#[command(about = "byte-forwarding proxy: the gateway bench's floor")]
struct Args {
    /// address to listen on
    #[arg(long, default_value = "127.0.0.1:9500")]
    addr: String,
    /// upstream base URL; the request's path is appended
    #[arg(long, default_value = "http://127.0.0.1:9400")]
    upstream: String,
}

#[derive(Clone)]
struct Proxy {
    http: reqwest::Client,
    upstream: String,
}

async fn forward(State(p): State<Proxy>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let mut req = p.http.post(format!("{}{}", p.upstream, uri.path())).body(body);
    for name in ["authorization", "content-type", "x-api-key", "anthropic-version"] {
        if let Some(v) = headers.get(name) {
            req = req.header(name, v);
        }
    }
    match req.send().await {
        Ok(r) => {
            let status = StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let ct = r.headers().get("content-type").cloned();
            let mut resp = Body::from_stream(r.bytes_stream()).into_response();
            *resp.status_mut() = status;
            if let Some(ct) = ct {
                resp.headers_mut().insert("content-type", ct);
            }
            resp
        }
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let proxy = Proxy { http: reqwest::Client::builder().tcp_nodelay(true).build().expect("reqwest client"), upstream: args.upstream };
    let app = Router::new().route("/{*path}", post(forward)).with_state(proxy);
    let listener = match tokio::net::TcpListener::bind(&args.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("floor-proxy: cannot listen on {}: {e}", args.addr);
            std::process::exit(1);
        }
    };
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    println!("listening on {}", args.addr);
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("floor-proxy: {e}");
    }
}
