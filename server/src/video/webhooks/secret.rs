//! Each organization's webhook signing secret: `whsec_` + 64 hex (32 random bytes), made on
//! first need (the console's Webhooks page or the first delivery) and replaced by "rotate".
//!
//! It must be read back to sign, so it cannot be stored as a hash: it is stored sealed with
//! ChaCha20-Poly1305 under a key derived from the server secret (`GATEAI_SECRET`), with the
//! organization id as associated data (a sealed secret moved to another organization does not
//! open). A copy of the database alone does not reveal it; it is never logged. If the server
//! secret changes, stored secrets no longer open: deliveries fail until an owner or admin
//! rotates the secret.

use crate::accounts::tokens::{random_hex, Hasher};
use crate::state::AppState;
use crate::storage::{StoreError, WebhookSecretRow};
use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};

pub const PREFIX: &str = "whsec_";
const SEALED_VERSION: &str = "v1.";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The stored secret does not open under this server secret.
    #[error("the organization's webhook secret cannot be read (was GATEAI_SECRET changed?); rotate it in the console")]
    Unreadable,
}

/// A fresh secret.
pub fn generate() -> String {
    format!("{PREFIX}{}", random_hex(32))
}

fn key(hasher: &Hasher) -> Option<LessSafeKey> {
    let raw = hex::decode(hasher.hash("webhook-secret-key", "v1")).ok()?;
    UnboundKey::new(&CHACHA20_POLY1305, &raw).ok().map(LessSafeKey::new)
}

/// `v1.` + hex(nonce ‖ ciphertext ‖ tag).
pub fn seal(hasher: &Hasher, org_id: &str, secret: &str) -> Option<String> {
    let key = key(hasher)?;
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let mut data = secret.as_bytes().to_vec();
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(org_id.as_bytes()), &mut data).ok()?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&data);
    Some(format!("{SEALED_VERSION}{}", hex::encode(out)))
}

pub fn open(hasher: &Hasher, org_id: &str, sealed: &str) -> Option<String> {
    let raw = hex::decode(sealed.strip_prefix(SEALED_VERSION)?).ok()?;
    if raw.len() < NONCE_LEN {
        return None;
    }
    let (nonce, data) = raw.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut data = data.to_vec();
    let plain = key(hasher)?.open_in_place(nonce, Aad::from(org_id.as_bytes()), &mut data).ok()?;
    String::from_utf8(plain.to_vec()).ok()
}

/// The organization's secret, made now if it has none.
pub async fn current(state: &AppState, org_id: &str) -> Result<(String, WebhookSecretRow), SecretError> {
    let row = match state.db.webhook_secret(org_id).await? {
        Some(row) => row,
        None => {
            let sealed = seal(&state.hasher, org_id, &generate()).ok_or(SecretError::Unreadable)?;
            // a concurrent first use may have stored one first: the one stored is the one used
            state.db.create_webhook_secret(org_id, &sealed, crate::clock::now()).await?
        }
    };
    let plain = open(&state.hasher, org_id, &row.sealed).ok_or(SecretError::Unreadable)?;
    Ok((plain, row))
}

/// Replaces the organization's secret; the next attempt of every delivery signs with the new one.
pub async fn rotate(state: &AppState, org_id: &str) -> Result<(String, WebhookSecretRow), SecretError> {
    let fresh = generate();
    let sealed = seal(&state.hasher, org_id, &fresh).ok_or(SecretError::Unreadable)?;
    let row = state.db.replace_webhook_secret(org_id, &sealed, crate::clock::now()).await?;
    Ok((fresh, row))
}

/// `whsec_…1a2b`: enough to tell two secrets apart, not to use one.
pub fn masked(secret: &str) -> String {
    let tail: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("{PREFIX}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_for_their_organization_and_server_secret() {
        let h = Hasher::new(b"server-secret-server-secret-server-secret".to_vec());
        let s = generate();
        assert!(s.starts_with(PREFIX) && s.len() == PREFIX.len() + 64);
        assert_ne!(s, generate());
        let sealed = seal(&h, "org-1", &s).unwrap_or_default();
        assert!(sealed.starts_with("v1.") && !sealed.contains(&s[PREFIX.len()..]), "the secret is not stored in clear");
        assert_ne!(seal(&h, "org-1", &s), Some(sealed.clone()), "a fresh nonce each time");
        assert_eq!(open(&h, "org-1", &sealed), Some(s.clone()));
        assert_eq!(open(&h, "org-2", &sealed), None, "bound to its organization");
        let other = Hasher::new(b"another-server-secret-another-server-secret".to_vec());
        assert_eq!(open(&other, "org-1", &sealed), None, "bound to the server secret");
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(open(&h, "org-1", &String::from_utf8(tampered).unwrap_or_default()), None);
        assert_eq!(open(&h, "org-1", "v1.00"), None);
        assert_eq!(open(&h, "org-1", "garbage"), None);
        assert_eq!(masked("whsec_0123456789abcdef"), "whsec_…cdef");
    }
}
