//! Session tokens: HS256 JWTs with an expiry, carried in an HttpOnly cookie.

use crate::model::{AccountKind, SessionUser};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub handle: String,
    pub name: String,
    pub kind: AccountKind,
    #[serde(default)]
    pub adm: bool,
    pub iat: i64,
    pub exp: i64,
    /// The account's session epoch when the token was issued (see `session_guard`).
    #[serde(default)]
    pub epoch: u64,
    /// Whether the account's address was confirmed when the token was issued.
    #[serde(default = "yes")]
    pub ec: bool,
    /// The session this token belongs to (see `db::account_state`); empty in tokens from
    /// before sessions had ids.
    #[serde(default)]
    pub sid: String,
}

fn yes() -> bool {
    true
}

impl Claims {
    pub fn user(&self) -> SessionUser {
        SessionUser {
            id: self.sub.clone(),
            handle: self.handle.clone(),
            display_name: self.name.clone(),
            kind: self.kind,
            is_admin: self.adm,
            email_confirmed: self.ec,
        }
    }
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_secs: i64,
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl_secs: i64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl_secs,
        }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    pub fn issue(&self, user: &SessionUser, epoch: u64, sid: &str, now: i64) -> Option<String> {
        let claims = Claims {
            sub: user.id.clone(),
            handle: user.handle.clone(),
            name: user.display_name.clone(),
            kind: user.kind,
            adm: user.is_admin,
            iat: now,
            exp: now + self.ttl_secs,
            epoch,
            ec: user.email_confirmed,
            sid: sid.to_owned(),
        };
        match encode(&Header::new(Algorithm::HS256), &claims, &self.encoding) {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::error!(error = %e, "could not sign a session token");
                None
            }
        }
    }

    /// The claims of a token that is well signed and not expired at `now`.
    pub fn verify(&self, token: &str, now: i64) -> Option<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.validate_exp = false; // checked below against `now`, with no leeway
        v.required_spec_claims = ["exp", "sub"].into_iter().map(String::from).collect();
        let claims = decode::<Claims>(token, &self.decoding, &v).ok()?.claims;
        (claims.exp > now && claims.iat <= now + 60).then_some(claims)
    }

    /// Past half its life, a token in use is replaced by a fresh one (a sliding session).
    pub fn needs_refresh(&self, claims: &Claims, now: i64) -> bool {
        now - claims.iat > self.ttl_secs / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> SessionUser {
        SessionUser {
            id: "01U".into(),
            handle: "ann".into(),
            display_name: "Ann".into(),
            kind: AccountKind::Member,
            is_admin: false,
            email_confirmed: false,
        }
    }

    #[test]
    fn round_trip() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 3600);
        let t = keys.issue(&user(), 0, "01S", 1_000).unwrap();
        let c = keys.verify(&t, 1_001).unwrap();
        assert_eq!(c.user(), user());
        assert_eq!(c.exp, 4_600);
        assert!(!keys.needs_refresh(&c, 2_000));
        assert!(keys.needs_refresh(&c, 3_000));
    }

    #[test]
    fn expiry_and_tampering() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 3600);
        let t = keys.issue(&user(), 0, "01S", 1_000).unwrap();
        assert!(keys.verify(&t, 4_600).is_none(), "expired exactly at exp");
        assert!(keys.verify(&t, 10_000).is_none());
        let other = TokenKeys::new(b"another-secret-another-secret-xx", 3600);
        assert!(other.verify(&t, 1_001).is_none(), "wrong key");
        let mut forged = t.clone();
        forged.pop();
        assert!(keys.verify(&forged, 1_001).is_none());
        assert!(keys.verify("not.a.jwt", 1_001).is_none());
    }
}
