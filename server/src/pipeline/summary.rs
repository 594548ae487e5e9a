//! The little the pipeline needs to know about a body before routing it, read once from
//! either protocol's JSON: model, fallbacks, streaming, and what the request needs.

use crate::gateway::error::GatewayError;
use crate::http::Protocol;
use crate::routing::Needs;
use serde_json::Value;

#[derive(Clone, Debug)]
pub struct Summary {
    pub model: String,
    pub fallbacks: Vec<String>,
    pub stream: bool,
    pub include_usage: bool,
    pub needs: Needs,
}

/// Model names: letters, digits and `/ - . _ :` (and `@` for dated variants), 1–200 chars.
fn valid_model(m: &str) -> bool {
    !m.is_empty() && m.len() <= 200 && m.chars().all(|c| c.is_ascii_alphanumeric() || "/-._:@".contains(c))
}

pub fn summarize(protocol: Protocol, body: &Value) -> Result<Summary, GatewayError> {
    let models: Vec<String> = body
        .get("models")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|m| m.as_str().map(str::trim).map(String::from)).collect())
        .unwrap_or_default();
    let model = match body.get("model") {
        None | Some(Value::Null) => match models.first() {
            Some(m) => m.clone(),
            None => return Err(GatewayError::ModelRequired),
        },
        Some(Value::String(s)) => s.trim().to_string(),
        Some(_) => return Err(GatewayError::InvalidModel),
    };
    if !valid_model(&model) {
        return Err(GatewayError::InvalidModel);
    }
    let fallbacks = models.into_iter().filter(|m| *m != model && valid_model(m)).collect();
    let stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let include_usage = body.pointer("/stream_options/include_usage").and_then(Value::as_bool).unwrap_or(false);
    let mut needs = Needs {
        tools: body.get("tools").and_then(|t| t.as_array()).is_some_and(|a| !a.is_empty()),
        ..Needs::default()
    };
    let max = match protocol {
        Protocol::OpenAi => body.get("max_completion_tokens").or_else(|| body.get("max_tokens")),
        Protocol::Anthropic => body.get("max_tokens"),
    };
    needs.max_output = max.and_then(Value::as_u64);
    let mut chars = 0usize;
    walk(body.get("system"), &mut needs, &mut chars);
    walk(body.get("messages"), &mut needs, &mut chars);
    if let Some(t) = body.get("tools") {
        chars += t.to_string().len();
    }
    needs.input_tokens += (chars / 4) as u64;
    Ok(Summary { model, fallbacks, stream, include_usage, needs })
}

/// Counts text and finds images and audio in both protocols' content shapes.
fn walk(v: Option<&Value>, needs: &mut Needs, chars: &mut usize) {
    let Some(v) = v else { return };
    match v {
        Value::String(s) => *chars += s.len(),
        Value::Array(a) => a.iter().for_each(|x| walk(Some(x), needs, chars)),
        Value::Object(o) => match o.get("type").and_then(Value::as_str) {
            Some("image_url") | Some("image") => {
                needs.images = true;
                needs.input_tokens += 1000;
            }
            Some("input_audio") | Some("audio") => {
                needs.audio = true;
                needs.input_tokens += 1000;
            }
            _ => {
                for (k, x) in o {
                    if k != "cache_control" && k != "signature" {
                        walk(Some(x), needs, chars);
                    }
                }
            }
        },
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn model_rules_follow_the_seed() {
        let p = Protocol::OpenAi;
        assert_eq!(summarize(p, &json!({"messages": []})).err(), Some(GatewayError::ModelRequired));
        assert_eq!(summarize(p, &json!({"model": ""})).err(), Some(GatewayError::InvalidModel));
        assert_eq!(summarize(p, &json!({"model": "  "})).err(), Some(GatewayError::InvalidModel));
        assert_eq!(summarize(p, &json!({"model": 3})).err(), Some(GatewayError::InvalidModel));
        assert_eq!(summarize(p, &json!({"model": "a b"})).err(), Some(GatewayError::InvalidModel));
        let s = summarize(p, &json!({"models": ["x/a", "x/b"]})).expect("models list");
        assert_eq!((s.model.as_str(), s.fallbacks.len()), ("x/a", 1));
    }

    #[test]
    fn needs_are_found_in_both_shapes() {
        let o = json!({"model": "m", "messages": [{"role": "user", "content": [
            {"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}],
            "tools": [{"type": "function", "function": {"name": "f"}}], "max_completion_tokens": 50});
        let s = summarize(Protocol::OpenAi, &o).expect("ok");
        assert!(s.needs.images && s.needs.tools && !s.needs.audio);
        assert_eq!(s.needs.max_output, Some(50));
        let a = json!({"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": [
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}]}]});
        assert!(summarize(Protocol::Anthropic, &a).expect("ok").needs.images);
        let audio = json!({"model": "m", "messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "", "format": "wav"}}]}]});
        assert!(summarize(Protocol::OpenAi, &audio).expect("ok").needs.audio);
    }
}
