//! Where the client's address comes from, and the network the send limits count it in.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::extract::connect_info::MockConnectInfo;
use http::HeaderName;
use http::request::Parts;

/// Where the send limits take the client's address from: [`SendLimits::client_ip`].
///
/// A header is only trustworthy in the entries that your own proxies wrote: proxies such as
/// nginx (`$proxy_add_x_forwarded_for`) or an AWS ALB *append* the address they saw to whatever
/// the client sent, so the leftmost entries are the client's to choose. `trusted_hops` counts
/// your proxies that append, and the address is the entry that many places from the right: with
/// one proxy (`trusted_hops: 1`), the rightmost entry, the address that proxy saw.
///
/// ```
/// use supertokens::passwordless::{ClientIp, SendLimits};
///
/// // Behind one nginx that sets `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`
/// let limits = SendLimits::new().client_ip(ClientIp::XForwardedFor { trusted_hops: 1 });
/// ```
///
/// When the address is unknown (no peer address, no usable header entry), the request is
/// counted in one shared "unknown" network, and a warning is logged once.
///
/// [`SendLimits::client_ip`]: crate::passwordless::SendLimits::client_ip
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ClientIp {
    /// The connection's peer address (the default): serve the app with
    /// `into_make_service_with_connect_info::<SocketAddr>()` so that axum records it (or add
    /// axum's `MockConnectInfo` layer in tests).
    #[default]
    Peer,
    /// The `X-Forwarded-For` header, `trusted_hops` entries from the right.
    XForwardedFor {
        /// Your proxies that append to the header (at least 1).
        trusted_hops: u8,
    },
    /// The standard `Forwarded` header (RFC 7239): the `for=` of the element `trusted_hops`
    /// places from the right.
    Forwarded {
        /// Your proxies that append an element (at least 1).
        trusted_hops: u8,
    },
    /// Another header of comma-separated addresses, `trusted_hops` entries from the right (for a
    /// header holding one address that your proxy overwrites, such as `X-Real-IP`, 1).
    Header {
        /// The header.
        name: HeaderName,
        /// Your proxies that append to the header (at least 1).
        trusted_hops: u8,
    },
}

impl ClientIp {
    /// The client's address in a request, if it can be told.
    pub fn of(&self, parts: &Parts) -> Option<IpAddr> {
        match self {
            ClientIp::Peer => parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip())
                .or_else(|| {
                    parts
                        .extensions
                        .get::<MockConnectInfo<SocketAddr>>()
                        .map(|MockConnectInfo(addr)| addr.ip())
                }),
            ClientIp::XForwardedFor { trusted_hops } => from_right(
                list(parts, &HeaderName::from_static("x-forwarded-for")),
                *trusted_hops,
            )
            .and_then(|entry| parse_addr(&entry)),
            ClientIp::Header { name, trusted_hops } => {
                from_right(list(parts, name), *trusted_hops).and_then(|entry| parse_addr(&entry))
            }
            ClientIp::Forwarded { trusted_hops } => {
                let elements = list(parts, &http::header::FORWARDED);
                from_right(elements, *trusted_hops).and_then(|element| {
                    element
                        .split(';')
                        .filter_map(|pair| pair.split_once('='))
                        .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                        .and_then(|(_, value)| parse_addr(value))
                })
            }
        }
    }

    /// The number of trusted hops, for the header sources.
    pub(crate) fn trusted_hops(&self) -> Option<u8> {
        match self {
            ClientIp::Peer => None,
            ClientIp::XForwardedFor { trusted_hops }
            | ClientIp::Forwarded { trusted_hops }
            | ClientIp::Header { trusted_hops, .. } => Some(*trusted_hops),
        }
    }

    /// What to do so that the address is known, for the warning about unknown clients.
    pub(crate) fn advice(&self) -> String {
        match self {
            ClientIp::Peer => {
                "serve the app with `into_make_service_with_connect_info::<SocketAddr>()`, \
                 or behind a proxy set `SendLimits::client_ip`"
                    .to_owned()
            }
            ClientIp::XForwardedFor { trusted_hops } => format!(
                "requests came with fewer than {trusted_hops} `X-Forwarded-For` entries: check \
                 that every request passes your proxies, and `trusted_hops`"
            ),
            ClientIp::Forwarded { trusted_hops } => format!(
                "requests came with fewer than {trusted_hops} `Forwarded` elements with a `for=` \
                 address: check that every request passes your proxies, and `trusted_hops`"
            ),
            ClientIp::Header { name, trusted_hops } => format!(
                "requests came with fewer than {trusted_hops} `{name}` entries: check that every \
                 request passes your proxies, and `trusted_hops`"
            ),
        }
    }
}

/// Every comma-separated entry of every `name` header, in order (a header may be repeated).
fn list(parts: &Parts, name: &HeaderName) -> Vec<String> {
    parts
        .headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_owned())
        .collect()
}

fn from_right(mut entries: Vec<String>, hops: u8) -> Option<String> {
    let i = entries.len().checked_sub(usize::from(hops))?;
    (hops > 0).then(|| entries.swap_remove(i))
}

/// An address as proxies write it: `192.0.2.1`, `2001:db8::1`, quoted, with a port, or in
/// brackets (`"[2001:db8::1]:4711"`).
fn parse_addr(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    value
        .parse::<IpAddr>()
        .or_else(|_| value.parse::<SocketAddr>().map(|a| a.ip()))
        .ok()
        .or_else(|| {
            value
                .strip_prefix('[')
                .and_then(|v| v.strip_suffix(']'))
                .and_then(|v| v.parse().ok())
        })
}

/// What the send limits count a client in: an IPv4 address, an IPv6 /64 (one customer's
/// subnet: anyone holding one address usually holds the whole /64), or the shared bucket of
/// clients whose address is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Network {
    V4(Ipv4Addr),
    V6Prefix(u64),
    Unknown,
}

impl Network {
    pub(crate) fn of(ip: Option<IpAddr>) -> Self {
        match ip {
            None => Network::Unknown,
            Some(IpAddr::V4(v4)) => Network::V4(v4),
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => Network::V4(v4),
                None => Network::V6Prefix((v6.to_bits() >> 64) as u64),
            },
        }
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Network::V4(v4) => write!(f, "{v4}"),
            Network::V6Prefix(prefix) => write!(f, "{prefix:016x}::/64"),
            Network::Unknown => f.write_str("unknown"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut request = http::Request::builder();
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn forwarded_for_is_read_from_the_right() {
        let p = parts(&[
            ("x-forwarded-for", "6.6.6.6, 203.0.113.7"),
            ("x-forwarded-for", "10.0.0.1"),
        ]);
        let xff = |trusted_hops| ClientIp::XForwardedFor { trusted_hops }.of(&p);
        assert_eq!(xff(1), ip("10.0.0.1"));
        assert_eq!(xff(2), ip("203.0.113.7"));
        assert_eq!(xff(4), None, "fewer entries than hops");
        assert_eq!(xff(0), None);
        assert_eq!(ClientIp::Peer.of(&p), None);
        let real = parts(&[("x-real-ip", "198.51.100.4")]);
        let name = HeaderName::from_static("x-real-ip");
        let header = ClientIp::Header {
            name,
            trusted_hops: 1,
        };
        assert_eq!(header.of(&real), ip("198.51.100.4"));
        assert_eq!(header.of(&parts(&[("x-real-ip", "nonsense")])), None);
    }

    #[test]
    fn the_forwarded_header_gives_its_for_addresses() {
        let p = parts(&[(
            "forwarded",
            r#"for=6.6.6.6;proto=https, For="[2001:db8:cafe::17]:4711";by=10.0.0.1, proto=http;for=192.0.2.60:80"#,
        )]);
        let fwd = |trusted_hops| ClientIp::Forwarded { trusted_hops }.of(&p);
        assert_eq!(fwd(1), ip("192.0.2.60"));
        assert_eq!(fwd(2), ip("2001:db8:cafe::17"));
        assert_eq!(fwd(3), ip("6.6.6.6"));
        let hidden = parts(&[("forwarded", "for=_hidden")]);
        assert_eq!(ClientIp::Forwarded { trusted_hops: 1 }.of(&hidden), None);
    }

    #[test]
    fn peer_addresses_come_from_connect_info() {
        let mut p = parts(&[("x-forwarded-for", "6.6.6.6")]);
        p.extensions
            .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 9], 5000))));
        assert_eq!(ClientIp::Peer.of(&p), ip("192.0.2.9"));
    }

    #[test]
    fn networks_are_ipv4_addresses_and_ipv6_slash_64s() {
        let net = |s: &str| Network::of(ip(s));
        assert_eq!(net("2001:db8:1:2::1"), net("2001:db8:1:2:ffff::9"));
        assert_ne!(net("2001:db8:1:2::1"), net("2001:db8:1:3::1"));
        assert_eq!(net("::ffff:192.0.2.1"), net("192.0.2.1"));
        assert_ne!(net("192.0.2.1"), net("192.0.2.2"));
        assert_eq!(Network::of(None), Network::Unknown);
    }
}
