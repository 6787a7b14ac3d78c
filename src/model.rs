//! Types and validators every area shares (browser and server): a page of a list, the state of
//! a notification mail, free-text and date fields, and the macro that gives every status word
//! its one spelling.

use crate::error::AppError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An enum whose variants have one text form each — in JSON, in DynamoDB items and keys, in
/// forms. The text is written once, here in the declaration; `Serialize`/`Deserialize`,
/// `as_str` and `from_text` all use it.
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The one text form of this value.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value whose text form is exactly `text`.
            pub fn from_text(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::from_text(&text)
                    .ok_or_else(|| ::serde::de::Error::unknown_variant(&text, &[$($text),+]))
            }
        }
    };
}

/// One page of a list and the opaque cursor of the next page, if there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            next: None,
        }
    }
}

text_enum! {
    /// Delivery state of a notification email.
    pub enum Delivery {
        Queued = "queued",
        Sent = "sent",
        Failed = "failed",
    }
}

impl Delivery {
    pub fn label(self) -> &'static str {
        self.as_str()
    }
}

/// Trims and bounds a free-text field; `required` refuses empty text.
pub fn text_field(raw: &str, what: &str, max: usize, required: bool) -> Result<String, AppError> {
    let s = raw.trim();
    if required && s.is_empty() {
        return Err(AppError::validation(format!("Enter a {what}.")));
    }
    if s.chars().count() > max {
        return Err(AppError::validation(format!(
            "The {what} has at most {max} characters."
        )));
    }
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(AppError::validation(format!(
            "The {what} contains characters that are not allowed."
        )));
    }
    Ok(s.replace("\r\n", "\n"))
}

/// An optional `YYYY-MM-DD` date from a form.
pub fn optional_date(raw: &str, what: &str) -> Result<Option<NaiveDate>, AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::validation(format!("The {what} is not a date (YYYY-MM-DD).")))
}

/// The id of a stored record (an account, a job) from a request: 1 to 64 ASCII letters and
/// digits (the server makes ULIDs). Anything else names nothing: 404, before it reaches a key.
pub fn record_id(raw: &str) -> Result<&str, AppError> {
    let id = raw.trim();
    if !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(AppError::NotFound)
    }
}

/// A number from a form field (hidden fields such as a version), or a clear message.
pub fn number_field<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::validation(format!("The {what} is not a valid number.")))
}

/// An optional number from a form field: empty means none.
pub fn optional_number<T: std::str::FromStr>(raw: &str, what: &str) -> Result<Option<T>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        s => number_field(s, what).map(Some),
    }
}

/// The wall clock, the one place that reads it. Writes are dated by their store's clock
/// (`Store::now`, which defaults to this and which a test or the demo data can set); this is
/// for what has no store: a page's "today", a session token's times.
pub fn wall_clock() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

// The account as every area and the request kit see it (the accounts area owns the rest).

text_enum! {
    /// What an account is for. Admin is not a kind: it is granted separately, by the CLI only.
    pub enum AccountKind {
        Member = "member",
        Parent = "parent",
        Nanny = "nanny",
    }
}

impl AccountKind {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Self::from_text(&raw.trim().to_lowercase())
            .ok_or_else(|| AppError::validation("Choose an account kind: member, parent or nanny."))
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Member => "Team member",
            Self::Parent => "Parent",
            Self::Nanny => "Nanny",
        }
    }
}

text_enum! {
    /// Set by admins only. New accounts start unverified.
    pub enum AccountStatus {
        Unverified = "UNVERIFIED",
        Verified = "VERIFIED",
        Deactivated = "DEACTIVATED",
    }
}

impl AccountStatus {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Self::from_text(raw.trim())
            .ok_or_else(|| AppError::validation("Choose VERIFIED, UNVERIFIED or DEACTIVATED."))
    }
}

/// The signed-in user as the browser sees it (from the verified session token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: String,
    pub handle: String,
    pub display_name: String,
    pub kind: AccountKind,
    pub is_admin: bool,
    /// Whether the account's email address is confirmed (until then a banner offers to resend
    /// the link, and no other mail goes to it).
    #[serde(default = "yes")]
    pub email_confirmed: bool,
}

fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_enum_has_one_spelling() {
        for d in Delivery::ALL {
            let json = serde_json::to_string(d).unwrap();
            assert_eq!(json, format!("\"{}\"", d.as_str()));
            assert_eq!(serde_json::from_str::<Delivery>(&json).unwrap(), *d);
        }
        assert!(serde_json::from_str::<Delivery>("\"QUEUED\"").is_err());
    }

    #[test]
    fn text_and_dates() {
        assert_eq!(
            text_field("  hi \r\n there ", "title", 12, true).unwrap(),
            "hi \n there"
        );
        assert!(text_field("   ", "title", 10, true).is_err());
        assert!(text_field("x".repeat(11).as_str(), "title", 10, true).is_err());
        assert!(text_field("a\u{0}b", "title", 10, true).is_err());
        assert_eq!(optional_date("", "start date").unwrap(), None);
        assert!(optional_date("2026-02-30", "start date").is_err());
        assert_eq!(
            optional_date("2026-02-28", "d")
                .unwrap()
                .unwrap()
                .to_string(),
            "2026-02-28"
        );
        assert_eq!(optional_number::<u32>(" 7 ", "n").unwrap(), Some(7));
        assert_eq!(optional_number::<u32>("", "n").unwrap(), None);
        assert!(number_field::<u64>("x", "version").is_err());
    }
}
