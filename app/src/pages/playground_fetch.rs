//! The playground's browser side (hydrated build only): `fetch` the playground endpoints, read
//! the chat answer's body chunk by chunk as it arrives, and stop it on demand (the reader is
//! cancelled and the request aborted: the server bills what was produced).

use crate::api::playground::{error_text, CHAT_URL, MODEL_HEADER};
use js_sys::{Reflect, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, ReadableStreamDefaultReader, RequestCredentials, RequestInit, Response};

/// Why a chat did not (fully) happen.
pub enum Failure {
    /// [`stop`] was called.
    Stopped,
    /// What to tell the person.
    Message(String),
}

/// The answer in progress: its request (to abort it) and, once the headers are in, its reader.
struct Running {
    controller: AbortController,
    reader: Option<ReadableStreamDefaultReader>,
    stopped: bool,
}

thread_local! {
    /// One answer streams at a time (the page sends again only when it is over).
    static RUNNING: RefCell<Option<Running>> = const { RefCell::new(None) };
}

fn stopped() -> bool {
    RUNNING.with_borrow(|r| r.as_ref().is_none_or(|r| r.stopped))
}

/// Stops the answer in progress, if any.
pub fn stop() {
    RUNNING.with_borrow_mut(|r| {
        if let Some(r) = r.as_mut() {
            r.stopped = true;
            if let Some(reader) = &r.reader {
                let _ = reader.cancel();
            }
            r.controller.abort();
        }
    });
}

fn unreachable_server(e: JsValue) -> Failure {
    if stopped() {
        return Failure::Stopped;
    }
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_default();
    Failure::Message(if detail.is_empty() {
        "The server could not be reached; check your connection and try again.".into()
    } else {
        format!("The server could not be reached ({detail}); check your connection and try again.")
    })
}

async fn fetch(url: &str, init: &RequestInit) -> Result<Response, Failure> {
    let window = web_sys::window().ok_or_else(|| Failure::Message("no browser window".into()))?;
    let response = JsFuture::from(window.fetch_with_str_and_init(url, init)).await.map_err(unreachable_server)?;
    response.dyn_into::<Response>().map_err(|_| Failure::Message("the answer was not an HTTP response".into()))
}

async fn text_of(response: &Response) -> String {
    match response.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// An answer being read.
pub struct ChatStream {
    reader: ReadableStreamDefaultReader,
    /// The model that answers (`x-gateai-model`).
    pub model: Option<String>,
}

/// Sends the conversation; Ok once the answer's headers are in and its status is a success.
pub async fn open_chat(body: &str) -> Result<ChatStream, Failure> {
    let controller = AbortController::new().map_err(|_| Failure::Message("this browser cannot stop requests".into()))?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_credentials(RequestCredentials::SameOrigin);
    init.set_signal(Some(&controller.signal()));
    if let Ok(headers) = Headers::new() {
        let _ = headers.set("content-type", "application/json");
        let _ = headers.set("accept", "text/event-stream");
        init.set_headers(&headers);
    }
    init.set_body(&JsValue::from_str(body));
    RUNNING.with_borrow_mut(|r| *r = Some(Running { controller, reader: None, stopped: false }));
    let response = fetch(CHAT_URL, &init).await?;
    if !response.ok() {
        let text = text_of(&response).await;
        return Err(Failure::Message(error_text(response.status(), &text)));
    }
    let model = response.headers().get(MODEL_HEADER).ok().flatten().filter(|m| !m.is_empty());
    let Some(body) = response.body() else { return Err(Failure::Message("the answer had no body".into())) };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let stopped_meanwhile = RUNNING.with_borrow_mut(|r| match r.as_mut() {
        Some(r) => {
            r.reader = Some(reader.clone());
            r.stopped
        }
        None => true,
    });
    if stopped_meanwhile {
        let _ = reader.cancel();
        return Err(Failure::Stopped);
    }
    Ok(ChatStream { reader, model })
}

impl ChatStream {
    /// The next bytes of the answer; None at its end.
    pub async fn next(&self) -> Result<Option<Vec<u8>>, Failure> {
        let result = JsFuture::from(self.reader.read()).await.map_err(unreachable_server)?;
        if stopped() {
            return Err(Failure::Stopped);
        }
        let done = Reflect::get(&result, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool()).unwrap_or(true);
        if done {
            return Ok(None);
        }
        let value = Reflect::get(&result, &JsValue::from_str("value")).unwrap_or(JsValue::UNDEFINED);
        Ok(Some(value.dyn_into::<Uint8Array>().map(|a| a.to_vec()).unwrap_or_default()))
    }
}

/// Forgets the finished answer (after [`ChatStream::next`] returned its end or an error).
pub fn finished() {
    RUNNING.with_borrow_mut(|r| *r = None);
}

/// `GET url` on this origin: the status and body, or None when the server is unreachable.
pub async fn get_text(url: &str) -> Option<(u16, String)> {
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_credentials(RequestCredentials::SameOrigin);
    let response = fetch(url, &init).await.ok()?;
    let status = response.status();
    Some((status, text_of(&response).await))
}

/// `POST url` on this origin with a JSON body: the status and body, or what to tell the
/// person when the server is unreachable (the video playground's submit).
pub async fn post_json(url: &str, body: &str) -> Result<(u16, String), String> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_credentials(RequestCredentials::SameOrigin);
    if let Ok(headers) = Headers::new() {
        let _ = headers.set("content-type", "application/json");
        init.set_headers(&headers);
    }
    init.set_body(&JsValue::from_str(body));
    let window = web_sys::window().ok_or_else(|| "no browser window".to_string())?;
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| "The server could not be reached; check your connection and try again.".to_string())?;
    let response = response.dyn_into::<Response>().map_err(|_| "the answer was not an HTTP response".to_string())?;
    let status = response.status();
    Ok((status, text_of(&response).await))
}
