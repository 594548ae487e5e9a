//! Accounts: people, their sign-in, organizations and membership, API keys.

pub mod api_keys;
pub mod login;
pub mod oauth;
pub mod orgs;
pub mod passwords;
pub mod sessions;
pub mod setup;
pub mod throttle;
pub mod tokens;
pub mod users;

pub use api_keys::{ApiKeys, AuthedKey, KeyAuthError};
