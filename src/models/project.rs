//! Projects, stories, tasks and comments as the browser and the server share them.

use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A Jira-style project key: 2–10 ASCII letters or digits, starting with a letter, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ProjectKey(String);

impl ProjectKey {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.trim().to_uppercase();
        if s.len() < 2 || s.len() > 10 {
            return Err(AppError::validation(
                "A project key has 2 to 10 letters or digits.",
            ));
        }
        if !s.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Err(AppError::validation("A project key starts with a letter."));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Err(AppError::validation(
                "A project key has only letters and digits.",
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A task's readable id, `KEY-n`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TaskRef {
    pub key: ProjectKey,
    pub number: u32,
}

impl TaskRef {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let bad = || AppError::validation("A task id looks like KEY-12.");
        let (key, n) = raw.trim().rsplit_once('-').ok_or_else(bad)?;
        let number: u32 = n.parse().map_err(|_| bad())?;
        if number == 0 {
            return Err(bad());
        }
        Ok(Self {
            key: ProjectKey::parse(key).map_err(|_| bad())?,
            number,
        })
    }
}

impl fmt::Display for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.key, self.number)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    Todo,
    InProgress,
    InReview,
    Done,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 4] = [Self::Todo, Self::InProgress, Self::InReview, Self::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Todo => "TODO",
            Self::InProgress => "IN_PROGRESS",
            Self::InReview => "IN_REVIEW",
            Self::Done => "DONE",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Todo => "To do",
            Self::InProgress => "In progress",
            Self::InReview => "In review",
            Self::Done => "Done",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| {
                AppError::validation("Choose a status: To do, In progress, In review or Done.")
            })
    }
}

/// Task counts by status, kept on the project and changed in the same transaction as the tasks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    #[serde(default)]
    pub todo: i64,
    #[serde(default)]
    pub in_progress: i64,
    #[serde(default)]
    pub in_review: i64,
    #[serde(default)]
    pub done: i64,
}

impl StatusCounts {
    pub fn get(&self, s: TaskStatus) -> i64 {
        match s {
            TaskStatus::Todo => self.todo,
            TaskStatus::InProgress => self.in_progress,
            TaskStatus::InReview => self.in_review,
            TaskStatus::Done => self.done,
        }
    }

    pub fn add(&mut self, s: TaskStatus, d: i64) {
        match s {
            TaskStatus::Todo => self.todo += d,
            TaskStatus::InProgress => self.in_progress += d,
            TaskStatus::InReview => self.in_review += d,
            TaskStatus::Done => self.done += d,
        }
    }

    pub fn total(&self) -> i64 {
        self.todo + self.in_progress + self.in_review + self.done
    }

    /// The attribute name of one status inside the stored `counts` map.
    pub fn field(s: TaskStatus) -> &'static str {
        match s {
            TaskStatus::Todo => "todo",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::InReview => "in_review",
            TaskStatus::Done => "done",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProjectRole {
    Manager,
    Member,
}

impl ProjectRole {
    pub fn label(self) -> &'static str {
        match self {
            Self::Manager => "Project manager",
            Self::Member => "Member",
        }
    }
}

/// Delivery state of a notification email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    Queued,
    Sent,
    Failed,
}

impl Delivery {
    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub id: String,
    pub handle: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub key: ProjectKey,
    pub name: String,
    pub description: String,
    pub manager: PersonRef,
    pub counts: StatusCounts,
    pub created_at: DateTime<Utc>,
    /// Highest task number handed out (numbers are never reused).
    pub task_seq: u32,
    pub story_seq: u32,
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub person: PersonRef,
    pub role: ProjectRole,
    pub added_at: DateTime<Utc>,
    /// The invitation email's state (None for the project's creator).
    pub invitation: Option<Delivery>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    pub number: u32,
    pub title: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub key: ProjectKey,
    pub number: u32,
    pub title: String,
    pub description: String,
    pub story: Option<u32>,
    /// The assignee's user id; names come from the project's members.
    pub assignee: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub status: TaskStatus,
    pub comment_count: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl Task {
    pub fn reference(&self) -> String {
        format!("{}-{}", self.key, self.number)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub id: String,
    pub author: PersonRef,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Everything the scrum page and the board show, from one Query on the project's partition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectBoard {
    pub project: Project,
    pub members: Vec<Member>,
    pub stories: Vec<Story>,
    pub tasks: Vec<Task>,
    /// The viewer's role (the viewer is always a member: others get 404).
    pub my_role: ProjectRole,
}

impl ProjectBoard {
    pub fn member(&self, user_id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.person.id == user_id)
    }

    /// How to show an assignee: their name, or "former member" once they left the project.
    pub fn assignee_name(&self, task: &Task) -> Option<String> {
        task.assignee.as_deref().map(|id| {
            self.member(id)
                .map(|m| m.person.display_name.clone())
                .unwrap_or_else(|| "former member".into())
        })
    }
}

/// A dashboard row: one of my projects with its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardRow {
    pub project: Project,
    pub my_role: ProjectRole,
}

/// A task page: the task, its project's people and stories, and one page of comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskPage {
    pub board: ProjectBoard,
    pub task: Task,
    pub comments: Vec<Comment>,
    /// Cursor of the next (newer) page of comments.
    pub next: Option<String>,
}

/// The result of an edit with a version check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EditOutcome {
    Saved(Task),
    /// Someone changed the task since the form was opened: here is what it is now.
    Changed(Task),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_key_rules() {
        assert_eq!(ProjectKey::parse(" demo ").unwrap().as_str(), "DEMO");
        assert_eq!(ProjectKey::parse("ab12").unwrap().as_str(), "AB12");
        for bad in ["A", "ABCDEFGHIJK", "1AB", "AB-C", "ÄB", ""] {
            assert!(ProjectKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn task_ref_round_trip() {
        let r = TaskRef::parse("demo-12").unwrap();
        assert_eq!(r.to_string(), "DEMO-12");
        for bad in ["DEMO", "DEMO-0", "DEMO-x", "-3", "D-1"] {
            assert!(TaskRef::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn status_parse_and_counts() {
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()).unwrap(), s);
        }
        assert!(TaskStatus::parse("DOING").is_err());
        let mut c = StatusCounts::default();
        c.add(TaskStatus::InReview, 2);
        c.add(TaskStatus::Done, 1);
        assert_eq!((c.get(TaskStatus::InReview), c.total()), (2, 3));
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
    }
}
