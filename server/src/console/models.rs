//! The model marketplace: catalog models whose provider is on, open to signed-out visitors
//! (nothing here depends on who asks).

use super::ConsoleBackend;
use crate::catalog::{Kind, Modality, ModelEntry};
use app::backend::Result;
use app::types::{ConsoleError, FreeUsage, ModelInfo, ModelKind, ModelPage};

/// A catalog entry as the console shows it.
pub(crate) fn model_info(m: &ModelEntry) -> ModelInfo {
    ModelInfo {
        id: m.id.clone(),
        name: m.display_name().to_string(),
        provider: m.provider.clone(),
        description: m.description.clone(),
        use_case: m.use_case.clone(),
        kind: match m.kind {
            Kind::Chat => ModelKind::Chat,
            Kind::Video => ModelKind::Video,
        },
        context: m.context,
        max_output: m.max_output,
        image_input: m.accepts(Modality::Image),
        audio_input: m.accepts(Modality::Audio),
        tools: m.tools,
        reasoning: m.reasoning,
        token_param: m.token_param.clone(),
        price_input: m.price_input,
        price_output: m.price_output,
        price_cached_input: m.price_cached_input,
        price_cache_write: m.price_cache_write,
        price_video: m.price_video,
        fps: m.fps,
    }
}

pub(super) fn list(b: &ConsoleBackend) -> Vec<ModelInfo> {
    let catalog = b.state.catalog.current();
    catalog.all().filter(|m| b.state.providers.is_on(&m.provider)).map(|m| model_info(m)).collect()
}

pub(super) fn page(b: &ConsoleBackend, id: &str) -> Result<ModelPage> {
    let catalog = b.state.catalog.current();
    let model = catalog
        .get(id.trim())
        .filter(|m| b.state.providers.is_on(&m.provider))
        .ok_or_else(|| ConsoleError::not_found(format!("no model config found for: {}", id.trim())))?;
    Ok(ModelPage { model: model_info(model), base_url: b.state.config.public_url() })
}

/// The caller's free-model requests since 00:00 UTC (every key they created, the
/// playground's too) and everyone's, as admission counts them from the request log.
pub(super) async fn free_usage(b: &ConsoleBackend, c: &app::backend::Caller) -> Result<Option<FreeUsage>> {
    let Some(ctx) = b.ctx(c).await? else { return Ok(None) };
    let start = crate::controls::Period::Daily.start(crate::clock::now());
    let db = &b.state.db;
    let used_today = db.free_requests_since(Some(&ctx.user.id), start).await.map_err(super::internal)?;
    let used_global_today = db.free_requests_since(None, start).await.map_err(super::internal)?;
    let limits = b.state.controls.free;
    Ok(Some(FreeUsage { used_today, limit_per_user: limits.per_user, used_global_today, limit_global: limits.global }))
}
