//! Audit entries for changes made through the management API, and their short texts.

use crate::accounts::AuthedKey;
use crate::storage::{Db, NewAudit};

/// Records one change made by `actor`. A failure to record is logged, not returned: the
/// change itself has already happened and the caller must learn that it did.
pub async fn record(db: &Db, actor: &AuthedKey, action: &str, target: &str, detail: String) {
    let entry = NewAudit {
        org_id: actor.org_id.clone(),
        actor_user_id: None,
        actor_key_id: Some(actor.id.clone()),
        action: action.to_string(),
        target: target.to_string(),
        detail,
        now: crate::clock::now(),
    };
    if let Err(e) = db.audit(&entry).await {
        tracing::error!(error = %e, action, target, "could not write the audit entry");
    }
}
