//! Images and documents between OpenAI parts and Anthropic blocks (PROTOCOLS 3.4): a data URL and a base64 source
//! carry the same bytes; http(s) URLs stay URLs.

use super::super::TranslateError;
use serde_json::{json, Value};

/// Image types Anthropic accepts.
const ANTHROPIC_IMAGE_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/// A `data:` URL split into its media type and base64 payload.
struct DataUrl<'a> {
    media_type: String,
    base64_data: &'a str,
}

fn parse_data_url(url: &str) -> Option<DataUrl<'_>> {
    let rest = url.strip_prefix("data:")?;
    let (header, base64_data) = rest.split_once(',')?;
    let mut header_parts = header.split(';');
    let media_type = header_parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    if !header_parts.any(|part| part.trim().eq_ignore_ascii_case("base64")) {
        return None;
    }
    let media_type = if media_type == "image/jpg" { "image/jpeg".to_string() } else { media_type };
    Some(DataUrl { media_type, base64_data })
}

fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// Anthropic `image` block for an OpenAI `image_url` part (`detail` is dropped).
pub(super) fn openai_image_to_anthropic(part: &Value) -> Result<Value, TranslateError> {
    let url = part
        .pointer("/image_url/url")
        .or_else(|| part.get("image_url").filter(|value| value.is_string()))
        .and_then(Value::as_str)
        .ok_or_else(|| TranslateError::with_param("image_url part has no url", "messages"))?;
    if is_web_url(url) {
        return Ok(json!({"type": "image", "source": {"type": "url", "url": url}}));
    }
    let data_url = parse_data_url(url).ok_or_else(|| {
        TranslateError::with_param("image_url must be an http(s) URL or a base64 data URL", "messages")
    })?;
    if !ANTHROPIC_IMAGE_TYPES.contains(&data_url.media_type.as_str()) {
        return Err(TranslateError::with_param(
            format!("image type {} is not supported by this model (use jpeg, png, gif or webp)", data_url.media_type),
            "messages",
        ));
    }
    Ok(json!({"type": "image", "source": {
        "type": "base64", "media_type": data_url.media_type, "data": data_url.base64_data,
    }}))
}

/// Anthropic `document` block for an OpenAI `file` part carrying `file_data` (a base64 data URL, PDF or text).
pub(super) fn openai_file_to_anthropic(part: &Value) -> Result<Value, TranslateError> {
    let file = part.get("file").unwrap_or(&Value::Null);
    let Some(file_data) = file.get("file_data").and_then(Value::as_str) else {
        return Err(TranslateError::with_param(
            "file parts must carry file_data; file_id references are not supported for this model",
            "messages",
        ));
    };
    let data_url = parse_data_url(file_data)
        .ok_or_else(|| TranslateError::with_param("file_data must be a base64 data URL", "messages"))?;
    if data_url.media_type != "application/pdf" {
        return Err(TranslateError::with_param(
            format!("file type {} is not supported by this model (use application/pdf)", data_url.media_type),
            "messages",
        ));
    }
    let mut document = json!({"type": "document", "source": {
        "type": "base64", "media_type": "application/pdf", "data": data_url.base64_data,
    }});
    if let Some(filename) = file.get("filename").and_then(Value::as_str) {
        document["title"] = json!(filename);
    }
    Ok(document)
}

/// OpenAI `image_url` part for an Anthropic `image` block.
pub(super) fn anthropic_image_to_openai(block: &Value) -> Result<Value, TranslateError> {
    let source = block.get("source").unwrap_or(&Value::Null);
    let url = match source.get("type").and_then(Value::as_str) {
        Some("base64") => {
            let media_type = source.get("media_type").and_then(Value::as_str).unwrap_or("image/png");
            let data = source.get("data").and_then(Value::as_str).unwrap_or_default();
            format!("data:{media_type};base64,{data}")
        }
        Some("url") => source.get("url").and_then(Value::as_str).unwrap_or_default().to_string(),
        _ => {
            return Err(TranslateError::with_param(
                "image blocks must have a base64 or url source for this model",
                "messages",
            ))
        }
    };
    Ok(json!({"type": "image_url", "image_url": {"url": url}}))
}

/// OpenAI part for an Anthropic `document` block: text sources become text, base64 PDFs a `file` part.
pub(super) fn anthropic_document_to_openai(block: &Value) -> Result<Value, TranslateError> {
    let source = block.get("source").unwrap_or(&Value::Null);
    match source.get("type").and_then(Value::as_str) {
        Some("text") => {
            let text = source.get("data").and_then(Value::as_str).unwrap_or_default();
            Ok(json!({"type": "text", "text": text}))
        }
        Some("base64") => {
            let media_type = source.get("media_type").and_then(Value::as_str).unwrap_or("application/pdf");
            let data = source.get("data").and_then(Value::as_str).unwrap_or_default();
            let filename = block.get("title").and_then(Value::as_str).unwrap_or("document.pdf");
            Ok(json!({"type": "file", "file": {
                "filename": filename, "file_data": format!("data:{media_type};base64,{data}"),
            }}))
        }
        _ => Err(TranslateError::with_param(
            "document blocks must have a base64 or text source for this model",
            "messages",
        )),
    }
}
