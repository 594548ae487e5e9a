//! Finish/stop reasons between the formats (PROTOCOLS 3.1), with the tool override: a turn that emitted a tool
//! call reports `tool_calls`/`tool_use` whatever the upstream said (pitfall 1).

/// OpenAI `finish_reason` for an Anthropic `stop_reason`.
pub(crate) fn openai_finish_reason(stop_reason: Option<&str>, emitted_tool_call: bool) -> &'static str {
    if emitted_tool_call {
        return "tool_calls";
    }
    match stop_reason {
        Some("max_tokens") | Some("model_context_window_exceeded") => "length",
        Some("tool_use") => "tool_calls",
        Some("refusal") => "content_filter",
        _ => "stop", // end_turn, stop_sequence, pause_turn, unknown
    }
}

/// Anthropic `stop_reason` for an OpenAI `finish_reason`.
pub(crate) fn anthropic_stop_reason(finish_reason: Option<&str>, emitted_tool_call: bool) -> &'static str {
    if emitted_tool_call {
        return "tool_use";
    }
    match finish_reason {
        Some("length") => "max_tokens",
        Some("tool_calls") | Some("function_call") => "tool_use",
        Some("content_filter") => "refusal",
        _ => "end_turn",
    }
}
