//! Where a webhook may go. A `webhook_url` must be https and every address its host resolves
//! to must be public: not private, loopback, link-local, multicast, unspecified, broadcast,
//! shared (CGNAT), documentation or otherwise reserved — IPv4-mapped and NAT64 IPv6 forms
//! are judged by the IPv4 address inside. The check runs at submit and again before every
//! attempt, and the attempt connects to exactly the addresses checked (`Target::addrs`), so a
//! name that changes its answer in between (DNS rebinding) cannot reach an internal address.
//!
//! `allow_private` lifts the address rule and `allow_http` the https rule (both for tests and
//! private deployments; see the README).

use async_trait::async_trait;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// How long a name may take to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Turns a host name into addresses. The server uses the system resolver; tests give their own.
#[async_trait]
pub trait Resolve: Send + Sync {
    async fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>>;
}

/// The operating system's resolver (`getaddrinfo` through tokio).
pub struct SystemResolver;

#[async_trait]
impl Resolve for SystemResolver {
    async fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        Ok(tokio::net::lookup_host((host, port)).await?.collect())
    }
}

pub type Resolver = Arc<dyn Resolve>;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    pub allow_private: bool,
    pub allow_http: bool,
}

/// Why a webhook URL is refused; the text names `webhook_url` and never more than the URL's
/// own host and the address it resolved to.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("webhook_url is not a valid URL")]
    Invalid,
    #[error("webhook_url must be an https URL")]
    NotHttps,
    #[error("webhook_url must not contain a user name or password")]
    Credentials,
    #[error("webhook_url host could not be resolved: {0}")]
    Unresolvable(String),
    #[error("webhook_url must point to a public address, not {}; {}", not_public_words(.host, .ip, .kind), REFUSED)]
    NotPublic { host: String, ip: IpAddr, kind: &'static str },
}

const REFUSED: &str = "private, loopback, link-local, multicast and reserved addresses are refused";

/// `127.0.0.1 (loopback)` for an address in the URL, `host: it resolves to 10.0.0.7 (private)`
/// for a name.
fn not_public_words(host: &str, ip: &IpAddr, kind: &str) -> String {
    let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok();
    if literal {
        format!("{ip} ({kind})")
    } else {
        format!("{host}: it resolves to {ip} ({kind})")
    }
}

/// A URL that passed: where to connect.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub url: url::Url,
    /// The host name to pin to `addrs` (None when the URL names an IP address).
    pub domain: Option<String>,
    /// Every address the host resolved to, all checked.
    pub addrs: Vec<SocketAddr>,
}

/// Checks the URL's form (the scheme, no credentials), resolves its host and checks every
/// address it gets.
pub async fn check(raw: &str, policy: Policy, resolver: &dyn Resolve) -> Result<Target, Refusal> {
    let url = url::Url::parse(raw.trim()).map_err(|_| Refusal::Invalid)?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        _ => return Err(Refusal::NotHttps),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Credentials);
    }
    let port = url.port_or_known_default().ok_or(Refusal::Invalid)?;
    let (domain, addrs) = match url.host() {
        Some(url::Host::Ipv4(ip)) => (None, vec![SocketAddr::new(IpAddr::V4(ip), port)]),
        Some(url::Host::Ipv6(ip)) => (None, vec![SocketAddr::new(IpAddr::V6(ip), port)]),
        Some(url::Host::Domain(d)) if !d.is_empty() => {
            let found = tokio::time::timeout(RESOLVE_TIMEOUT, resolver.lookup(d, port)).await;
            match found {
                Ok(Ok(a)) if !a.is_empty() => (Some(d.to_string()), a),
                _ => return Err(Refusal::Unresolvable(d.to_string())),
            }
        }
        _ => return Err(Refusal::Invalid),
    };
    if !policy.allow_private {
        for a in &addrs {
            if let Some(kind) = not_public(a.ip()) {
                let host = url.host_str().unwrap_or_default().to_string();
                return Err(Refusal::NotPublic { host, ip: a.ip(), kind });
            }
        }
    }
    Ok(Target { url, domain, addrs })
}

/// None for a public address; else what kind of address it is.
pub fn not_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => not_public_v4(v4),
        IpAddr::V6(v6) => not_public_v6(v6),
    }
}

/// `(first address, prefix length, kind)`: IPv4 ranges that are not the public internet.
const V4_REFUSED: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "unspecified, this network"),
    ([10, 0, 0, 0], 8, "private"),
    ([100, 64, 0, 0], 10, "shared, CGNAT"),
    ([127, 0, 0, 0], 8, "loopback"),
    ([169, 254, 0, 0], 16, "link-local"),
    ([172, 16, 0, 0], 12, "private"),
    ([192, 0, 0, 0], 24, "reserved, IETF protocol assignments"),
    ([192, 0, 2, 0], 24, "documentation"),
    ([192, 88, 99, 0], 24, "reserved, 6to4 relay"),
    ([192, 168, 0, 0], 16, "private"),
    ([198, 18, 0, 0], 15, "reserved, benchmarking"),
    ([198, 51, 100, 0], 24, "documentation"),
    ([203, 0, 113, 0], 24, "documentation"),
    ([224, 0, 0, 0], 4, "multicast"),
    ([255, 255, 255, 255], 32, "broadcast"),
    ([240, 0, 0, 0], 4, "reserved"),
];

fn not_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let n = u32::from(ip);
    V4_REFUSED.iter().find_map(|(first, len, kind)| {
        let mask = u32::MAX.checked_shl(32 - u32::from(*len)).unwrap_or(0);
        (n & mask == u32::from_be_bytes(*first)).then_some(*kind)
    })
}

/// `(first address, prefix length, kind)`: IPv6 ranges inside global unicast (2000::/3) that
/// are not the public internet. Everything outside 2000::/3 is refused too, except the forms
/// that carry an IPv4 address (judged by it).
const V6_REFUSED: &[(u128, u8, &str)] = &[
    (0x2001_0db8 << 96, 32, "documentation"),
    (0x2001 << 112, 23, "reserved, IETF protocol assignments and Teredo"),
    (0x3fff << 112, 20, "documentation"),
    (0x5f00 << 112, 16, "reserved, SRv6"),
];

fn not_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let n = u128::from(ip);
    let in_prefix = |first: u128, len: u8| n & u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0) == first;
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    // ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64): the IPv4 address decides
    if in_prefix(0xffff << 32, 96) || in_prefix(0x0064_ff9b << 96, 96) {
        return not_public_v4(Ipv4Addr::from(n as u32));
    }
    // 2002:a.b.c.d::/48 (6to4) routes to the IPv4 address inside
    if in_prefix(0x2002 << 112, 16) {
        return not_public_v4(Ipv4Addr::from((n >> 80) as u32));
    }
    if in_prefix(0xfc00 << 112, 7) {
        return Some("private, unique local");
    }
    if in_prefix(0xfe80 << 112, 10) {
        return Some("link-local");
    }
    if in_prefix(0xfec0 << 112, 10) {
        return Some("reserved, site-local");
    }
    if in_prefix(0xff00 << 112, 8) {
        return Some("multicast");
    }
    if !in_prefix(0x2000 << 112, 3) {
        return Some("reserved");
    }
    V6_REFUSED.iter().find_map(|(first, len, kind)| in_prefix(*first, *len).then_some(*kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn kind(s: &str) -> Option<&'static str> {
        not_public(s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "1.1.1.1", "8.8.8.8", "93.184.216.34", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
            "126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0",
            "192.0.1.255", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255",
            "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "2001:4860:4860::8888", "::ffff:8.8.8.8",
            "64:ff9b::808:808", "2002:808:808::1",
        ] {
            assert_eq!(kind(ip), None, "{ip} is public");
        }
    }

    #[test]
    fn every_refused_ipv4_range() {
        let cases = [
            ("0.0.0.0", "unspecified"),
            ("0.1.2.3", "unspecified"),
            ("10.0.0.1", "private"),
            ("10.255.255.255", "private"),
            ("100.64.0.1", "shared, CGNAT"),
            ("100.127.255.255", "shared, CGNAT"),
            ("127.0.0.1", "loopback"),
            ("127.255.0.9", "loopback"),
            ("169.254.169.254", "link-local"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.0.0.8", "reserved"),
            ("192.0.2.1", "documentation"),
            ("192.88.99.1", "reserved"),
            ("192.168.0.1", "private"),
            ("192.168.255.255", "private"),
            ("198.18.0.1", "reserved"),
            ("198.19.255.255", "reserved"),
            ("198.51.100.7", "documentation"),
            ("203.0.113.9", "documentation"),
            ("224.0.0.1", "multicast"),
            ("239.255.255.250", "multicast"),
            ("240.0.0.1", "reserved"),
            ("255.255.255.255", "broadcast"),
        ];
        for (ip, want) in cases {
            let got = kind(ip);
            assert!(got.is_some_and(|k| k.starts_with(want)), "{ip}: {got:?}, want {want}");
        }
    }

    #[test]
    fn every_refused_ipv6_range_and_embedded_ipv4() {
        let cases = [
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:10.1.2.3", "private"),
            ("::ffff:169.254.169.254", "link-local"),
            ("::ffff:192.168.1.1", "private"),
            ("::ffff:100.64.0.1", "shared"),
            ("64:ff9b::10.0.0.1", "private"),
            ("64:ff9b::127.0.0.1", "loopback"),
            ("2002:7f00:1::1", "loopback"),
            ("2002:c0a8:101::1", "private"),
            ("::10.0.0.1", "reserved"),
            ("::8.8.8.8", "reserved"),
            ("64:ff9b:1::1", "reserved"),
            ("100::1", "reserved"),
            ("fc00::1", "private"),
            ("fd12:3456:789a::1", "private"),
            ("fe80::1", "link-local"),
            ("febf::1", "link-local"),
            ("fec0::1", "reserved"),
            ("ff02::1", "multicast"),
            ("ff05::1:3", "multicast"),
            ("2001:db8::1", "documentation"),
            ("2001::1", "reserved"),
            ("2001:1ff::1", "reserved"),
            ("3fff::1", "documentation"),
            ("5f00::1", "reserved"),
            ("4000::1", "reserved"),
            ("1::1", "reserved"),
        ];
        for (ip, want) in cases {
            let got = kind(ip);
            assert!(got.is_some_and(|k| k.starts_with(want)), "{ip}: {got:?}, want {want}");
        }
        // just outside 2001::/23 is ordinary global unicast
        assert_eq!(kind("2001:200::1"), None);
    }

    /// Answers from a script: each lookup takes the next answer (the last one repeats).
    struct Script(Mutex<Vec<Vec<IpAddr>>>);

    impl Script {
        fn new(answers: &[&[&str]]) -> Script {
            let all = answers.iter().map(|a| a.iter().filter_map(|s| s.parse().ok()).collect()).collect();
            Script(Mutex::new(all))
        }
    }

    #[async_trait]
    impl Resolve for Script {
        async fn lookup(&self, _host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
            let mut all = self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?;
            let next = if all.len() > 1 { all.remove(0) } else { all.first().cloned().unwrap_or_default() };
            Ok(next.into_iter().map(|ip| SocketAddr::new(ip, port)).collect())
        }
    }

    const STRICT: Policy = Policy { allow_private: false, allow_http: false };

    #[tokio::test]
    async fn urls_are_checked_after_resolution() {
        let public = Script::new(&[&["93.184.216.34", "2606:2800:220:1::1"]]);
        let t = check("https://hooks.example.com/x?y=1", STRICT, &public).await;
        let t = t.as_ref().ok();
        assert_eq!(t.and_then(|t| t.domain.as_deref()), Some("hooks.example.com"));
        assert_eq!(t.map(|t| t.addrs.len()), Some(2));
        assert_eq!(t.map(|t| t.addrs[0].port()), Some(443));

        assert_eq!(check("http://hooks.example.com/x", STRICT, &public).await, Err(Refusal::NotHttps));
        assert_eq!(check("ftp://hooks.example.com/x", STRICT, &public).await, Err(Refusal::NotHttps));
        assert_eq!(check("https://u:p@hooks.example.com/x", STRICT, &public).await, Err(Refusal::Credentials));
        assert_eq!(check("not a url", STRICT, &public).await, Err(Refusal::Invalid));

        // one private answer among public ones is enough to refuse
        let mixed = Script::new(&[&["93.184.216.34", "10.0.0.5"]]);
        assert!(matches!(check("https://a.example/x", STRICT, &mixed).await, Err(Refusal::NotPublic { kind: "private", .. })));
        let nothing = Script::new(&[&[]]);
        assert_eq!(check("https://nowhere.invalid/x", STRICT, &nothing).await, Err(Refusal::Unresolvable("nowhere.invalid".into())));
    }

    #[tokio::test]
    async fn literal_addresses_need_no_resolver() {
        let never = Script::new(&[&["8.8.8.8"]]);
        for url in ["https://127.0.0.1/x", "https://[::1]/x", "https://[::ffff:10.0.0.1]/x", "https://0x7f.1/x", "https://2130706433/x", "https://169.254.169.254/latest"] {
            let got = check(url, STRICT, &never).await;
            assert!(matches!(got, Err(Refusal::NotPublic { .. })), "{url}: {got:?}");
        }
        let ok = check("https://8.8.4.4:8443/x", STRICT, &never).await;
        assert_eq!(ok.map(|t| (t.domain, t.addrs)), Ok((None, vec!["8.8.4.4:8443".parse().unwrap_or(SocketAddr::from(([0; 4], 0)))])));
    }

    #[tokio::test]
    async fn a_name_that_turns_private_is_refused_the_second_time() {
        // public at submit, loopback at delivery: the second check refuses
        let rebinding = Script::new(&[&["93.184.216.34"], &["127.0.0.1"]]);
        assert!(check("https://rebind.example/x", STRICT, &rebinding).await.is_ok());
        let second = check("https://rebind.example/x", STRICT, &rebinding).await;
        assert!(matches!(second, Err(Refusal::NotPublic { kind: "loopback", .. })), "{second:?}");
        let text = second.err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            text,
            "webhook_url must point to a public address, not rebind.example: it resolves to 127.0.0.1 (loopback); \
             private, loopback, link-local, multicast and reserved addresses are refused"
        );
        let literal = Refusal::NotPublic { host: "[::1]".into(), ip: "::1".parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), kind: "loopback" };
        assert!(literal.to_string().starts_with("webhook_url must point to a public address, not ::1 (loopback); "));
    }

    #[tokio::test]
    async fn the_allowances_lift_one_rule_each() {
        let local = Script::new(&[&["127.0.0.1"]]);
        let private = Policy { allow_private: true, allow_http: false };
        assert!(check("https://localhost:9/x", private, &local).await.is_ok());
        assert_eq!(check("http://localhost:9/x", private, &local).await, Err(Refusal::NotHttps));
        let http = Policy { allow_private: false, allow_http: true };
        assert!(matches!(check("http://localhost:9/x", http, &local).await, Err(Refusal::NotPublic { .. })));
        let both = Policy { allow_private: true, allow_http: true };
        let t = check("http://localhost:9/x", both, &local).await;
        assert_eq!(t.map(|t| t.addrs), Ok(vec![SocketAddr::from(([127, 0, 0, 1], 9))]));
    }
}
