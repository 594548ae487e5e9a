//! Streams: upstream SSE events in, client frames (ready-to-write strings) out, for the four client/upstream pairs.
//!
//! | client \ upstream | OpenAI | Anthropic |
//! |---|---|---|
//! | OpenAI | [`openai_passthrough`] | [`anthropic_to_openai`] (PROTOCOLS 3.3 table) |
//! | Anthropic | [`openai_to_anthropic`] (PROTOCOLS 3.2 state machine) | [`anthropic_passthrough`] |
//!
//! Every translator ends the client's stream properly whatever happens upstream: on EOF ([`StreamTranslator::finish`])
//! it closes what is open and sends the terminal event; on a failure ([`StreamTranslator::fail`]) it sends an in-band
//! error in the client's protocol. Nothing is sent after the terminal event.

mod anthropic_passthrough;
mod anthropic_to_openai;
mod errors;
mod openai_chunks;
mod openai_passthrough;
mod openai_to_anthropic;

use super::sse::SseEvent;
use super::usage::Usage;
use super::{Dialect, ToolNames};

/// Translates one upstream stream for one client.
pub trait StreamTranslator: Send {
    /// One upstream event → the frames to write to the client (possibly none).
    fn on_event(&mut self, ev: &SseEvent) -> Vec<String>;
    /// Upstream body ended (EOF). If the terminal event was not seen: close open blocks and end properly (OpenAI:
    /// finish chunk + usage chunk if wanted + `[DONE]`; Anthropic: content_block_stop, message_delta, message_stop).
    /// If the client got nothing yet, an in-band error instead. Idempotent.
    fn finish(&mut self) -> Vec<String>;
    /// Upstream failed mid-stream (network error, idle timeout): in-band error in the client's protocol (OpenAI
    /// error chunk then `[DONE]`; Anthropic `event: error`, no message_stop). Afterwards the stream counts as finished.
    fn fail(&mut self, message: &str) -> Vec<String>;
    /// Best known usage so far (Anthropic snapshot rule). When the upstream reported nothing, `input` is
    /// `StreamOptions::input_estimate` and `output` 0: estimate output from [`StreamTranslator::output_text`].
    fn usage(&self) -> Usage;
    /// The upstream actually reported output usage (OpenAI usage chunk, Anthropic message_delta/usage).
    fn usage_reported(&self) -> bool;
    /// The client already got the terminal event (`[DONE]`, message_stop or an error event).
    fn finished(&self) -> bool;
    /// Text, reasoning and tool arguments produced so far (for estimating output tokens when no usage came).
    fn output_text(&self) -> &str;
}

/// What the translator needs to know about the request.
#[derive(Clone, Debug, Default)]
pub struct StreamOptions {
    /// The gateway model id echoed to the client in every chunk / message_start.
    pub model: String,
    /// The OpenAI client asked `stream_options.include_usage` (ignored for Anthropic clients).
    pub include_usage: bool,
    /// Estimated prompt tokens, used where the upstream has not (yet) reported usage.
    pub input_estimate: u64,
    /// Tool names shortened in the request, restored in the client's stream.
    pub names: ToolNames,
}

/// The translator for a `client` reading from an `upstream`.
pub fn translator(client: Dialect, upstream: Dialect, opts: StreamOptions) -> Box<dyn StreamTranslator> {
    match (client, upstream) {
        (Dialect::OpenAi, Dialect::OpenAi) => Box::new(openai_passthrough::OpenAiPassthrough::new(opts)),
        (Dialect::Anthropic, Dialect::Anthropic) => Box::new(anthropic_passthrough::AnthropicPassthrough::new(opts)),
        (Dialect::OpenAi, Dialect::Anthropic) => Box::new(anthropic_to_openai::AnthropicToOpenAi::new(opts)),
        (Dialect::Anthropic, Dialect::OpenAi) => Box::new(openai_to_anthropic::OpenAiToAnthropic::new(opts)),
    }
}

/// Best-known usage for a client-facing final usage when the upstream reported none: the input estimate (unless
/// input was reported) and the output counted from the streamed text.
pub(crate) fn estimated_usage(known: Usage, reported_input: bool, input_estimate: u64, output_text: &str) -> Usage {
    Usage {
        input: if reported_input { known.input } else { input_estimate },
        output: super::estimate::count_text(output_text),
        ..known
    }
}
