//! Page links (cursors): a DynamoDB `LastEvaluatedKey` (all key attributes are strings in this
//! table) as URL-safe base64 of JSON, sealed with an HMAC-SHA256 tag over the list it belongs
//! to. The server's key signs them (derived from the session secret, so every instance
//! accepts every other's); a link that was altered, made up, or taken from another list
//! (another partition, index or range) fails the check before anything reaches DynamoDB.

use super::{s, DbError, Item};
use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::hmac;
use std::collections::BTreeMap;

pub type KeyStrings = BTreeMap<String, String>;

/// Longest page link accepted.
const MAX_LEN: usize = 2048;

/// The key that seals page links.
#[derive(Clone)]
pub struct CursorKey(hmac::Key);

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey(..)")
    }
}

impl CursorKey {
    /// A key of its own derived from the server's secret.
    pub fn derive(secret: &[u8]) -> Self {
        Self(crate::util::derived_key(secret, b"minijira page links v1"))
    }

    /// A key no one else has (tools that make no links for others).
    pub fn random() -> Self {
        let seed: [u8; 32] = rand::random();
        Self::derive(&seed)
    }

    fn message(list: &str, body: &str) -> Vec<u8> {
        [list.as_bytes(), b"\n", body.as_bytes()].concat()
    }

    /// The page link of `key` in the list `list` (an identifier of the query it continues).
    pub fn seal(&self, list: &str, key: &KeyStrings) -> String {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default());
        let tag = hmac::sign(&self.0, &Self::message(list, &body));
        format!("{body}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }

    /// The start key a page link of `list` stands for, if this server sealed it for that list
    /// and it holds exactly the attributes in `allowed`.
    pub fn open(&self, list: &str, raw: &str, allowed: &[&str]) -> Result<Item, DbError> {
        let raw = raw.trim();
        if raw.len() > MAX_LEN {
            return Err(DbError::BadCursor);
        }
        let (body, tag) = raw.split_once('.').ok_or(DbError::BadCursor)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| DbError::BadCursor)?;
        hmac::verify(&self.0, &Self::message(list, body), &tag).map_err(|_| DbError::BadCursor)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| DbError::BadCursor)?;
        let strings: KeyStrings = serde_json::from_slice(&bytes).map_err(|_| DbError::BadCursor)?;
        start_key(strings, allowed)
    }

    /// [`CursorKey::open`] for an optional link: none (or empty) means the first page.
    pub fn start(
        &self,
        list: &str,
        cursor: Option<&str>,
        allowed: &[&str],
    ) -> Result<Option<Item>, DbError> {
        cursor
            .filter(|c| !c.is_empty())
            .map(|c| self.open(list, c, allowed))
            .transpose()
    }
}

/// The string attributes of a `LastEvaluatedKey`.
pub fn key_strings(key: &Item) -> KeyStrings {
    key.iter()
        .filter_map(|(k, v)| match v {
            AttributeValue::S(v) => Some((k.clone(), v.clone())),
            _ => None,
        })
        .collect()
}

/// Back to an `ExclusiveStartKey`: exactly the attributes a key of this list has.
fn start_key(strings: KeyStrings, allowed: &[&str]) -> Result<Item, DbError> {
    if strings.len() != allowed.len() || strings.keys().any(|k| !allowed.contains(&k.as_str())) {
        return Err(DbError::BadCursor);
    }
    Ok(strings.into_iter().map(|(k, v)| (k, s(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> KeyStrings {
        [("pk", "USER#1"), ("sk", "PROFILE")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn a_sealed_link_opens_for_its_own_list_only() {
        let key = CursorKey::derive(b"a secret of the server, long enough");
        let link = key.seal("table|USER#1", &keys());
        let item = key.open("table|USER#1", &link, &["pk", "sk"]).unwrap();
        assert_eq!(item.get("sk"), Some(&s("PROFILE")));
        // Another list, another server key, missing or extra attributes: refused.
        assert!(key.open("table|USER#2", &link, &["pk", "sk"]).is_err());
        let other = CursorKey::derive(b"another secret, just as long as that");
        assert!(other.open("table|USER#1", &link, &["pk", "sk"]).is_err());
        assert!(key
            .open("table|USER#1", &link, &["pk", "sk", "gsi1pk"])
            .is_err());
        assert!(key.open("table|USER#1", &link, &["pk"]).is_err());
    }

    #[test]
    fn altered_or_made_up_links_are_refused() {
        let key = CursorKey::derive(b"a secret of the server, long enough");
        let link = key.seal("l", &keys());
        let (body, tag) = link.split_once('.').unwrap();
        let mut forged = keys();
        forged.insert("pk".into(), "USER#2".into());
        let forged_body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        for bad in [
            format!("{forged_body}.{tag}"),
            forged_body.clone(),
            body.to_owned(),
            format!("{body}.AAAA"),
            format!("{body}.{tag}x"),
            "!!!".into(),
            "x".repeat(3000),
        ] {
            assert!(key.open("l", &bad, &["pk", "sk"]).is_err(), "{bad}");
        }
        assert!(key.start("l", Some(""), &["pk", "sk"]).unwrap().is_none());
    }
}
