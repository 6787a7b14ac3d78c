//! Opaque page cursors: a DynamoDB `LastEvaluatedKey` (all key attributes are strings in this
//! table) plus whatever else a listing needs, as URL-safe base64 of JSON.

use super::{s, DbError, Item};
use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;

pub type KeyStrings = BTreeMap<String, String>;

pub fn encode<T: Serialize>(value: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default())
}

pub fn decode<T: DeserializeOwned>(raw: &str) -> Result<T, DbError> {
    if raw.len() > 2048 {
        return Err(DbError::BadCursor);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(raw.trim())
        .map_err(|_| DbError::BadCursor)?;
    serde_json::from_slice(&bytes).map_err(|_| DbError::BadCursor)
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

/// Back to an `ExclusiveStartKey`, keeping only the attributes a key may have.
pub fn start_key(strings: KeyStrings, allowed: &[&str]) -> Result<Item, DbError> {
    if strings.keys().any(|k| !allowed.contains(&k.as_str())) {
        return Err(DbError::BadCursor);
    }
    Ok(strings.into_iter().map(|(k, v)| (k, s(v))).collect())
}

/// The start key a page link (cursor) stands for, refusing attributes outside `allowed`.
pub fn start_from(raw: &str, allowed: &[&str]) -> Result<Item, DbError> {
    start_key(decode::<KeyStrings>(raw)?, allowed)
}

/// `start_from` for an optional cursor: none (or empty) means the first page.
pub fn start(cursor: Option<&str>, allowed: &[&str]) -> Result<Option<Item>, DbError> {
    cursor
        .filter(|c| !c.is_empty())
        .map(|c| start_from(c, allowed))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let mut k = KeyStrings::new();
        k.insert("pk".into(), "USER#1".into());
        let enc = encode(&k);
        let back: KeyStrings = decode(&enc).unwrap();
        assert_eq!(back, k);
        assert!(decode::<KeyStrings>("!!!").is_err());
        assert!(start_key(back.clone(), &["pk", "sk"]).is_ok());
        assert!(start_key(back, &["sk"]).is_err());
    }
}
