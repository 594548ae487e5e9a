//! SSE framing and a channel-backed streaming body: each frame is flushed on its own (with the
//! configured pause between frames), and a `Cut` aborts the connection without a terminal event.

use super::UpstreamDouble;
use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;
use std::io;
use std::time::Duration;

pub(crate) enum Frame {
    Bytes(String),
    /// drop the connection abruptly (no terminating chunk)
    Cut,
}

/// OpenAI style: `data: <json>` + blank line.
pub(crate) fn data(v: &Value) -> Frame {
    Frame::Bytes(format!("data: {}\n\n", to_json(v)))
}

/// Anthropic style: `event: <name>` + `data: <json>` + blank line.
pub(crate) fn event(name: &str, v: &Value) -> Frame {
    Frame::Bytes(format!("event: {name}\ndata: {}\n\n", to_json(v)))
}

/// Compact JSON with keys in the order the providers send them (`type`/`id` first…), not
/// serde_json's alphabetical order.
pub(crate) fn to_json(v: &Value) -> String {
    const FIRST: &[&str] =
        &["type", "index", "id", "object", "created", "model", "role", "name", "status", "delta", "content_block", "message", "content", "choices"];
    match v {
        Value::Array(items) => format!("[{}]", items.iter().map(to_json).collect::<Vec<_>>().join(",")),
        Value::Object(map) => {
            let rank = |k: &str| FIRST.iter().position(|f| *f == k).unwrap_or(FIRST.len());
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| rank(k)); // stable: the rest stays alphabetical
            let fields: Vec<String> = keys.iter().map(|k| format!("{}:{}", Value::from(k.as_str()), to_json(&map[k.as_str()]))).collect();
            format!("{{{}}}", fields.join(","))
        }
        scalar => scalar.to_string(),
    }
}

pub(crate) fn done() -> Frame {
    Frame::Bytes("data: [DONE]\n\n".into())
}

/// The comment DeepSeek sends while it thinks; clients must ignore it.
pub(crate) fn keep_alive() -> Frame {
    Frame::Bytes(": keep-alive\n\n".into())
}

/// Streams `frames` as `text/event-stream`.
pub(crate) fn respond(d: &UpstreamDouble, frames: Vec<Frame>) -> Response {
    let (delay, split) = {
        let g = d.lock();
        (g.chunk_delay, g.split_writes)
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, io::Error>>(8);
    tokio::spawn(async move {
        for (i, frame) in frames.into_iter().enumerate() {
            if i > 0 && !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            match frame {
                Frame::Bytes(s) => {
                    let mut b = Bytes::from(s.into_bytes());
                    if split && b.len() > 1 {
                        // cut at an arbitrary byte, possibly inside a UTF-8 sequence
                        let head = b.split_to(b.len() * 2 / 3);
                        if tx.send(Ok(head)).await.is_err() {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(3)).await;
                    }
                    if tx.send(Ok(b)).await.is_err() {
                        return; // the client went away
                    }
                }
                Frame::Cut => {
                    // let the frames already handed over reach the socket first
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    let _ = tx.send(Err(io::Error::new(io::ErrorKind::ConnectionAborted, "cut by the upstream double"))).await;
                    return;
                }
            }
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    Response::builder()
        .status(200)
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(Body::from_stream(stream))
        .expect("response")
}

/// Applies a cut or an in-band error to a full stream: keeps its first `n` frames (never the
/// terminal one), then cuts or sends `error`; optionally puts one keep-alive comment in the middle.
pub(crate) fn shape(mut frames: Vec<Frame>, cut: Option<usize>, inband: Option<(usize, Frame)>, keep_alive_comment: bool) -> Vec<Frame> {
    let keep = |frames: &mut Vec<Frame>, n: usize| frames.truncate(n.min(frames.len().saturating_sub(1)));
    let mut tail = None;
    if let Some(n) = cut {
        keep(&mut frames, n);
        tail = Some(Frame::Cut);
    } else if let Some((n, error)) = inband {
        keep(&mut frames, n);
        tail = Some(error);
    }
    if keep_alive_comment && frames.len() >= 2 {
        frames.insert(frames.len() / 2, keep_alive());
    }
    frames.extend(tail);
    frames
}
