//! Argon2id password hashes (PHC strings). Hashing is CPU-bound, so it runs off the async
//! worker threads.

use crate::error::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(AppError::internal)?
}

pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

/// Verifies `password` against `stored`; with no stored hash (unknown account) it verifies
/// against a fixed dummy hash, so that the answer takes the same time either way.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let parsed = PasswordHash::new(&phc).map_err(AppError::internal)?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && known)
    })
    .await
    .map_err(AppError::internal)?
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("dummy password for timing").unwrap_or_default())
}

/// A new link token (for a confirmation or reset link): 32 random bytes as base64url, which
/// only the mail carries, and its hash, which is stored.
pub fn new_link_token() -> (String, String) {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let hash = link_token_hash(&raw);
    (raw, hash)
}

/// The stored form of a link token: its SHA-256, in hex.
pub fn link_token_hash(raw: &str) -> String {
    ring::digest::digest(&ring::digest::SHA256, raw.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("correct-horse-9".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct-horse-9".into(), Some(h.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong-horse-9".into(), Some(h)).await.unwrap());
        assert!(!verify("dummy password for timing".into(), None)
            .await
            .unwrap());
    }

    #[test]
    fn link_tokens_are_random_and_stored_hashed() {
        let (a, ha) = super::new_link_token();
        let (b, _) = super::new_link_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "32 bytes, base64url without padding");
        assert_eq!(ha, super::link_token_hash(&a));
        assert_eq!(ha.len(), 64);
        assert!(!ha.contains(&a));
    }
}
