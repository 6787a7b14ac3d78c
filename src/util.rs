//! Small helpers shared by the browser and the server.

/// What [`url_encode`] leaves as it is: letters, digits, `-_.~` (unreserved) and `/`.
const KEPT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a query-string component (UTF-8, upper-case hex).
pub fn url_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, KEPT).to_string()
}

/// A redirect target from the request: only a local path is accepted (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && p.len() <= 512
                && !p.chars().any(|c| c.is_control()) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// An HMAC-SHA256 key of its own for `purpose`, derived from the server's secret (so every
/// instance derives the same one, and no two purposes share a key).
#[cfg(feature = "ssr")]
pub fn derived_key(secret: &[u8], purpose: &[u8]) -> ring::hmac::Key {
    use ring::hmac;
    let master = hmac::Key::new(hmac::HMAC_SHA256, secret);
    hmac::Key::new(hmac::HMAC_SHA256, hmac::sign(&master, purpose).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes() {
        assert_eq!(url_encode("/p/A B?x=1&y"), "/p/A%20B%3Fx%3D1%26y");
        assert_eq!(url_encode("é"), "%C3%A9");
    }

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next(Some("/people?q=a")), "/people?q=a");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "",
            "people",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
