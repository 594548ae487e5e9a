use super::*;

fn model(id: &str, provider: &str, input: &str, context: u64) -> ModelInfo {
    ModelInfo {
        id: id.into(),
        name: id.into(),
        provider: provider.into(),
        description: "A test model".into(),
        use_case: "General purpose".into(),
        kind: ModelKind::Chat,
        context,
        max_output: 1000,
        image_input: false,
        audio_input: false,
        tools: true,
        reasoning: false,
        token_param: "max_tokens".into(),
        price_input: parse_decimal(input),
        price_output: parse_decimal("2"),
        price_cached_input: None,
        price_cache_write: None,
        price_video: None,
        fps: None,
    }
}

fn query<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
}

#[test]
fn filter_reads_the_query_and_explains_bad_values() {
    let (f, errors) = ModelFilter::parse(query(&[("q", " gpt "), ("max_price", "1.5"), ("min_context", "128,000"), ("tools", "on")]));
    assert_eq!(f.q, "gpt");
    assert_eq!(f.max_price, parse_decimal("1.5"));
    assert_eq!(f.min_context, Some(128_000));
    assert!(f.tools);
    assert!(errors.is_empty());
    let (f, errors) = ModelFilter::parse(query(&[("max_price", "cheap"), ("min_context", "-4"), ("modality", "smell")]));
    assert_eq!(f, ModelFilter::default());
    assert_eq!(errors.iter().map(|e| e.0).collect::<Vec<_>>(), vec!["max_price", "min_context"]);
}

#[test]
fn filter_matches_words_provider_modality_price_context_and_tools() {
    let mut vision = model("openai/gpt-5", "openai", "1.25", 400_000);
    vision.image_input = true;
    let cheap = model("deepseek/deepseek-v3.2", "deepseek", "0.28", 128_000);
    let mut no_tools = model("z-ai/glm-4.7-flash", "z-ai", "0", 200_000);
    no_tools.tools = false;
    no_tools.price_output = parse_decimal("0");
    let all = [vision.clone(), cheap.clone(), no_tools.clone()];
    let ids = |f: &ModelFilter| all.iter().filter(|m| f.matches(m)).map(|m| m.id.clone()).collect::<Vec<_>>();

    assert_eq!(ids(&ModelFilter::default()).len(), 3);
    assert_eq!(ids(&ModelFilter { q: "DeepSeek v3".into(), ..Default::default() }), vec!["deepseek/deepseek-v3.2"]);
    assert_eq!(ids(&ModelFilter { provider: "openai".into(), ..Default::default() }), vec!["openai/gpt-5"]);
    assert_eq!(ids(&ModelFilter { modality: "image".into(), ..Default::default() }), vec!["openai/gpt-5"]);
    assert!(ids(&ModelFilter { modality: "audio".into(), ..Default::default() }).is_empty());
    assert_eq!(
        ids(&ModelFilter { max_price: parse_decimal("0.28"), ..Default::default() }),
        vec!["deepseek/deepseek-v3.2", "z-ai/glm-4.7-flash"]
    );
    assert_eq!(ids(&ModelFilter { min_context: Some(300_000), ..Default::default() }), vec!["openai/gpt-5"]);
    assert_eq!(ids(&ModelFilter { tools: true, ..Default::default() }), vec!["openai/gpt-5", "deepseek/deepseek-v3.2"]);
    assert!(no_tools.is_free() && !cheap.is_free());
}

#[test]
fn prices_and_token_counts_read_well() {
    assert_eq!(format_price(parse_decimal("1.25")), "$1.25");
    assert_eq!(format_price(parse_decimal("14")), "$14.00");
    assert_eq!(format_price(parse_decimal("0.175")), "$0.175");
    assert_eq!(format_price(parse_decimal("0")), "free");
    assert_eq!(format_price(None), "—");
    assert_eq!(format_tokens(400_000), "400K");
    assert_eq!(format_tokens(1_000_000), "1M");
    assert_eq!(format_tokens(1_050_000), "1.05M");
    assert_eq!(format_tokens(8_191), "8,191");
    assert_eq!(format_tokens(0), "—");
}

#[test]
fn catalog_form_is_checked_field_by_field() {
    let good = CatalogEdit {
        price_input: "1.50".into(),
        price_output: " 10 ".into(),
        price_cached_input: String::new(),
        price_cache_write: String::new(),
        price_video: String::new(),
        context: "128,000".into(),
        max_output: "".into(),
        description: "  Fast  ".into(),
        status: "disabled".into(),
    };
    let c = good.parse().expect("valid");
    assert_eq!(c.price_input, parse_decimal("1.5"));
    assert_eq!(c.price_cached_input, None);
    assert_eq!((c.context, c.max_output, c.enabled), (128_000, 0, false));
    assert_eq!(c.description, "Fast");
    for (field, edit) in [
        ("price_input", CatalogEdit { price_input: "-1".into(), ..good.clone() }),
        ("price_output", CatalogEdit { price_output: "1e3".into(), ..good.clone() }),
        ("price_video", CatalogEdit { price_video: "0.0000001".into(), ..good.clone() }),
        ("price_cache_write", CatalogEdit { price_cache_write: "2000000".into(), ..good.clone() }),
        ("context", CatalogEdit { context: "big".into(), ..good.clone() }),
        ("status", CatalogEdit { status: "maybe".into(), ..good.clone() }),
        ("description", CatalogEdit { description: "x".repeat(501), ..good.clone() }),
    ] {
        assert_eq!(edit.parse().err().and_then(|e| e.field().map(str::to_string)), Some(field.to_string()));
    }
}

#[test]
fn error_rate_in_tenths_of_a_percent() {
    let mut p = ProviderAdminInfo {
        id: "openai".into(),
        label: "openai".into(),
        protocol: "openai".into(),
        base_url: String::new(),
        on: true,
        models: 1,
        requests_1h: 0,
        errors_1h: 0,
        avg_latency_ms: None,
    };
    assert_eq!(p.error_rate(), "—");
    (p.requests_1h, p.errors_1h) = (8, 1);
    assert_eq!(p.error_rate(), "12.5%");
}
