//! Conversations and messages as the browser and the server share them.

use crate::accounts::model::PersonRef;
use crate::error::AppError;
use crate::model::text_field;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest message accepted, in characters.
pub const MAX_MESSAGE: usize = 4000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Opaque, unique, and ordered by time: also the cursor of the live feed.
    pub id: String,
    pub author: PersonRef,
    pub body: String,
    pub sent_at: DateTime<Utc>,
}

/// One row of my conversation list (one participant's summary item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: String,
    pub other: PersonRef,
    pub last_message: String,
    pub last_at: DateTime<Utc>,
    pub last_from_me: bool,
    pub unread: u32,
}

/// A conversation page: the other person and one page of messages in time order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationPage {
    pub id: String,
    pub other: PersonRef,
    pub messages: Vec<Message>,
    /// Cursor of the page of older messages, if any.
    pub older: Option<String>,
}

/// What changed since the browser last asked (the live feed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveUpdate {
    pub unread_total: u32,
    /// Messages of the open conversation after the last one the page shows.
    pub messages: Vec<Message>,
}

/// The last message as a list shows it: one line, at most 80 characters.
pub fn preview(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= 80 {
        line
    } else {
        format!("{}…", line.chars().take(79).collect::<String>())
    }
}

/// How far the live feed looks back before the last message a page has: a message stamped
/// earlier can still be committing when a later one is read (the page skips repeats).
pub const LATE_COMMIT_WINDOW_SECS: i64 = 10;

/// Where a page asks the live feed to start when its last message is `last` (a message id:
/// its time, `#`, its ULID): `LATE_COMMIT_WINDOW_SECS` before that time.
pub fn feed_start(last: &str) -> String {
    let stamp = last.split('#').next().unwrap_or(last);
    match chrono::DateTime::parse_from_rfc3339(stamp) {
        Ok(t) => {
            let from =
                t.with_timezone(&chrono::Utc) - chrono::Duration::seconds(LATE_COMMIT_WINDOW_SECS);
            from.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        }
        Err(_) => last.to_owned(),
    }
}

/// A message's text, validated: not empty, at most [`MAX_MESSAGE`] characters.
pub fn message_body(raw: &str) -> Result<String, AppError> {
    let body = raw.trim();
    if body.is_empty() {
        return Err(AppError::validation("Write a message first."));
    }
    text_field(body, "message", MAX_MESSAGE, true)
}

/// The id of the 1:1 conversation of two users: their ids in sorted order, so that both sides
/// compute the same id and one conditional write makes it unique.
pub fn pair_id(a: &str, b: &str) -> String {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    format!("{x}-{y}")
}

/// The two participants of a conversation id, if it is well formed.
pub fn participants(id: &str) -> Option<(&str, &str)> {
    let (a, b) = id.split_once('-')?;
    let ok =
        |s: &str| !s.is_empty() && s.len() <= 40 && s.chars().all(|c| c.is_ascii_alphanumeric());
    (ok(a) && ok(b) && a < b).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_starts_a_little_before_the_last_message() {
        assert_eq!(
            feed_start("2026-01-02T03:04:15.000006Z#01ABC"),
            "2026-01-02T03:04:05.000006Z"
        );
        let start = feed_start("2026-01-02T03:04:15.000006Z#01ABC");
        assert!(start.as_str() < "2026-01-02T03:04:05.000006Z#0");
        assert_eq!(feed_start("0"), "0");
    }

    #[test]
    fn preview_is_one_short_line() {
        assert_eq!(preview("hi\n  there"), "hi there");
        let long = "x".repeat(200);
        assert_eq!(preview(&long).chars().count(), 80);
        assert!(preview(&long).ends_with('…'));
    }
}
