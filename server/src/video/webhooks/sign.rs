//! The signature of a delivery:
//! `x-gateai-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the key
//! being the organization's whole secret (`whsec_…`) as UTF-8 bytes. The timestamp is inside
//! what is signed, so a receiver that refuses old timestamps refuses replays.
//! [`verify`] does what the README's Python and Node examples do.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER: &str = "x-gateai-signature";
/// How old a signature the README's examples (and [`verify`]) accept.
pub const TOLERANCE_SECS: i64 = 300;

fn mac(secret: &str, t: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header's value for `body` signed at `t`.
pub fn header(secret: &str, t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", hex::encode(mac(secret, t, body).finalize().into_bytes()))
}

/// Whether `value` signs `body` with `secret` and is at most `TOLERANCE_SECS` old at `now`
/// (constant-time comparison; any of several `v1=` entries may match).
pub fn verify(secret: &str, value: &str, body: &[u8], now: i64) -> bool {
    let mut t = None;
    let mut sigs = Vec::new();
    for part in value.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.push(v.to_string()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (now - t).abs() > TOLERANCE_SECS {
        return false;
    }
    sigs.iter().any(|s| hex::decode(s).is_ok_and(|raw| mac(secret, t, body).verify_slice(&raw).is_ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";

    #[test]
    fn known_answer() {
        // python3 -c 'import hmac,hashlib; print(hmac.new(SECRET.encode(), b"1700000000.{\"a\":1}", hashlib.sha256).hexdigest())'
        assert_eq!(
            header(SECRET, 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=cd3df17a6b646c1452d98c8ae4bd458a14102ed605753019067e6c2d96768b39"
        );
    }

    #[test]
    fn verifies_its_own_and_refuses_the_rest() {
        let body = br#"{"code":200,"data":{"job_id":"video_1"}}"#;
        let h = header(SECRET, 1_000_000, body);
        assert!(verify(SECRET, &h, body, 1_000_000));
        assert!(verify(SECRET, &h, body, 1_000_000 + TOLERANCE_SECS));
        assert!(!verify(SECRET, &h, body, 1_000_000 + TOLERANCE_SECS + 1), "too old");
        assert!(!verify(SECRET, &h, br#"{"code":200,"data":{"job_id":"video_2"}}"#, 1_000_000), "other body");
        assert!(!verify("whsec_other", &h, body, 1_000_000), "other secret");
        let moved = h.replace("t=1000000", "t=1000001");
        assert!(!verify(SECRET, &moved, body, 1_000_000), "the timestamp is signed");
        assert!(!verify(SECRET, "v1=00", body, 1_000_000));
        assert!(!verify(SECRET, "", body, 1_000_000));
        // a rotation may put two signatures in one header: either may match
        let two = format!("{h},v1={}", "ab".repeat(32));
        assert!(verify(SECRET, &two, body, 1_000_000));
    }
}
