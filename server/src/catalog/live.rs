//! The catalog as requests see it, changeable while the server runs.
//!
//! The base (shipped `models.toml` with the configuration file's `[[models]]`) is fixed at
//! start; administrators' changes (`catalog_overrides` table) go on top. Each change builds
//! a new [`Catalog`] and swaps it in whole (`arc-swap`): a request holds the catalog it
//! started with, the next one gets the new one, and readers never wait for a lock. Disabled
//! models are left out of the served catalog, so they answer as unknown models. Other
//! replicas pick changes up by polling the (tiny) table, see [`LiveCatalog::watch`].

use super::overrides::{apply, Applied};
use super::{Catalog, ModelEntry};
use crate::storage::{CatalogOverrideRow, Db, StoreResult};
use arc_swap::ArcSwap;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// One model as administrators see it.
#[derive(Clone, Debug)]
pub struct AdminEntry {
    /// With the changes applied.
    pub entry: Arc<ModelEntry>,
    pub enabled: bool,
    /// The row behind the changes, when there is one.
    pub change: Option<CatalogOverrideRow>,
    /// The fields that differ from the base.
    pub changed_fields: Vec<String>,
}

/// Everything built from one set of changes.
#[derive(Debug)]
pub struct Snapshot {
    /// Enabled models only: what requests are routed with.
    pub catalog: Arc<Catalog>,
    /// Every model, in catalog order.
    pub entries: Vec<AdminEntry>,
    /// The rows this snapshot was built from.
    rows: Vec<CatalogOverrideRow>,
}

pub struct LiveCatalog {
    base: Vec<ModelEntry>,
    now: ArcSwap<Snapshot>,
}

impl std::fmt::Debug for LiveCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveCatalog").field("models", &self.base.len()).finish()
    }
}

impl LiveCatalog {
    /// The base catalog, without changes from the database yet (see [`LiveCatalog::reload`]).
    pub fn new(config_models: &[toml::Value]) -> anyhow::Result<LiveCatalog> {
        let base: Vec<ModelEntry> = Catalog::load(config_models)?.all().map(|m| (**m).clone()).collect();
        let snapshot = build(&base, Vec::new())?;
        Ok(LiveCatalog { base, now: ArcSwap::from_pointee(snapshot) })
    }

    /// The catalog a request routes with (enabled models).
    pub fn current(&self) -> Arc<Catalog> {
        self.now.load().catalog.clone()
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.now.load_full()
    }

    /// The model as shipped and configured, before administrators' changes.
    pub fn base(&self, id: &str) -> Option<&ModelEntry> {
        self.base.iter().find(|m| m.id.eq_ignore_ascii_case(id))
    }

    /// Reads the changes from the database and swaps in the catalog they make.
    pub async fn reload(&self, db: &Db) -> StoreResult<()> {
        let rows = db.catalog_overrides().await?;
        self.install(rows);
        Ok(())
    }

    /// Like [`LiveCatalog::reload`], but builds nothing when the rows did not change.
    pub async fn refresh(&self, db: &Db) -> StoreResult<bool> {
        let rows = db.catalog_overrides().await?;
        if rows == self.now.load().rows {
            return Ok(false);
        }
        self.install(rows);
        Ok(true)
    }

    fn install(&self, rows: Vec<CatalogOverrideRow>) {
        match build(&self.base, rows) {
            Ok(s) => self.now.store(Arc::new(s)),
            // every change is checked before it is saved, so this means a hand-edited row
            Err(e) => tracing::error!(error = %e, "catalog changes left out: the catalog they make is invalid"),
        }
    }

    /// Polls the changes every `every` (other replicas' edits) while the catalog lives.
    pub fn watch(self: &Arc<Self>, db: Db, every: Duration) {
        let owner: Weak<LiveCatalog> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(owner) = owner.upgrade() else { break };
                match owner.refresh(&db).await {
                    Ok(true) => tracing::info!("catalog changes picked up"),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot read catalog changes"),
                }
            }
        });
    }
}

/// The snapshot made by applying `rows` to `base`; rows of unknown models are skipped,
/// a row that cannot be applied is skipped with an error in the log.
fn build(base: &[ModelEntry], rows: Vec<CatalogOverrideRow>) -> anyhow::Result<Snapshot> {
    let mut entries = Vec::with_capacity(base.len());
    let mut enabled = Vec::with_capacity(base.len());
    for m in base {
        let row = rows.iter().find(|r| r.model_id == m.id);
        let applied = match row.map(|r| apply(m, &r.fields)) {
            None => Applied { entry: m.clone(), enabled: true, fields: vec![] },
            Some(Ok(a)) => a,
            Some(Err(e)) => {
                tracing::error!(model = %m.id, error = %e, "catalog change left out");
                Applied { entry: m.clone(), enabled: true, fields: vec![] }
            }
        };
        if applied.enabled {
            enabled.push(applied.entry.clone());
        }
        entries.push(AdminEntry {
            entry: Arc::new(applied.entry),
            enabled: applied.enabled,
            change: row.cloned(),
            changed_fields: applied.fields,
        });
    }
    Ok(Snapshot { catalog: Arc::new(Catalog::from_entries(enabled)?), entries, rows })
}
