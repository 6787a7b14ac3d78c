//! Every key string of the single table is built here and nowhere else.
//!
//! | item            | pk                 | sk        | gsi1 (directory)     | gsi2 (accounts by status) |
//! |-----------------|--------------------|-----------|----------------------|---------------------------|
//! | user profile    | `USER#<id>`        | `PROFILE` | `DIR` / handle       | `ACCT#<status>` / created |
//! | email + login   | `EMAIL#<email>`    | `LOGIN`   |                      |                           |
//! | handle guard    | `HANDLE#<handle>`  | `HANDLE`  |                      |                           |
//! | seed marker     | `META#SEED`        | `META`    |                      |                           |

use crate::models::{AccountStatus, Email, Handle};

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1: &str = "gsi1";
pub const GSI1PK: &str = "gsi1pk";
pub const GSI1SK: &str = "gsi1sk";
pub const GSI2: &str = "gsi2";
pub const GSI2PK: &str = "gsi2pk";
pub const GSI2SK: &str = "gsi2sk";
pub const GSI3: &str = "gsi3";
pub const GSI3PK: &str = "gsi3pk";
pub const GSI3SK: &str = "gsi3sk";

pub const PROFILE_SK: &str = "PROFILE";
pub const LOGIN_SK: &str = "LOGIN";
pub const HANDLE_SK: &str = "HANDLE";

pub fn user_pk(user_id: &str) -> String {
    format!("USER#{user_id}")
}

pub fn email_pk(email: &Email) -> String {
    format!("EMAIL#{}", email.as_str())
}

pub fn handle_pk(handle: &Handle) -> String {
    format!("HANDLE#{}", handle.as_str())
}

/// The people directory: one index partition sorted by handle, so that a prefix search and a
/// page of the whole directory are each one Query. (A team's directory is small; a partition of
/// a GSI serves thousands of reads per second.)
pub const DIRECTORY_PK: &str = "DIR";

pub fn account_status_pk(status: AccountStatus) -> String {
    format!("ACCT#{}", status.as_str())
}

pub fn seed_marker() -> (String, String) {
    ("META#SEED".into(), "META".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_keys() {
        assert_eq!(user_pk("01HX"), "USER#01HX");
        assert_eq!(email_pk(&Email::parse("A@B.io").unwrap()), "EMAIL#a@b.io");
        assert_eq!(handle_pk(&Handle::parse("Bob").unwrap()), "HANDLE#bob");
    }

    #[test]
    fn status_keys() {
        assert_eq!(
            account_status_pk(AccountStatus::Deactivated),
            "ACCT#DEACTIVATED"
        );
        assert_eq!(seed_marker().0, "META#SEED");
    }
}
