//! A streamed answer. The upstream is read by a task of its own that sends finished frames
//! to the client through a bounded channel, so that a client going away stops the upstream
//! call (dropping it) and the task still bills what was produced and logs the request —
//! nothing after an `.await` in the response body itself can be skipped by a disconnect.

use super::prepare::dialect;
use super::record::Draft;
use super::{answer_headers, Answer, Call};
use crate::http::Protocol;
use crate::providers::UpstreamResponse;
use crate::state::AppState;
use crate::translate::sse::SseParser;
use crate::translate::stream::{translator, StreamOptions};
use crate::translate::{estimate, sse};
use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::mpsc;

enum Outcome {
    /// The upstream ended (normally or not; the translator closed the stream properly).
    Ended,
    ClientGone,
    UpstreamFailed(&'static str),
}

pub fn deliver(state: &AppState, call: &Call, resp: UpstreamResponse, a: Answer, mut draft: Draft) -> Response {
    let cfg = &state.config.gateway;
    let keepalive = Duration::from_secs(cfg.keepalive_secs.max(1));
    let idle = Duration::from_secs(cfg.idle_timeout_secs.max(1));
    let client = call.client;
    let body = call.body.clone();
    let opts = StreamOptions {
        model: a.model.id.clone(),
        include_usage: a.summary.include_usage,
        input_estimate: a.summary.needs.input_tokens,
        names: a.prepared.names.clone(),
    };
    let mut tr = translator(dialect(client), a.prepared.upstream, opts);
    let (tx, rx) = mpsc::channel::<Bytes>(32);
    let guard = state.recorder.stream_started();
    let recorder = state.recorder.clone();
    let prices = a.prices;
    let input_estimate = a.summary.needs.input_tokens;
    tokio::spawn(async move {
        let _guard = guard;
        let mut upstream = resp.response.bytes_stream();
        let mut parser = SseParser::new();
        let mut silent = Duration::ZERO;
        let outcome = 'read: loop {
            let next = tokio::select! {
                n = tokio::time::timeout(keepalive, upstream.next()) => n,
                _ = tx.closed() => break 'read Outcome::ClientGone,
            };
            let (frames, end) = match next {
                Err(_) => {
                    silent += keepalive;
                    if silent >= idle {
                        (tr.fail("upstream idle timeout"), Some(Outcome::UpstreamFailed("upstream idle timeout")))
                    } else {
                        (vec![keepalive_frame(client)], None)
                    }
                }
                Ok(Some(Ok(bytes))) => {
                    silent = Duration::ZERO;
                    (parser.push(&bytes).iter().flat_map(|ev| tr.on_event(ev)).collect(), None)
                }
                Ok(Some(Err(_))) => (tr.fail("upstream connection lost"), Some(Outcome::UpstreamFailed("upstream connection lost"))),
                Ok(None) => {
                    let mut f: Vec<String> = parser.finish().iter().flat_map(|ev| tr.on_event(ev)).collect();
                    f.extend(tr.finish());
                    (f, Some(Outcome::Ended))
                }
            };
            for f in frames {
                if f.is_empty() {
                    continue;
                }
                if !f.starts_with(':') && !f.contains("\"ping\"") {
                    draft.first_token();
                }
                if tx.send(Bytes::from(f)).await.is_err() {
                    break 'read Outcome::ClientGone;
                }
            }
            if let Some(o) = end {
                break o;
            }
        };
        drop(upstream); // cancels the upstream call if it is still running

        let mut usage = tr.usage();
        let estimated = !tr.usage_reported();
        if estimated {
            // the translators fall back to the summary's rough estimate for the input; when
            // the upstream never said, count the request with the tokenizer instead
            let rough = usage.input == input_estimate && usage.cache_read == 0 && usage.cache_write == 0;
            if rough || usage.input + usage.cache_read + usage.cache_write == 0 {
                usage.input = match client {
                    Protocol::OpenAi => estimate::openai_request_tokens(&body),
                    Protocol::Anthropic => estimate::anthropic_request_tokens(&body),
                };
            }
            usage.output = usage.output.max(estimate::count_text(tr.output_text()));
        }
        let cost = match crate::billing::pricing::cost_units(&prices, &usage) {
            Some(c) => c,
            None => {
                tracing::error!("billing configuration error: cost out of range");
                0
            }
        };
        draft.usage(&usage, cost, estimated);
        match outcome {
            Outcome::Ended => {}
            Outcome::ClientGone if tr.finished() => {}
            Outcome::ClientGone => draft.status(499, Some("client closed the connection".into())),
            Outcome::UpstreamFailed(why) => draft.status(502, Some(why.into())),
        }
        recorder.record(draft.finish()).await;
    });

    let stream = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx)) });
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = StatusCode::OK;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    answer_headers(h, &a.model, a.reason.as_deref());
    resp
}

/// Keeps intermediaries from closing a silent stream: Anthropic's own `ping` event; for
/// OpenAI clients a comment line without a blank line after it (parsers that dispatch an
/// empty event on a lone blank line stay happy).
fn keepalive_frame(client: Protocol) -> String {
    match client {
        Protocol::Anthropic => sse::anthropic_ping(),
        Protocol::OpenAi => ": ping\n".into(),
    }
}
