//! Creating people and checking their passwords.

use super::passwords;
use crate::clock;
use crate::storage::{Db, OrgRow, StoreError, UserRow};

#[derive(Debug, thiserror::Error)]
pub enum NewUserError {
    #[error("{0}")]
    Email(&'static str),
    #[error("{0}")]
    Password(&'static str),
    #[error("an account with this email already exists")]
    Taken,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Creates a person with their personal organization. `password` None: OAuth-only account.
pub async fn create_user(db: &Db, email: &str, password: Option<&str>, is_admin: bool) -> Result<UserRow, NewUserError> {
    let email = passwords::parse_email(email).map_err(NewUserError::Email)?;
    let hash = match password {
        Some(p) => {
            passwords::check_password(p).map_err(NewUserError::Password)?;
            Some(passwords::hash(p.to_string()).await?)
        }
        None => None,
    };
    let now = clock::now();
    let user = UserRow {
        id: uuid::Uuid::now_v7().to_string(),
        email: email.clone(),
        password_hash: hash,
        is_admin,
        created_at: now,
    };
    let org = OrgRow {
        id: uuid::Uuid::now_v7().to_string(),
        name: format!("{email} (personal)"),
        personal: true,
        balance_units: 0,
        created_at: now,
    };
    match db.create_user(&user, &org).await {
        Ok(()) => Ok(user),
        Err(StoreError::Conflict(_)) => Err(NewUserError::Taken),
        Err(e) => Err(NewUserError::Other(e.into())),
    }
}

/// The user if the password matches; spends the same time when the account does not exist.
pub async fn check_credentials(db: &Db, email: &str, password: &str) -> anyhow::Result<Option<UserRow>> {
    let user = db.user_by_email(email).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = passwords::verify(password.to_string(), hash.clone().unwrap_or_else(|| passwords::DUMMY_HASH.into())).await;
    Ok(if ok && hash.is_some() { user } else { None })
}
