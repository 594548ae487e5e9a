//! Random secrets and their keyed hashes. Only hashes are stored: API keys, redemption
//! codes, invite and set-up tokens are HMAC-SHA256(server secret, purpose ‖ value).

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

#[derive(Clone)]
pub struct Hasher {
    secret: std::sync::Arc<Vec<u8>>,
}

impl Hasher {
    pub fn new(secret: Vec<u8>) -> Self {
        Hasher { secret: std::sync::Arc::new(secret) }
    }

    /// Hex HMAC-SHA256 of `value`, domain-separated by `purpose`.
    pub fn hash(&self, purpose: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Constant-time string equality (for tokens compared in memory).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Verifies `hex(HMAC-SHA256(secret, body))` in constant time.
pub fn verify_hmac_hex(secret: &[u8], body: &[u8], signature_hex: &str) -> bool {
    let Ok(sig) = hex::decode(signature_hex.trim()) else { return false };
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret) else { return false };
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}
