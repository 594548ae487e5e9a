//! Identifiers: tool-call ids valid on both sides, and message ids derived from upstream ids so outputs are stable.

/// `id` with every character outside `[a-zA-Z0-9_-]` replaced by `_` (Anthropic requires `^[a-zA-Z0-9_-]+$`;
/// upstreams send ids like `functions.Bash:0`). An empty id becomes `toolu_` + `fallback_suffix`.
pub(crate) fn normalize_tool_id(id: &str, fallback_suffix: &str) -> String {
    if id.is_empty() {
        return format!("toolu_{}", keep_id_chars(fallback_suffix));
    }
    keep_id_chars(id)
}

/// Anthropic message id for an OpenAI completion id: `msg_` + the id's safe characters, or a random uuid.
pub(crate) fn anthropic_message_id(upstream_id: Option<&str>) -> String {
    match upstream_id.filter(|id| !id.is_empty()) {
        Some(id) => format!("msg_{}", keep_id_chars(id)),
        None => format!("msg_{}", uuid::Uuid::new_v4().simple()),
    }
}

/// OpenAI completion id for an Anthropic message id: `chatcmpl-` + the id, or a random uuid.
pub(crate) fn openai_completion_id(upstream_id: Option<&str>) -> String {
    match upstream_id.filter(|id| !id.is_empty()) {
        Some(id) => format!("chatcmpl-{id}"),
        None => format!("chatcmpl-{}", uuid::Uuid::new_v4().simple()),
    }
}

fn keep_id_chars(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect()
}
