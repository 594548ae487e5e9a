//! Email and password rules, and argon2id hashing off the async runtime.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub const MIN_PASSWORD: usize = 10;
pub const MAX_PASSWORD: usize = 256;

/// A normalized (trimmed, lower-case) email address that looks deliverable.
pub fn parse_email(raw: &str) -> Result<String, &'static str> {
    let e = raw.trim().to_lowercase();
    if e.is_empty() {
        return Err("enter your email address");
    }
    if e.len() > 254 {
        return Err("that email address is too long");
    }
    let Some((local, domain)) = e.split_once('@') else {
        return Err("that is not an email address (it needs an @)");
    };
    let ok_chars = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || "._%+-'".contains(c));
    if local.is_empty()
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
        || !ok_chars(local)
        || !domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Err("that is not a valid email address");
    }
    Ok(e)
}

pub fn check_password(p: &str) -> Result<(), &'static str> {
    if p.chars().count() < MIN_PASSWORD {
        return Err("the password must be at least 10 characters long");
    }
    if p.len() > MAX_PASSWORD {
        return Err("the password must be at most 256 bytes long");
    }
    Ok(())
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await?
}

pub async fn verify(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so that timing does not tell.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2mYwVvTkW4h1XJ3Z2vC3m2fJqjJcE5pH0yqz1o8Zb9c";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(parse_email(" Ada@Example.COM ").expect("valid"), "ada@example.com");
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "ada@.com", "a b@example.com", "ada@exa..mple.com"] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(check_password("short").is_err());
        assert!(check_password("long enough pw").is_ok());
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("correct horse battery".into()).await.expect("hashes");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), h.clone()).await);
        assert!(!verify("wrong".into(), h).await);
        assert!(!verify("x".into(), DUMMY_HASH.into()).await);
    }
}
