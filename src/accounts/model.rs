//! Accounts as the browser and the server share them. Each newtype can only hold a valid
//! value: build it with `parse`.

use crate::error::AppError;
pub use crate::model::{AccountKind, AccountStatus, SessionUser};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A normalised (trimmed, lower-cased) email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.trim().to_lowercase();
        let bad = || AppError::validation("Enter a valid email address, like name@example.com.");
        if s.is_empty() || s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || local.len() > 64
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || s.contains(['<', '>', '"', '\'', ',', ';'])
        {
            return Err(bad());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A public handle: 3–20 characters, lower-case letters, digits and `_`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Handle(String);

impl Handle {
    pub const MIN: usize = 3;
    pub const MAX: usize = 20;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.trim().trim_start_matches('@').to_lowercase();
        if s.chars().count() < Self::MIN || s.chars().count() > Self::MAX {
            return Err(AppError::validation("A handle has 3 to 20 characters."));
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(AppError::validation("A handle starts with a letter."));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(AppError::validation(
                "A handle may only contain letters, digits and underscores.",
            ));
        }
        Ok(Self(s))
    }

    /// A directory search prefix: the same alphabet as a handle, any length up to the maximum.
    pub fn parse_prefix(raw: &str) -> Result<String, AppError> {
        let s = raw.trim().trim_start_matches('@').to_lowercase();
        if s.chars().count() > Self::MAX
            || !s
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(AppError::validation(
                "Search by handle: letters, digits and underscores only.",
            ));
        }
        Ok(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name: 1–60 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            return Err(AppError::validation("Enter your name."));
        }
        if s.chars().count() > 60 {
            return Err(AppError::validation("A name has at most 60 characters."));
        }
        if s.chars().any(char::is_control) {
            return Err(AppError::validation(
                "A name cannot contain control characters.",
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the rules. Never serialised, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub const MIN: usize = 10;
    pub const MAX: usize = 128;

    /// The first rule the candidate breaks, if any. Shared by the live hint in the browser and
    /// the server-side check, so they can never disagree.
    pub fn weakness(raw: &str, handle: &str, email: &str) -> Option<&'static str> {
        let n = raw.chars().count();
        if n < Self::MIN {
            return Some("Use at least 10 characters.");
        }
        if n > Self::MAX {
            return Some("Use at most 128 characters.");
        }
        if !raw.chars().any(char::is_alphabetic) || raw.chars().all(char::is_alphabetic) {
            return Some("Mix letters with digits or symbols.");
        }
        let distinct: std::collections::HashSet<char> = raw.chars().collect();
        if distinct.len() < 5 {
            return Some("Use more different characters.");
        }
        let lower = raw.to_lowercase();
        let handle = handle.trim().to_lowercase();
        let local = email.trim().to_lowercase();
        let local = local.split('@').next().unwrap_or_default();
        if (handle.len() >= 3 && lower.contains(&handle))
            || (local.len() >= 3 && lower.contains(local))
        {
            return Some("Do not put your handle or email in your password.");
        }
        None
    }

    pub fn parse(raw: &str, handle: &str, email: &str) -> Result<Self, AppError> {
        match Self::weakness(raw, handle, email) {
            Some(msg) => Err(AppError::validation(format!("Password too weak: {msg}"))),
            None => Ok(Self(raw.to_owned())),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A person as shown in the directory and on a public profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSummary {
    pub id: String,
    pub handle: String,
    pub display_name: String,
    pub kind: AccountKind,
    pub status: AccountStatus,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// An account as administrators list it: the person, and whether their address is confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRow {
    pub person: PersonSummary,
    pub email_confirmed: bool,
}

/// A person as other records show them (a project's manager, a message's author, a job's
/// parent): the id, and the handle and name at the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub id: String,
    pub handle: String,
    pub display_name: String,
}

impl From<&SessionUser> for PersonRef {
    fn from(u: &SessionUser) -> Self {
        Self {
            id: u.id.clone(),
            handle: u.handle.clone(),
            display_name: u.display_name.clone(),
        }
    }
}

/// The sign-in form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    /// Where to go afterwards (a local path).
    pub next: Option<String>,
}

/// The sign-up form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignUpForm {
    pub email: String,
    pub handle: String,
    pub display_name: String,
    pub password: String,
    pub kind: String,
    /// Where to go afterwards (a local path).
    pub next: Option<String>,
}

/// A sign-up, validated.
pub struct NewAccount {
    pub email: Email,
    pub handle: Handle,
    pub display_name: DisplayName,
    pub kind: AccountKind,
    pub password: Password,
}

impl SignUpForm {
    pub fn parse(&self) -> Result<NewAccount, AppError> {
        let email = Email::parse(&self.email)?;
        let handle = Handle::parse(&self.handle)?;
        Ok(NewAccount {
            display_name: DisplayName::parse(&self.display_name)?,
            kind: AccountKind::parse(&self.kind)?,
            password: Password::parse(&self.password, handle.as_str(), email.as_str())?,
            email,
            handle,
        })
    }
}

/// The `/account` page: what the signed-in person sees of their own account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPage {
    pub handle: String,
    pub display_name: String,
    pub email: String,
    pub email_confirmed: bool,
    /// A new address waiting for its confirmation link to be opened.
    pub pending_email: Option<String>,
    /// My open sessions: this one first, then the most recently seen.
    pub sessions: Vec<SessionView>,
}

/// One of my open sessions, as `/account` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub sid: String,
    /// "Firefox on Linux", from the browser's User-Agent.
    pub browser: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen: chrono::DateTime<chrono::Utc>,
    /// The session of the browser looking.
    pub current: bool,
}

/// Change my display name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NameForm {
    pub display_name: String,
}

/// Change my email address (it takes effect once the new address is confirmed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmailForm {
    pub email: String,
    pub password: String,
}

/// Change my password.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PasswordForm {
    pub current: String,
    pub password: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@x.io",
            "ann@x",
            "a b@x.io",
            "ann@@x.io",
            "ann@x..io",
            "<a>@x.io",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Email::parse(&format!("{}@x.io", "a".repeat(65))).is_err());
    }

    #[test]
    fn handle_rules() {
        assert_eq!(Handle::parse("@Alice_1").unwrap().as_str(), "alice_1");
        for bad in [
            "ab",
            "1abc",
            "_abc",
            "al ice",
            "alice-b",
            "ünï",
            &"a".repeat(21),
        ] {
            assert!(Handle::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(Handle::parse_prefix("Al").unwrap(), "al");
        assert_eq!(Handle::parse_prefix("").unwrap(), "");
        assert!(Handle::parse_prefix("a*").is_err());
    }

    #[test]
    fn display_name_collapses_spaces_and_limits_length() {
        assert_eq!(
            DisplayName::parse("  Ann   Lee ").unwrap().as_str(),
            "Ann Lee"
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(61)).is_err());
    }

    #[test]
    fn password_rules() {
        assert!(Password::parse("short1!", "ann", "ann@x.io").is_err());
        assert!(Password::parse("onlyletterslong", "ann", "ann@x.io").is_err());
        assert!(Password::parse("aaaaaaaaaa1", "ann", "ann@x.io").is_err());
        assert!(Password::parse("my-alice-pass-9", "alice", "z@x.io").is_err());
        assert!(Password::parse(&"ab1".repeat(50), "ann", "ann@x.io").is_err());
        assert!(Password::parse("correct-horse-9", "ann", "ann@x.io").is_ok());
        assert_eq!(
            format!(
                "{:?}",
                Password::parse("correct-horse-9", "a", "b").unwrap()
            ),
            "Password(***)"
        );
    }

    #[test]
    fn account_kind_parse() {
        assert_eq!(AccountKind::parse(" Nanny ").unwrap(), AccountKind::Nanny);
        for &k in AccountKind::ALL {
            assert_eq!(AccountKind::parse(k.as_str()).unwrap(), k);
        }
        assert!(AccountKind::parse("admin").is_err());
        assert!(AccountKind::parse("").is_err());
    }
}
