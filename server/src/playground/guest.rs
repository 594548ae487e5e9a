//! Who a guest is: the id in its `gateai_guest` cookie, signed by the server so ids cannot be
//! made up (`<32 hex id>.<32 hex MAC>`), together with the address it calls from. A guest
//! that drops its cookie gets a new id, but the address limit still counts what its address
//! spent (README, "Guests").

use crate::accounts::tokens::{random_hex, same, Hasher};
use crate::controls::Guest;
use axum::http::{header, HeaderMap, HeaderValue};

pub const COOKIE: &str = "gateai_guest";
const MAC_PURPOSE: &str = "guest-cookie";
/// The cookie lives a year; the limits are per UTC day.
const MAX_AGE_SECS: i64 = 365 * 24 * 3600;

fn mac(hasher: &Hasher, id: &str) -> String {
    hasher.hash(MAC_PURPOSE, id)[..32].to_string()
}

/// The guest id of a well-signed cookie in the request, if any.
pub fn from_cookie(headers: &HeaderMap, hasher: &Hasher) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .find_map(|value| {
            let (id, given) = value.split_once('.')?;
            let well_formed = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
            (well_formed && same(&mac(hasher, id), given)).then(|| id.to_string())
        })
}

/// A guest: the cookie's, or a new one with the `Set-Cookie` that gives it to the browser.
pub fn identify(headers: &HeaderMap, hasher: &Hasher, ip: &str, secure: bool) -> (Guest, Option<HeaderValue>) {
    if let Some(id) = from_cookie(headers, hasher) {
        return (Guest { id, ip: ip.to_string() }, None);
    }
    let id = random_hex(16);
    let cookie = format!(
        "{COOKIE}={id}.{}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Lax{}",
        mac(hasher, &id),
        if secure { "; Secure" } else { "" }
    );
    let header = HeaderValue::from_str(&cookie).ok();
    (Guest { id, ip: ip.to_string() }, header)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> Hasher {
        Hasher::new(b"test secret of the guest cookie".to_vec())
    }

    fn with_cookie(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")));
        h
    }

    #[test]
    fn a_minted_cookie_is_read_back_and_a_forged_one_is_not() {
        let hasher = hasher();
        let (guest, set) = identify(&HeaderMap::new(), &hasher, "10.0.0.1", false);
        let set = set.map(|v| v.to_str().unwrap_or_default().to_string()).unwrap_or_default();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && !set.contains("Secure"));
        let pair = set.split(';').next().unwrap_or_default();
        let back = with_cookie(&format!("gateai_session=abc; {pair}"));
        assert_eq!(from_cookie(&back, &hasher), Some(guest.id.clone()));
        let (again, none) = identify(&back, &hasher, "10.0.0.2", true);
        assert_eq!((again.id.as_str(), again.ip.as_str(), none), (guest.id.as_str(), "10.0.0.2", None));

        let forged = format!("{COOKIE}={}.{}", "a".repeat(32), "0".repeat(32));
        assert_eq!(from_cookie(&with_cookie(&forged), &hasher), None);
        let other_server = Hasher::new(b"another secret".to_vec());
        assert_eq!(from_cookie(&back, &other_server), None);
        assert_eq!(from_cookie(&with_cookie(&format!("{COOKIE}=../../x.y")), &hasher), None);
    }
}
