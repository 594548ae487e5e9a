//! A double of the upstream LLM and video providers Gate.AI calls: an OpenAI-compatible chat
//! API (`/v1/chat/completions`), the Anthropic Messages API (`/v1/messages`), and ModelArk's
//! Seedance video tasks (`/api/v3/contents/generations/tasks`). It speaks the real wire formats
//! (see shared/spec/PROTOCOLS.md §1, §2, §5, §6), records every request, and answers either from
//! a FIFO of scripted [`Reply`]s or from `[[markers]]` in the last user message (see `script.rs`).

mod anthropic;
mod ark;
mod mp4;
mod openai;
mod script;
mod sse;

use axum::body::Body;
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::serve::{IncomingStream, Listener};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The one API key the double accepts, on every protocol.
pub const UPSTREAM_KEY: &str = "sk-upstream-test";

/// One request the double received (whatever its path, and even when it was refused).
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path including `?query` when there was one.
    pub path: String,
    /// Lower-case header names; repeated headers joined with ", ".
    pub headers: BTreeMap<String, String>,
    /// The body parsed as JSON, `Null` if it was not JSON.
    pub body: Value,
}

/// A scripted answer for the next chat request (either protocol).
#[derive(Clone, Debug)]
pub enum Reply {
    Text(String),
    /// one or more tool calls (parallel when > 1), optional leading text
    Tools {
        text: Option<String>,
        calls: Vec<(String, Value)>,
    },
    /// Anthropic: thinking block with a signature; OpenAI: `reasoning_content`
    Thinking {
        thinking: String,
        text: String,
    },
    /// the provider's own error envelope; 529 is Anthropic's `overloaded_error`
    Error {
        status: u16,
        message: String,
        retry_after: Option<u64>,
    },
    /// wait before answering (before the response headers)
    Delay {
        ms: u64,
        then: Box<Reply>,
    },
    /// stream: this many chunks/events of a normal text answer, then the connection is dropped
    /// (no terminal event). Non-stream: the connection is dropped before answering.
    CutAfter {
        chunks: usize,
    },
    /// stream: an in-band error after `chunks` chunks. Non-stream: an HTTP error
    /// (OpenAI 500 `server_error`, Anthropic 529 `overloaded_error`).
    InBandError {
        chunks: usize,
        message: String,
    },
    /// stream: text but no usage (OpenAI: no usage chunk; Anthropic: no `output_tokens` in
    /// `message_delta`). Non-stream: a normal answer (providers always report usage there).
    NoUsage(String),
    /// never answer (until the client goes away)
    Hang,
}

#[derive(Clone)]
pub struct UpstreamDouble {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

pub(crate) struct Inner {
    replies: VecDeque<Reply>,
    requests: VecDeque<Recorded>,
    max_recorded: usize,
    first_byte_delay: Duration,
    chunk_delay: Duration,
    split_writes: bool,
    /// `[[fail:S*N]]`: how often each request body (sha256) was seen
    fail_counts: HashMap<[u8; 32], usize>,
    next_id: HashMap<&'static str, u64>,
    video_polls: usize,
    tasks: HashMap<String, ark::Task>,
    video_tasks_created: usize,
    /// `X-Client-Request-Id` of a create → the task it made.
    video_clients: HashMap<String, String>,
    /// Wait after a task is made, before answering its create.
    video_create_delay: Duration,
}

impl Inner {
    /// Next value of a per-double counter ("chatcmpl", "call", "msg", "toolu", "req", "cgt"), from 1.
    pub(crate) fn next(&mut self, kind: &'static str) -> u64 {
        let n = self.next_id.entry(kind).or_insert(0);
        *n += 1;
        *n
    }
}

impl UpstreamDouble {
    /// Starts on 127.0.0.1 with a free port.
    pub async fn start() -> UpstreamDouble {
        Self::start_on("127.0.0.1:0").await.expect("bind 127.0.0.1:0")
    }

    pub async fn start_on(addr: &str) -> io::Result<UpstreamDouble> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let inner = Inner {
            replies: VecDeque::new(),
            requests: VecDeque::new(),
            max_recorded: usize::MAX,
            first_byte_delay: Duration::ZERO,
            chunk_delay: Duration::ZERO,
            split_writes: false,
            fail_counts: HashMap::new(),
            next_id: HashMap::new(),
            video_polls: 2,
            tasks: HashMap::new(),
            video_tasks_created: 0,
            video_clients: HashMap::new(),
            video_create_delay: Duration::ZERO,
        };
        let d = UpstreamDouble { url: format!("http://{local}"), inner: Arc::new(Mutex::new(inner)) };
        let app = Router::new().fallback(handle).with_state(d.clone());
        tokio::spawn(async move {
            let _ = axum::serve(KillListener(listener), app.into_make_service_with_connect_info::<ConnInfo>()).await;
        });
        Ok(d)
    }

    /// `url + "/v1"`: base URL for OpenAI SDK-style clients.
    pub fn openai_base(&self) -> String {
        format!("{}/v1", self.url)
    }

    /// `url`: base URL for Anthropic SDK-style clients (they append `/v1/messages`).
    pub fn anthropic_base(&self) -> String {
        self.url.clone()
    }

    /// `url + "/api/v3"`: ModelArk base.
    pub fn ark_base(&self) -> String {
        format!("{}/api/v3", self.url)
    }

    /// Queues a scripted reply; the next chat request of either protocol consumes it (before markers).
    pub fn push(&self, reply: Reply) {
        self.lock().replies.push_back(reply);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.iter().cloned().collect()
    }

    /// Only the POSTs to `/v1/chat/completions` (or `/chat/completions`) and `/v1/messages`.
    pub fn chat_requests(&self) -> Vec<Recorded> {
        self.lock().requests.iter().filter(|r| is_chat(&r.method, &r.path)).cloned().collect()
    }

    /// Forgets recorded requests, queued replies and `[[fail]]` counts (delays, id counters and
    /// video tasks stay).
    pub fn clear(&self) {
        let mut g = self.lock();
        g.requests.clear();
        g.replies.clear();
        g.fail_counts.clear();
    }

    /// Delay before the response headers of every chat request (default 0).
    pub fn set_first_byte_delay(&self, d: Duration) {
        self.lock().first_byte_delay = d;
    }

    /// Delay between stream chunks (default 0).
    pub fn set_chunk_delay(&self, d: Duration) {
        self.lock().chunk_delay = d;
    }

    /// Extra: write every SSE frame in two pieces cut at an arbitrary byte (possibly inside a
    /// UTF-8 sequence), with a short pause in between, to exercise incremental parsers.
    pub fn set_split_writes(&self, on: bool) {
        self.lock().split_writes = on;
    }

    /// How many polls of a video task answer a non-terminal status (first `queued`, then
    /// `running`) before it is `succeeded`/`failed`. Default 2.
    pub fn set_video_polls(&self, n: usize) {
        self.lock().video_polls = n;
    }

    /// Extra: keep only the latest `n` recorded requests (default: all), for long benchmark runs.
    pub fn set_max_recorded(&self, n: usize) {
        self.lock().max_recorded = n;
    }

    /// Delay between making a video task and answering its create (default 0): a caller that
    /// dies in between has a task upstream without knowing its id.
    pub fn set_video_create_delay(&self, d: Duration) {
        self.lock().video_create_delay = d;
    }

    /// Video tasks made (a create repeated with the same `X-Client-Request-Id` makes none).
    pub fn video_tasks_created(&self) -> usize {
        self.lock().video_tasks_created
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn is_chat(method: &str, path: &str) -> bool {
    let p = path.split('?').next().unwrap_or("");
    method == "POST" && matches!(p, "/v1/chat/completions" | "/chat/completions" | "/v1/messages")
}

async fn handle(State(d): State<UpstreamDouble>, ConnectInfo(conn): ConnectInfo<ConnInfo>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 256 << 20).await.unwrap_or_default();
    let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let path_q = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| parts.uri.path().into());
    let mut headers = BTreeMap::<String, String>::new();
    for (k, v) in &parts.headers {
        let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
        headers.entry(k.as_str().to_string()).and_modify(|e| *e = format!("{e}, {v}")).or_insert(v);
    }
    let h = &parts.headers;
    let path = parts.uri.path();
    let m = &parts.method;
    if let Some(what) = path.strip_prefix("/_double/") {
        return introspect(&d, m, what);
    }
    {
        let mut g = d.lock();
        g.requests.push_back(Recorded { method: parts.method.to_string(), path: path_q, headers, body: json.clone() });
        while g.requests.len() > g.max_recorded {
            g.requests.pop_front();
        }
    }
    if *m == Method::POST && (path == "/v1/chat/completions" || path == "/chat/completions") {
        openai::chat(&d, &conn, h, &bytes, json).await
    } else if *m == Method::POST && path == "/v1/messages" {
        anthropic::messages(&d, &conn, h, &bytes, json).await
    } else if *m == Method::POST && path == "/v1/messages/count_tokens" {
        anthropic::count_tokens(&d, h, json)
    } else if *m == Method::GET && (path == "/v1/models" || path.starts_with("/v1/models/")) {
        let id = path.strip_prefix("/v1/models/");
        if h.contains_key("anthropic-version") {
            anthropic::models(&d, h, id)
        } else {
            openai::models(h, id)
        }
    } else if *m == Method::POST && path == "/api/v3/contents/generations/tasks" {
        ark::create(&d, h, json).await
    } else if *m == Method::GET && path.starts_with("/api/v3/contents/generations/tasks/") {
        ark::get(&d, h, &path["/api/v3/contents/generations/tasks/".len()..])
    } else if *m == Method::DELETE && path.starts_with("/api/v3/contents/generations/tasks/") {
        ark::delete(&d, h, &path["/api/v3/contents/generations/tasks/".len()..])
    } else if *m == Method::GET && path.starts_with("/files/") {
        ark::file(&d, &path["/files/".len()..])
    } else {
        (StatusCode::NOT_FOUND, Json(json!({"error": {"message": format!("no route for {m} {path}"), "type": "invalid_request_error", "param": null, "code": "not_found"}})))
            .into_response()
    }
}

/// `Authorization: Bearer <UPSTREAM_KEY>` present?
pub(crate) fn bearer_ok(h: &HeaderMap) -> bool {
    h.get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .is_some_and(|k| k.trim() == UPSTREAM_KEY)
}

/// For a double running as a process (not recorded, no auth): `GET /_double/requests` lists what
/// was received (as `[{method,path,headers,body}]`), `POST /_double/clear` forgets it.
fn introspect(d: &UpstreamDouble, m: &Method, what: &str) -> Response {
    match (m.as_str(), what) {
        ("GET", "requests") => {
            let all: Vec<Value> =
                d.requests().into_iter().map(|r| json!({"method": r.method, "path": r.path, "headers": r.headers, "body": r.body})).collect();
            json_response(200, Value::Array(all), &[])
        }
        ("POST", "clear") => {
            d.clear();
            json_response(200, json!({"cleared": true}), &[])
        }
        _ => json_response(404, json!({"error": "unknown /_double/ route"}), &[]),
    }
}

pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

pub(crate) fn json_response(status: u16, body: Value, extra: &[(&str, String)]) -> Response {
    let mut b = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json");
    for (k, v) in extra {
        b = b.header(*k, v.as_str());
    }
    b.body(Body::from(sse::to_json(&body))).expect("response")
}

/// Drops the TCP connection carrying this request: nothing more is written on it.
pub(crate) fn drop_connection(conn: &ConnInfo) -> Response {
    conn.kill.store(true, Ordering::SeqCst);
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

// ---- a listener whose connections a handler can kill (for "drop before answering") ----

struct KillListener(TcpListener);

#[derive(Clone, Debug)]
pub(crate) struct ConnInfo {
    kill: Arc<AtomicBool>,
}

impl Listener for KillListener {
    type Io = KillableIo;
    type Addr = ConnInfo;

    async fn accept(&mut self) -> (KillableIo, ConnInfo) {
        loop {
            match self.0.accept().await {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let kill = Arc::new(AtomicBool::new(false));
                    return (KillableIo { inner: stream, kill: kill.clone() }, ConnInfo { kill });
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<ConnInfo> {
        self.0.local_addr().map(|_| ConnInfo { kill: Arc::new(AtomicBool::new(false)) })
    }
}

impl Connected<IncomingStream<'_, KillListener>> for ConnInfo {
    fn connect_info(stream: IncomingStream<'_, KillListener>) -> Self {
        stream.remote_addr().clone()
    }
}

pub(crate) struct KillableIo {
    inner: TcpStream,
    kill: Arc<AtomicBool>,
}

fn killed() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "connection dropped by the upstream double")
}

impl AsyncRead for KillableIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.kill.load(Ordering::SeqCst) {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.kill.load(Ordering::SeqCst) {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.kill.load(Ordering::SeqCst) {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
