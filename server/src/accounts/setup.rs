//! The first administrator. No default password: at first start with no users the server
//! either creates the admin from GATEAI_ADMIN_EMAIL + GATEAI_ADMIN_PASSWORD or prints a
//! one-time set-up link (its token is stored hashed and dies when used).

use super::tokens::{random_hex, Hasher};
use super::users::{create_user, NewUserError};
use crate::config::Config;
use crate::storage::{Db, UserRow};

const SETTING: &str = "setup_token_hash";
const PURPOSE: &str = "setup-token";

/// Returns the set-up link to print, if one is needed.
pub async fn on_start(db: &Db, hasher: &Hasher, config: &Config) -> anyhow::Result<Option<String>> {
    if db.user_count().await? > 0 {
        db.delete_setting(SETTING).await?;
        return Ok(None);
    }
    if let (Some(email), Some(password)) = (&config.admin_email, &config.admin_password) {
        match create_user(db, email, Some(password), true).await {
            Ok(u) => {
                tracing::info!(email = %u.email, "created the first admin from GATEAI_ADMIN_EMAIL");
                return Ok(None);
            }
            Err(NewUserError::Taken) => return Ok(None),
            Err(e) => anyhow::bail!("GATEAI_ADMIN_EMAIL / GATEAI_ADMIN_PASSWORD: {e}"),
        }
    }
    let token = random_hex(24);
    db.set_setting(SETTING, &hasher.hash(PURPOSE, &token)).await?;
    Ok(Some(format!("{}/setup?token={token}", config.public_url())))
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("this set-up link is not valid (it may have been used already)")]
    BadToken,
    #[error(transparent)]
    User(#[from] NewUserError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Uses the one-time token to create the first admin. The token is claimed atomically (one
/// caller wins); it is put back if the account cannot be made (bad email or password).
pub async fn complete(db: &Db, hasher: &Hasher, token: &str, email: &str, password: &str) -> Result<UserRow, SetupError> {
    let given = hasher.hash(PURPOSE, token.trim());
    if !db.take_setting(SETTING, &given).await.map_err(anyhow::Error::from)? {
        return Err(SetupError::BadToken);
    }
    if db.user_count().await.map_err(anyhow::Error::from)? > 0 {
        return Err(SetupError::BadToken);
    }
    match create_user(db, email, Some(password), true).await {
        Ok(user) => Ok(user),
        Err(e) => {
            db.set_setting(SETTING, &given).await.map_err(anyhow::Error::from)?;
            Err(e.into())
        }
    }
}
