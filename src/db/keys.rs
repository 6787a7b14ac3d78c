//! Every key string of the single table is built here and nowhere else.
//!
//! | item            | pk                 | sk        | gsi1 (directory)     | gsi2 (accounts by status) |
//! |-----------------|--------------------|-----------|----------------------|---------------------------|
//! | user profile    | `USER#<id>`        | `PROFILE` | `DIR` / handle       | `ACCT#<status>` / created |
//! | email + login   | `EMAIL#<email>`    | `LOGIN`   |                      |                           |
//! | handle guard    | `HANDLE#<handle>`  | `HANDLE`  |                      |                           |
//! | session         | `USER#<id>`        | `SESSION#<sid>` |                |                           |
//! | seed marker     | `META#SEED`        | `META`    |                      |                           |
//! | project         | `P#<KEY>`          | `#META`   |                      |                           |
//! | member          | `P#<KEY>`          | `M#<uid>` | `UP#<uid>` / KEY     |                           |
//! | story           | `P#<KEY>`          | `S#<n>`   |                      |                           |
//! | sprint          | `P#<KEY>`          | `R#<n>`   |                      |                           |
//! | task            | `P#<KEY>`          | `T#<n>`   | lsi1: `PLAN#<list>#<rank>#<n>` (open work) or `DONE#S<n>#…` (a completed sprint's) | |
//! | burndown event  | `P#<KEY>`          | `Y#<sprint>#<time>#<id>` |       |                           |
//! | activity entry  | `P#<KEY>`          | `Z#<time>#<id>` | lsi1: `H#<task>#<time>#<id>` (a task's history) | |
//! | comment         | `P#<KEY>#T#<n>`    | `C#<time>#<id>` |                |                           |
//! | outbox mail     | `OUTBOX#<id>`      | `OUTBOX`  | held: `HELD#<uid>` / id | `OUTBOX#PENDING` / due; held: `OUTBOX#HELD` / expiry |
//! | link token      | `TOKEN#<sha256>`   | `TOKEN`   |                      |                           |
//! | held-mail release | `USER#<uid>`     | `#RELEASE`|                      | `MAILRELEASE#PENDING` / time |
//! | conversation    | `C#<id>`           | `#META`   |                      |                           |
//! | participant     | `C#<id>`           | `P#<uid>` | `UC#<uid>` / last_at |                           |
//! | message         | `C#<id>`           | `M#<time>#<ulid>` |              |                           |
//! | 1:1 pair guard  | `DM#<uid>#<uid>`   | `DM`      |                      |                           |
//! | unread total    | `USER#<uid>`       | `UNREAD`  |                      |                           |
//! | sitter profile  | `USER#<uid>`       | `SITTER`  |                      |                           |
//! | private details | `USER#<uid>`       | `PRIVATE` |                      |                           |
//! | review of uid   | `USER#<uid>`       | `REVIEW#<job>#<reviewer>` |      |                           |
//! | job             | `JOB#<id>`         | `#META`   | `JOBS#OPEN#<city>` / newest (open only) | `PJOBS#<parent>` / newest; gsi3 `JOBS#OPEN` / newest (open only) |
//! | application     | `JOB#<id>`         | `APP#<nanny>` |                  | `NAPPS#<nanny>` / newest  |
//! | decline task    | `JOB#<id>`         | `DECLINE` |                      | `JOBTASK#PENDING` / time  |
//! | comment clean-up| `P#<KEY>#T#<n>`    | `#CLEANUP`|                      | `TASKCLEANUP#PENDING` / time |
//! | sprint's tasks to move | `P#<KEY>#R#<n>` | `#MOVING` |                | `SPRINTCLOSE#PENDING` / time |
//! | sign-in counter | `THROTTLE#<scope>#<value>` | `<minute>` |              |                           |
//! | live signal     | `LIVE#<shard>`     | `LIVE`    |                      |                           |
//! | partition version | any versioned pk | `!V`      |                      |                           |
//!
//! Numbers in sort keys are zero-padded to 6 digits so that they sort numerically. Comments
//! live in a partition of their own so that the scrum page's one Query never reads them.

use crate::accounts::model::{Email, Handle};
use crate::model::AccountStatus;
use crate::projects::model::ProjectKey;
use chrono::{DateTime, SecondsFormat, Utc};

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
/// The local index: the project partition's tasks in plan order, and each task's history.
/// (Local, so that it reads with strong consistency: a person sees their own change at once.)
pub const LSI1: &str = "lsi1";
pub const LSI1SK: &str = "lsi1sk";

/// Where a query reads: the table itself or one of its global secondary indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    Table,
    Gsi1,
    Gsi2,
    Gsi3,
    Lsi1,
}

impl Index {
    /// The index name (`None` for the table).
    pub fn name(self) -> Option<&'static str> {
        match self {
            Self::Table => None,
            Self::Gsi1 => Some(GSI1),
            Self::Gsi2 => Some(GSI2),
            Self::Gsi3 => Some(GSI3),
            Self::Lsi1 => Some(LSI1),
        }
    }

    pub fn pk(self) -> &'static str {
        match self {
            Self::Table | Self::Lsi1 => PK,
            Self::Gsi1 => GSI1PK,
            Self::Gsi2 => GSI2PK,
            Self::Gsi3 => GSI3PK,
        }
    }

    pub fn sk(self) -> &'static str {
        match self {
            Self::Table => SK,
            Self::Gsi1 => GSI1SK,
            Self::Gsi2 => GSI2SK,
            Self::Gsi3 => GSI3SK,
            Self::Lsi1 => LSI1SK,
        }
    }

    /// The attributes of a `LastEvaluatedKey` from this index (what a cursor may hold).
    pub fn key_attributes(self) -> Vec<&'static str> {
        match self {
            Self::Table => vec![PK, SK],
            Self::Lsi1 => vec![PK, SK, LSI1SK],
            _ => vec![PK, SK, self.pk(), self.sk()],
        }
    }
}

pub const PROFILE_SK: &str = "PROFILE";
/// An account's sessions, under its partition.
pub const SESSION_PREFIX: &str = "SESSION#";

pub fn session_sk(sid: &str) -> String {
    format!("{SESSION_PREFIX}{sid}")
}
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

pub fn project_pk(key: &ProjectKey) -> String {
    format!("P#{key}")
}

pub const PROJECT_META_SK: &str = "#META";
pub const MEMBER_PREFIX: &str = "M#";
pub const STORY_PREFIX: &str = "S#";
pub const TASK_PREFIX: &str = "T#";

pub const SPRINT_PREFIX: &str = "R#";
/// The head of a project's partition (header, members, sprints, stories: everything before
/// the tasks), read in one Query that never touches a task.
pub const HEAD_FIRST: &str = "#";
pub const HEAD_LAST: &str = "S#~";

pub fn sprint_sk(n: u32) -> String {
    format!("{SPRINT_PREFIX}{n:06}")
}

/// The open work of a project in the local index: the sprints' tasks (by sprint number), then
/// the backlog's, each list by rank; the task number breaks ties.
pub const PLAN_PREFIX: &str = "PLAN#";

/// The prefix of one list of open work: a sprint's (`Some`) or the backlog's.
pub fn plan_list(sprint: Option<u32>) -> String {
    match sprint {
        Some(n) => format!("{PLAN_PREFIX}S{n:06}#"),
        None => format!("{PLAN_PREFIX}~#"),
    }
}

pub fn plan_key(sprint: Option<u32>, rank: &str, task: u32) -> String {
    format!("{}{rank}#{task:06}", plan_list(sprint))
}

/// The tasks of a completed sprint, by rank.
pub fn done_list(sprint: u32) -> String {
    format!("DONE#S{sprint:06}#")
}

pub fn done_key(sprint: u32, rank: &str, task: u32) -> String {
    format!("{}{rank}#{task:06}", done_list(sprint))
}

pub const BURN_PREFIX: &str = "Y#";

pub fn burn_list(sprint: u32) -> String {
    format!("{BURN_PREFIX}{sprint:06}#")
}

pub fn burn_sk(sprint: u32, at: &DateTime<Utc>, id: &str) -> String {
    format!(
        "{}{}#{id}",
        burn_list(sprint),
        at.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

pub const ACTIVITY_PREFIX: &str = "Z#";

pub fn activity_sk(at: &DateTime<Utc>, id: &str) -> String {
    format!(
        "{ACTIVITY_PREFIX}{}#{id}",
        at.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

/// A task's history in the local index.
pub fn history_list(task: u32) -> String {
    format!("H#{task:06}#")
}

pub fn history_key(task: u32, at: &DateTime<Utc>, id: &str) -> String {
    format!(
        "{}{}#{id}",
        history_list(task),
        at.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

pub fn member_sk(user_id: &str) -> String {
    format!("{MEMBER_PREFIX}{user_id}")
}

pub fn story_sk(n: u32) -> String {
    format!("{STORY_PREFIX}{n:06}")
}

pub fn task_sk(n: u32) -> String {
    format!("{TASK_PREFIX}{n:06}")
}

/// Highest story or task number a project can reach (the sort keys have 6 digits).
pub const MAX_NUMBER: u32 = crate::projects::model::MAX_ITEM_NUMBER;

pub fn comments_pk(key: &ProjectKey, n: u32) -> String {
    format!("P#{key}#T#{n:06}")
}

pub const COMMENT_PREFIX: &str = "C#";

pub fn comment_sk(at: &DateTime<Utc>, id: &str) -> String {
    format!(
        "{COMMENT_PREFIX}{}#{id}",
        at.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

/// A deleted task's pending "remove its comments" task, in the comments' own partition; it is
/// written in the deletion's transaction, so the clean-up survives a server that stops half-way.
pub const CLEANUP_SK: &str = "#CLEANUP";
pub const CLEANUP_PENDING: &str = "TASKCLEANUP#PENDING";

/// A completed sprint whose tasks are still to move (written with the completion, removed once
/// they moved; the worker finishes what a stopped server left).
pub fn sprint_close_pk(key: &ProjectKey, sprint: u32) -> String {
    format!("P#{key}#R#{sprint:06}")
}

pub const SPRINT_CLOSE_SK: &str = "#MOVING";
pub const SPRINT_CLOSE_PENDING: &str = "SPRINTCLOSE#PENDING";

/// Index key of a member item: the projects of one user.
pub fn user_projects_pk(user_id: &str) -> String {
    format!("UP#{user_id}")
}

pub fn outbox_pk(id: &str) -> String {
    format!("OUTBOX#{id}")
}

pub const OUTBOX_SK: &str = "OUTBOX";
pub const OUTBOX_PENDING: &str = "OUTBOX#PENDING";
/// Mail waiting for its account's address to be confirmed, sorted by when it expires.
pub const OUTBOX_HELD: &str = "OUTBOX#HELD";

/// The mail held for one account (gsi1), released when its address is confirmed.
pub fn held_mail_pk(user_id: &str) -> String {
    format!("HELD#{user_id}")
}

/// A release of an account's held mail still to do (the worker resumes it).
pub const RELEASE_SK: &str = "#RELEASE";
pub const RELEASE_PENDING: &str = "MAILRELEASE#PENDING";

/// A link token (email confirmation, password reset), by the SHA-256 of the token.
pub fn token_pk(token_hash: &str) -> String {
    format!("TOKEN#{token_hash}")
}

pub const TOKEN_SK: &str = "TOKEN";

pub fn outbox_due_sk(due: &DateTime<Utc>, id: &str) -> String {
    format!("{}#{id}", due.to_rfc3339_opts(SecondsFormat::Millis, true))
}

pub fn conversation_pk(id: &str) -> String {
    format!("C#{id}")
}

pub const CONVERSATION_META_SK: &str = "#META";
pub const MESSAGE_PREFIX: &str = "M#";
pub const PARTICIPANT_PREFIX: &str = "P#";

pub fn participant_sk(user_id: &str) -> String {
    format!("{PARTICIPANT_PREFIX}{user_id}")
}

/// A message's sort key: its time (microseconds, UTC) and a ULID, so that two messages of the
/// same instant never collide and the order is the order of sending.
pub fn message_sk(at: &DateTime<Utc>, id: &str) -> String {
    format!(
        "{MESSAGE_PREFIX}{}#{id}",
        at.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

/// Index key of a participant's summary: the conversations of one user, newest first.
pub fn user_conversations_pk(user_id: &str) -> String {
    format!("UC#{user_id}")
}

pub fn conversation_activity_sk(at: &DateTime<Utc>, id: &str) -> String {
    format!("{}#{id}", at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// The guard that makes a 1:1 conversation unique per pair (ids in sorted order).
pub fn pair_pk(a: &str, b: &str) -> String {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    format!("DM#{x}#{y}")
}

pub const PAIR_SK: &str = "DM";

/// A user's total of unread messages (kept off the profile so it never bumps its version).
pub const UNREAD_SK: &str = "UNREAD";

pub const SITTER_SK: &str = "SITTER";
pub const PRIVATE_SK: &str = "PRIVATE";

pub const REVIEW_PREFIX: &str = "REVIEW#";

/// A review of the profile's owner, in their `USER#` partition. Reviews sort before the
/// `SITTER` item, so that one Query between the two reads the profile with its reviews.
pub fn review_sk(job_id: &str, reviewer: &str) -> String {
    format!("{REVIEW_PREFIX}{job_id}#{reviewer}")
}

pub fn job_pk(id: &str) -> String {
    format!("JOB#{id}")
}

pub const JOB_META_SK: &str = "#META";
pub const APPLICATION_PREFIX: &str = "APP#";
/// A booked job's pending "decline the other applications" task.
pub const DECLINE_SK: &str = "DECLINE";
pub const DECLINE_PENDING: &str = "JOBTASK#PENDING";

pub fn application_sk(nanny_id: &str) -> String {
    format!("{APPLICATION_PREFIX}{nanny_id}")
}

/// Open jobs of one city (gsi1), and of every city (gsi3): both removed when the job closes.
pub fn open_jobs_city_pk(city_key: &str) -> String {
    format!("JOBS#OPEN#{city_key}")
}

pub const OPEN_JOBS_PK: &str = "JOBS#OPEN";

pub fn newest_sk(at: &DateTime<Utc>, id: &str) -> String {
    format!("{}#{id}", at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// A parent's jobs (gsi2).
pub fn parent_jobs_pk(parent_id: &str) -> String {
    format!("PJOBS#{parent_id}")
}

/// A nanny's applications (gsi2).
pub fn nanny_applications_pk(nanny_id: &str) -> String {
    format!("NAPPS#{nanny_id}")
}

pub fn seed_marker() -> (String, String) {
    ("META#SEED".into(), "META".into())
}

/// A time as keys and records hold it: to the microsecond, so that key order and time order
/// agree (two records of one microsecond are ordered by their ULID).
pub fn key_time(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    chrono::SubsecRound::trunc_subsecs(t, 6)
}

/// A failed sign-in counter: one per scope (`email`, `addr`), value and minute.
pub fn throttle_key(scope: &str, value: &str, minute: i64) -> (String, String) {
    (format!("THROTTLE#{scope}#{value}"), minute.to_string())
}

/// Live-update signals: users are spread over this many shards; each shard has one small
/// counter, moved on whenever something a user's open pages show live changes for a user of
/// the shard (a message to them, a conversation they read). An instance reads all shards in
/// one call per tick, and only for a shard that moved does it read its users' state.
pub const LIVE_SHARDS: u32 = 8;
pub const LIVE_SK: &str = "LIVE";

pub fn live_signal_pk(shard: u32) -> String {
    format!("LIVE#{shard:02}")
}

/// The shard of a user (FNV-1a of the id: the same on every instance).
pub fn live_shard(user_id: &str) -> u32 {
    let hash = user_id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash % LIVE_SHARDS
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
    fn project_keys_sort_numerically() {
        let k = ProjectKey::parse("demo").unwrap();
        assert_eq!(project_pk(&k), "P#DEMO");
        assert_eq!(task_sk(7), "T#000007");
        assert!(task_sk(9) < task_sk(10));
        assert!(
            story_sk(2) < task_sk(1),
            "stories come before tasks in the partition"
        );
        assert!(member_sk("x") < story_sk(1) && *PROJECT_META_SK < *member_sk("0"));
        for head in [
            PROJECT_META_SK.to_owned(),
            member_sk("zz"),
            sprint_sk(999_999),
            story_sk(999_999),
        ] {
            assert!(
                HEAD_FIRST <= head.as_str() && head.as_str() <= HEAD_LAST,
                "{head}"
            );
        }
        for tail in [
            task_sk(1),
            burn_list(1),
            activity_sk(&chrono::DateTime::UNIX_EPOCH, "x"),
        ] {
            assert!(tail.as_str() > HEAD_LAST, "{tail}");
        }
        assert!(plan_key(Some(999_999), "zzz", 1) < plan_key(None, "0", 1));
        assert!(plan_key(Some(2), "a", 9) < plan_key(Some(2), "a1", 1));
        assert_eq!(comments_pk(&k, 3), "P#DEMO#T#000003");
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.000006Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(comment_sk(&t, "01X"), "C#2026-01-02T03:04:05.000006Z#01X");
        assert_eq!(user_projects_pk("u1"), "UP#u1");
        assert_eq!(outbox_due_sk(&t, "9"), "2026-01-02T03:04:05.000Z#9");
    }

    #[test]
    fn conversation_keys() {
        assert_eq!(pair_pk("b", "a"), pair_pk("a", "b"));
        assert_eq!(pair_pk("a", "b"), "DM#a#b");
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.000006Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(message_sk(&t, "01X"), "M#2026-01-02T03:04:05.000006Z#01X");
        assert!(
            message_sk(&t, "01X") < participant_sk("0"),
            "messages sort before participants"
        );
        assert!(*CONVERSATION_META_SK < *message_sk(&t, "0"));
        assert_eq!(user_conversations_pk("u"), "UC#u");
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
