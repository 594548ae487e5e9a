//! Whose account a playground request spends: the signed-in user's organization (through the
//! user's own playground key there), or, for a visitor who has not signed in, the guest pool.

use crate::accounts::login::{ORG, UID};
use crate::accounts::AuthedKey;
use crate::controls::Guest;
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

impl Payer {
    /// The key the request goes through and, for a guest, who the guest is.
    pub fn into_parts(self) -> (AuthedKey, Option<Guest>) {
        match self {
            Payer::User { key, .. } => (key, None),
            Payer::Guest { key, guest } => (key, Some(guest)),
        }
    }
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
    AuthedKey::unlisted("guest-pool", GUEST_POOL_ORG, "Guests", 0)
}
