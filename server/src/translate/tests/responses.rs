//! Non-stream helpers beyond the golden fixtures.

use super::super::response::{anthropic_usage, openai_to_anthropic_response, openai_usage, set_model};
use super::super::ToolNames;
use serde_json::json;

#[test]
fn pass_through_responses_get_the_gateway_model_and_their_usage_read() {
    let mut resp = json!({"id": "x", "model": "upstream-model", "usage": {"prompt_tokens": 9, "completion_tokens": 2}});
    set_model(&mut resp, "gw/model");
    assert_eq!(resp["model"], json!("gw/model"));
    assert_eq!(openai_usage(&resp).map(|usage| (usage.input, usage.output)), Some((9, 2)));
    let message = json!({"usage": {"input_tokens": 3, "output_tokens": 4, "cache_read_input_tokens": 5}});
    assert_eq!(anthropic_usage(&message).map(|usage| usage.prompt_total()), Some(8));
    let mut not_an_object = json!([1]);
    set_model(&mut not_an_object, "gw/model");
    assert_eq!(not_an_object, json!([1]));
}

#[test]
fn malformed_openai_responses_still_give_a_message() {
    for resp in [
        json!({}),
        json!({"choices": null}),
        json!({"choices": [{"message": {"content": null,
        "tool_calls": [{"function": {"name": "f", "arguments": {"a": 1}}}]}}]}),
    ] {
        let message = openai_to_anthropic_response(&resp, "gw", &ToolNames::default());
        assert_eq!(message["type"], json!("message"));
        assert!(message["id"].as_str().unwrap().starts_with("msg_"));
        assert_eq!(message["usage"]["cache_read_input_tokens"], json!(0));
    }
    let with_object_arguments =
        json!({"choices": [{"message": {"tool_calls": [{"function": {"name": "f", "arguments": {"a": 1}}}]}}]});
    let message = openai_to_anthropic_response(&with_object_arguments, "gw", &ToolNames::default());
    assert_eq!(message["content"][0]["input"], json!({"a": 1}));
    assert_eq!(message["stop_reason"], json!("tool_use"));
    assert!(message["content"][0]["id"].as_str().unwrap().starts_with("toolu_"));
}
