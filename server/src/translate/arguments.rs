//! Tool-call arguments: OpenAI sends a JSON *string*, Anthropic wants a JSON *object*. Parsing never fails:
//! empty → `{}`, truncated JSON is repaired by closing open strings and brackets, anything else → `{"_raw": text}`.

use serde_json::{Map, Value};

/// The tool input object for an OpenAI `arguments` string.
pub(crate) fn parse_arguments(arguments: &str) -> Value {
    let trimmed = arguments.trim();
    if trimmed.is_empty() {
        return Value::Object(Map::new());
    }
    let parsed = serde_json::from_str::<Value>(trimmed).ok().or_else(|| repair_truncated_json(trimmed));
    match parsed {
        Some(Value::Object(object)) => Value::Object(object),
        Some(Value::Null) => Value::Object(Map::new()),
        Some(other) => raw_arguments(other.to_string()),
        None => raw_arguments(arguments.to_string()),
    }
}

/// The tool input of an OpenAI tool call object (`function.arguments` may be a string, or an object from lax upstreams).
pub(crate) fn arguments_value(arguments: Option<&Value>) -> Value {
    match arguments {
        Some(Value::String(text)) => parse_arguments(text),
        Some(Value::Object(object)) => Value::Object(object.clone()),
        Some(Value::Null) | None => Value::Object(Map::new()),
        Some(other) => raw_arguments(other.to_string()),
    }
}

fn raw_arguments(text: String) -> Value {
    let mut object = Map::new();
    object.insert("_raw".to_string(), Value::String(text));
    Value::Object(object)
}

/// Closes what a cut-off JSON text left open (string, objects, arrays) and parses the result.
fn repair_truncated_json(text: &str) -> Option<Value> {
    let mut closers: Vec<char> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => closers.push('}'),
            '[' => closers.push(']'),
            '}' | ']' if closers.pop() != Some(c) => return None,
            _ => {}
        }
    }
    if closers.is_empty() && !in_string {
        return None;
    }
    let mut repaired = text.to_string();
    if escaped {
        repaired.pop();
    }
    if in_string {
        repaired.push('"');
    }
    let kept_len = repaired.trim_end().len();
    repaired.truncate(kept_len);
    if repaired.ends_with(',') {
        repaired.pop();
    } else if repaired.ends_with(':') {
        // a key without a value: give it null
        repaired.push_str("null");
    }
    while let Some(closer) = closers.pop() {
        repaired.push(closer);
    }
    serde_json::from_str(&repaired).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_arguments_become_an_empty_object() {
        assert_eq!(parse_arguments(""), json!({}));
        assert_eq!(parse_arguments("  "), json!({}));
    }

    #[test]
    fn truncated_arguments_are_repaired() {
        assert_eq!(parse_arguments(r#"{"city": "Par"#), json!({"city": "Par"}));
        assert_eq!(parse_arguments(r#"{"a": [1, 2"#), json!({"a": [1, 2]}));
        assert_eq!(parse_arguments(r#"{"a": 1,"#), json!({"a": 1}));
        assert_eq!(parse_arguments(r#"{"a": 1, "b":"#), json!({"a": 1, "b": null}));
    }

    #[test]
    fn unparseable_arguments_are_kept_raw() {
        assert_eq!(parse_arguments("not json"), json!({"_raw": "not json"}));
        assert_eq!(parse_arguments("[1,2]"), json!({"_raw": "[1,2]"}));
        assert_eq!(parse_arguments(r#"{"a": 1}}"#), json!({"_raw": "{\"a\": 1}}"}));
    }
}
