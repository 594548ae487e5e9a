//! Translation between the OpenAI Chat Completions and Anthropic Messages wire formats.
//!
//! Pure and synchronous: JSON values and SSE events in, JSON values and ready-to-write SSE frames out.
//! The rules are those of PROTOCOLS.md §3 (field map, request rules, stream state machines, pitfalls).
//!
//! - [`request`]: request bodies in both directions, plus the structural checks run even on pass-through.
//! - [`response`]: non-stream responses in both directions.
//! - [`stream`]: upstream SSE events → client frames, for the four client/upstream pairs.
//! - [`usage`]: one normalized [`usage::Usage`] (Anthropic convention: `input` excludes cache reads and writes).
//! - [`estimate`]: token estimates with the o200k_base tokenizer.
//! - [`sse`]: an incremental SSE parser and the frame writers.

pub mod estimate;
pub mod request;
pub mod response;
pub mod sse;
pub mod stream;
pub mod usage;

mod arguments;
mod clock;
mod ids;
mod stop_reasons;
mod tool_names;

#[cfg(test)]
mod tests;

pub use tool_names::ToolNames;

/// Wire format spoken by a client or an upstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    OpenAi,
    Anthropic,
}

/// A request that cannot be translated or is structurally invalid; the pipeline answers it with a 400.
/// `message` is shown to the client as is; `param` names the offending field when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct TranslateError {
    pub message: String,
    pub param: Option<String>,
}

impl TranslateError {
    pub fn new(message: impl Into<String>) -> Self {
        TranslateError { message: message.into(), param: None }
    }

    pub fn with_param(message: impl Into<String>, param: impl Into<String>) -> Self {
        TranslateError { message: message.into(), param: Some(param.into()) }
    }
}

impl std::fmt::Display for TranslateError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for TranslateError {}
