//! Redemption codes: made by admins (N at a time, of one amount), redeemed once.
//! Only a keyed hash of each code is stored; the code is shown at creation.

use crate::accounts::tokens::Hasher;
use crate::clock;
use crate::storage::{Db, RedemptionCodeRow};
use app::types::{RedemptionCodeInfo, Usd};
use rand::Rng;

const PURPOSE: &str = "redemption-code";
pub const MAX_COUNT: u32 = 1000;
/// No ambiguous characters (0/O, 1/I/L).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// `GATE-XXXX-XXXX-XXXX-XXXX` (80 bits).
pub fn generate() -> String {
    let mut rng = rand::rngs::OsRng;
    let groups: Vec<String> = (0..4)
        .map(|_| (0..4).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect())
        .collect();
    format!("GATE-{}", groups.join("-"))
}

/// Normalizes what a person typed: case, spaces, missing dashes.
pub fn normalize(input: &str) -> String {
    let raw: String = input.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase();
    let body = raw.strip_prefix("GATE").unwrap_or(&raw);
    let groups: Vec<String> = body.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    format!("GATE-{}", groups.join("-"))
}

pub fn hash(hasher: &Hasher, code: &str) -> String {
    hasher.hash(PURPOSE, &normalize(code))
}

/// Makes `count` codes worth `amount` each; returns them with the codes in clear.
pub async fn create(db: &Db, hasher: &Hasher, amount: Usd, count: u32, by: Option<String>) -> anyhow::Result<Vec<RedemptionCodeInfo>> {
    let units = amount.to_units().ok_or_else(|| anyhow::anyhow!("amount out of range"))?;
    let now = clock::now();
    let mut rows = Vec::new();
    let mut out = Vec::new();
    for _ in 0..count {
        let code = generate();
        let row = RedemptionCodeRow {
            id: uuid::Uuid::now_v7().to_string(),
            code_hash: hash(hasher, &code),
            hint: format!("{}…", &code[..9]),
            amount_units: units,
            created_by: by.clone(),
            created_at: now,
            redeemed_by: None,
            redeemed_org: None,
            redeemed_at: None,
        };
        out.push(RedemptionCodeInfo {
            id: row.id.clone(),
            code: code.clone(),
            amount,
            created_at: clock::rfc3339(now),
            redeemed_at: None,
            redeemed_by: None,
        });
        rows.push(row);
    }
    db.insert_codes(&rows).await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_normalize_from_what_people_type() {
        let c = generate();
        assert_eq!(c.len(), 24);
        assert_eq!(normalize(&c), c);
        assert_eq!(normalize(&c.to_lowercase().replace('-', " ")), c);
        assert_ne!(generate(), c);
    }
}
