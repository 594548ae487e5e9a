//! Whose account a playground request spends: the signed-in user's organization (through the
//! user's own playground key there), or, for a visitor who has not signed in, the guest pool.

use crate::accounts::login::{ORG, UID};
use crate::accounts::AuthedKey;
use crate::controls::{Guest, Period};
use crate::state::AppState;
use crate::storage::StoreError;
use tower_sessions::Session;

/// The operator-funded organization guests' requests are billed to (made by migration 0008;
/// funded with `gateai admin credit --guest-pool`).
pub const GUEST_POOL_ORG: &str = "guest-pool";

pub enum Payer {
    /// A signed-in user, spending `org_name`'s balance.
    User { key: AuthedKey, org_name: String },
    Guest { key: AuthedKey, guest: Guest },
}

/// The signed-in user's id and chosen organization (id, name), as the console resolves them.
pub async fn signed_in(state: &AppState, session: &Session) -> Result<Option<(String, String, String)>, StoreError> {
    let uid = session.get::<String>(UID).await.ok().flatten();
    let Some(uid) = uid else { return Ok(None) };
    if state.db.user_by_id(&uid).await?.is_none() {
        return Ok(None);
    }
    let orgs = state.db.orgs_of_user(&uid).await?;
    let wanted = session.get::<String>(ORG).await.ok().flatten();
    Ok(crate::accounts::orgs::chosen(&orgs, wanted.as_deref()).map(|o| (uid.clone(), o.id.clone(), o.name.clone())))
}

/// The user's playground key in the organization (made on first use).
pub async fn user_key(state: &AppState, user_id: &str, org_id: &str) -> Result<AuthedKey, StoreError> {
    let row = state.db.playground_key(org_id, user_id, crate::clock::now()).await?;
    Ok(crate::accounts::api_keys::authed(&row))
}

/// The key guests' requests go through: the guest pool's, with no budget of its own (the
/// guest limits and the pool's balance hold them).
pub fn guest_pool_key() -> AuthedKey {
    AuthedKey {
        id: "guest-pool".into(),
        org_id: GUEST_POOL_ORG.into(),
        created_by: String::new(),
        name: "Guests".into(),
        prefix: String::new(),
        management: false,
        budget_units: None,
        budget_period: Period::Never,
        spend_units: 0,
        expires_at: None,
        created_at: 0,
    }
}
