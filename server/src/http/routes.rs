//! Router assembly and the listening server.

use super::errors::{api_error, Protocol};
use super::{middleware, oauth, payments};
use crate::accounts::sessions::DbSessionStore;
use crate::console::ConsoleBackend;
use crate::gateway;
use crate::state::AppState;
use app::backend::SharedBackend;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

pub fn leptos_options(state: &AppState) -> anyhow::Result<LeptosOptions> {
    let addr: SocketAddr = state.config.addr.parse().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080)));
    Ok(LeptosOptions::builder()
        .output_name("gateai")
        .site_root(state.config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build())
}

/// API paths answer in JSON; everything else falls to the console (static files, 404 page).
fn is_api_path(path: &str) -> bool {
    ["/api/", "/openai/", "/anthropic/", "/v1/"].iter().any(|p| path.starts_with(p))
        || ["/api", "/openai", "/anthropic", "/v1"].contains(&path)
}

async fn fallback(State(options): State<LeptosOptions>, uri: Uri, req: Request<Body>) -> Response {
    if is_api_path(uri.path()) {
        return api_error(Protocol::of_path(uri.path()), StatusCode::NOT_FOUND, "unknown api path");
    }
    let handler = leptos_axum::file_and_error_handler::<LeptosOptions, _>(app::shell);
    handler(uri, State(options), req).await
}

/// A known API path with the wrong method, in the caller's envelope.
async fn method_not_allowed(uri: Uri) -> Response {
    api_error(Protocol::of_path(uri.path()), StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// The console's page routes, found once per process. Leptos finds them by running the app
/// with resource loading switched off through a process-wide flag: a page rendering in another
/// server of the same process (the tests run many) at that moment would wait forever on its
/// data (leptos issue #4773). Done once, before any server of the process serves a page.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

pub fn router(state: AppState) -> anyhow::Result<Router> {
    let options = leptos_options(&state)?;
    let backend: SharedBackend = Arc::new(ConsoleBackend { state: state.clone() });
    let routes = page_routes();

    let pages = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            {
                let backend = backend.clone();
                move || provide_context(backend.clone())
            },
            {
                let options = options.clone();
                move || app::shell(options.clone())
            },
        )
        .fallback(fallback)
        .with_state(options);

    // The API: only the request id layers, so the hot path carries no session or trace work.
    let api = Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/payments/webhook", post(payments::webhook))
        .route("/api/v1/key", get(crate::gateway::account_info::get_key))
        .route("/api/v1/credits", get(crate::gateway::account_info::get_credits))
        .route("/api/v1/videos", post(crate::video::handlers::submit_video))
        .route("/api/v1/videos/{job_id}", get(crate::video::handlers::get_video))
        .route("/api/v1/videos/{job_id}/content", get(crate::video::handlers::get_video_content))
        .route("/api/v1/videos/{job_id}/file", get(crate::video::handlers::get_video_file))
        .route("/openai/v1/chat/completions", post(gateway::chat::openai_chat_completions))
        .route("/openai/v1/models", get(gateway::models::openai_list))
        .route("/openai/v1/models/{*id}", get(gateway::models::openai_one))
        .route("/anthropic/v1/messages", post(gateway::chat::anthropic_messages))
        .route("/anthropic/v1/messages/count_tokens", post(gateway::chat::anthropic_count_tokens))
        .route("/anthropic/v1/models", get(gateway::models::anthropic_list))
        .route("/anthropic/v1/models/{*id}", get(gateway::models::anthropic_one))
        .merge(gateway::management::routes())
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(middleware::anthropic_request_id));

    let store = DbSessionStore::new(state.db.clone());
    store.spawn_purge(std::time::Duration::from_secs(3600));
    let sessions = SessionManagerLayer::new(store)
        .with_name("gateai_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.https())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(state.config.session_hours)));

    // The console and sign-in: sessions, the client address, same-origin writes, request traces.
    let console = Router::new()
        .route("/auth/oauth/{provider}/start", get(oauth::start))
        .route("/auth/oauth/{provider}/callback", get(oauth::callback))
        .route("/playground/chat", post(crate::playground::chat))
        .route("/playground/me", get(crate::playground::me))
        .route("/playground/videos", post(crate::playground::video::submit).get(crate::playground::video::history))
        .route("/playground/videos/{job_id}", get(crate::playground::video::job))
        .with_state(state.clone())
        .merge(pages)
        .layer(axum::middleware::from_fn(middleware::same_origin_writes))
        .layer(axum::middleware::from_fn(middleware::client_ip))
        .layer(sessions)
        .layer(TraceLayer::new_for_http());

    Ok(api
        .merge(console)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(middleware::MakeRequestUuidV7))
        .layer(axum::middleware::from_fn(middleware::drop_client_request_id)))
}

/// A running server (tests start one on port 0).
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
        // streams still running record when they end; then everything is written
        self.state.recorder.shutdown(std::time::Duration::from_secs(30)).await;
    }
}

/// How often a replica looks for catalog changes made through another replica.
const CATALOG_POLL: std::time::Duration = std::time::Duration::from_secs(10);

/// Binds `state.config.addr` and serves until `stop` (or the process ends).
pub async fn start(state: AppState) -> anyhow::Result<Running> {
    // the address first: nothing runs in the background of a server that cannot listen
    let listener = tokio::net::TcpListener::bind(&state.config.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", state.config.addr))?;
    state.catalog.reload(&state.db).await.map_err(|e| anyhow::anyhow!("cannot read the catalog changes: {e}"))?;
    state.catalog.watch(state.db.clone(), CATALOG_POLL);
    state.controls.sweep_hourly();
    crate::video::start(&state);
    let addr = listener.local_addr()?;
    let app = router(state.clone())?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        // small writes (stream events) go out at once
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "server stopped with an error");
        }
    });
    Ok(Running { addr, state, shutdown: Some(tx), task })
}
