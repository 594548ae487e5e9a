//! `GET /auth/oauth/{provider}/start` and `…/callback`.

use crate::accounts::oauth::OAuthError;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

pub async fn start(State(state): State<AppState>, session: Session, Path(provider): Path<String>) -> Response {
    match state.oauth.start(&session, &provider).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => back_to_sign_in(&e),
    }
}

#[derive(Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    Path(provider): Path<String>,
    Query(q): Query<CallbackParams>,
) -> Response {
    if let Some(err) = q.error {
        let words = q.error_description.unwrap_or(err);
        return back_to_sign_in(&OAuthError::Provider(words.chars().take(200).collect()));
    }
    let (Some(code), Some(st)) = (q.code, q.state) else { return back_to_sign_in(&OAuthError::BadState) };
    match state.oauth.callback(&state.db, &session, &provider, &code, &st).await {
        Ok(_) => Redirect::to("/").into_response(),
        Err(e) => back_to_sign_in(&e),
    }
}

fn back_to_sign_in(e: &OAuthError) -> Response {
    let msg: String = url::form_urlencoded::byte_serialize(e.to_string().as_bytes()).collect();
    Redirect::to(&format!("/sign-in?error={msg}")).into_response()
}
