//! The usage map of PROTOCOLS 3.1: cached tokens are a subset of OpenAI's prompt, not of Anthropic's input.

use super::super::usage::Usage;
use serde_json::json;

fn usage(input: u64, cache_read: u64, cache_write: u64, output: u64, reasoning: u64) -> Usage {
    Usage { input, cache_read, cache_write, output, reasoning }
}

#[test]
fn openai_usage_maps_to_the_anthropic_convention() {
    let table = [
        (json!({"prompt_tokens": 120, "completion_tokens": 18, "total_tokens": 138}), usage(120, 0, 0, 18, 0)),
        (
            json!({"prompt_tokens": 120, "completion_tokens": 18, "prompt_tokens_details": {"cached_tokens": 64},
                   "completion_tokens_details": {"reasoning_tokens": 5}}),
            usage(56, 64, 0, 18, 5),
        ),
        (
            json!({"prompt_tokens": 1200, "completion_tokens": 90, "prompt_cache_hit_tokens": 1024, "prompt_cache_miss_tokens": 176}),
            usage(176, 1024, 0, 90, 0),
        ),
        (
            json!({"prompt_cache_hit_tokens": 10, "prompt_cache_miss_tokens": 5, "completion_tokens": 1}),
            usage(5, 10, 0, 1, 0),
        ),
        (
            json!({"prompt_tokens": 500, "completion_tokens": 2, "prompt_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 300}}),
            usage(100, 100, 300, 2, 0),
        ),
        (json!({"prompt_tokens": 10.0, "completion_tokens": 3}), usage(10, 0, 0, 3, 0)),
        (
            json!({"prompt_tokens": 5, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 9}}),
            usage(0, 9, 0, 1, 0),
        ),
    ];
    for (wire, expected) in table {
        assert_eq!(Usage::from_openai(&wire), Some(expected), "{wire}");
    }
    assert_eq!(Usage::from_openai(&json!(null)), None);
    assert_eq!(Usage::from_openai(&json!({})), None);
}

#[test]
fn anthropic_usage_is_read_as_is() {
    let wire = json!({"input_tokens": 12, "output_tokens": 40, "cache_creation_input_tokens": 7, "cache_read_input_tokens": 2048});
    assert_eq!(Usage::from_anthropic(&wire), Some(usage(12, 2048, 7, 40, 0)));
    assert_eq!(Usage::from_anthropic(&json!({"output_tokens": 3})), Some(usage(0, 0, 0, 3, 0)));
    assert_eq!(Usage::from_anthropic(&json!({"service_tier": "standard"})), None);
}

#[test]
fn anthropic_snapshots_set_fields_and_never_add() {
    let mut total = Usage::from_anthropic(&json!({"input_tokens": 12, "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 2048, "output_tokens": 1}))
    .unwrap();
    total.merge_anthropic_snapshot(&json!({"output_tokens": 40}));
    assert_eq!(total, usage(12, 2048, 0, 40, 0));
    total.merge_anthropic_snapshot(&json!({"input_tokens": 12, "cache_read_input_tokens": 1024, "cache_creation_input_tokens": 1024, "output_tokens": 41}));
    assert_eq!(total, usage(12, 1024, 1024, 41, 0));
    total.merge_anthropic_snapshot(&json!({"output_tokens": null}));
    assert_eq!(total.output, 41);
}

#[test]
fn usage_renders_in_both_formats() {
    let both = usage(12, 2048, 100, 85, 30);
    assert_eq!(both.prompt_total(), 2160);
    assert_eq!(
        both.to_openai(),
        json!({"prompt_tokens": 2160, "completion_tokens": 85, "total_tokens": 2245,
        "prompt_tokens_details": {"cached_tokens": 2048}, "completion_tokens_details": {"reasoning_tokens": 30}})
    );
    assert_eq!(
        both.to_anthropic(),
        json!({"input_tokens": 12, "output_tokens": 85,
        "cache_creation_input_tokens": 100, "cache_read_input_tokens": 2048})
    );
    assert_eq!(Usage::default().to_anthropic()["cache_read_input_tokens"], json!(0));
}

#[test]
fn round_trips_keep_the_numbers() {
    let original = usage(56, 64, 0, 18, 5);
    assert_eq!(Usage::from_openai(&original.to_openai()), Some(original));
    let anthropic = usage(12, 2048, 100, 85, 0);
    assert_eq!(Usage::from_anthropic(&anthropic.to_anthropic()), Some(anthropic));
}
