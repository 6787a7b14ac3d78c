//! Projects, stories, tasks and comments as the browser and the server share them, and the
//! forms that create and change them (each form's `parse` is the one place its fields are
//! validated).

use crate::accounts::model::PersonRef;
use crate::error::AppError;
use crate::model::Delivery;
use crate::text_enum;

mod burndown;
mod forms;
pub mod rank;
mod scrum;

pub use burndown::*;
use chrono::{DateTime, NaiveDate, Utc};
pub use forms::*;
pub use scrum::*;
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

text_enum! {
    pub enum TaskStatus {
        Todo = "TODO",
        InProgress = "IN_PROGRESS",
        InReview = "IN_REVIEW",
        Done = "DONE",
        WontDo = "WONT_DO",
    }
}

impl TaskStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Todo => "To do",
            Self::InProgress => "In progress",
            Self::InReview => "In review",
            Self::Done => "Done",
            Self::WontDo => "Won't do",
        }
    }

    /// Whether the work is over (done, or closed as won't do): it no longer burns down.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Done | Self::WontDo)
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Self::ALL
            .iter()
            .copied()
            .find(|s| s.as_str().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| {
                AppError::validation(
                    "Choose a status: To do, In progress, In review, Done or Won't do.",
                )
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
    #[serde(default)]
    pub wont_do: i64,
}

impl StatusCounts {
    pub fn get(&self, s: TaskStatus) -> i64 {
        match s {
            TaskStatus::Todo => self.todo,
            TaskStatus::InProgress => self.in_progress,
            TaskStatus::InReview => self.in_review,
            TaskStatus::Done => self.done,
            TaskStatus::WontDo => self.wont_do,
        }
    }

    pub fn add(&mut self, s: TaskStatus, d: i64) {
        match s {
            TaskStatus::Todo => self.todo += d,
            TaskStatus::InProgress => self.in_progress += d,
            TaskStatus::InReview => self.in_review += d,
            TaskStatus::Done => self.done += d,
            TaskStatus::WontDo => self.wont_do += d,
        }
    }

    pub fn total(&self) -> i64 {
        self.todo + self.in_progress + self.in_review + self.done + self.wont_do
    }

    /// The attribute name of one status inside the stored `counts` map.
    pub fn field(s: TaskStatus) -> &'static str {
        match s {
            TaskStatus::Todo => "todo",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::InReview => "in_review",
            TaskStatus::Done => "done",
            TaskStatus::WontDo => "wont_do",
        }
    }
}

text_enum! {
    pub enum ProjectRole {
        Manager = "manager",
        Member = "member",
    }
}

impl ProjectRole {
    pub fn label(self) -> &'static str {
        match self {
            Self::Manager => "Project manager",
            Self::Member => "Member",
        }
    }
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
    #[serde(default)]
    pub sprint_seq: u32,
    /// The sprint under way (at most one; absent, not null, when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_sprint: Option<u32>,
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
    /// Story points (one of [`POINTS`]), or not estimated.
    #[serde(default)]
    pub points: Option<u8>,
    #[serde(default)]
    pub priority: Priority,
    /// The sprint the task is planned in (None: the backlog).
    #[serde(default)]
    pub sprint: Option<u32>,
    /// Its place in its sprint or in the backlog (see [`rank`]).
    #[serde(default)]
    pub rank: String,
    /// It stays in its completed sprint (closed when the sprint was completed): history.
    #[serde(default)]
    pub archived: bool,
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

/// A project as one of its pages shows it (the backlog, the board, a sprint, the members page,
/// a task page's header): its head (header, members, stories and sprints: one Query on the head
/// of its partition), one page of its tasks (empty where the page shows none) and the viewer's
/// role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectView {
    pub project: Project,
    pub members: Vec<Member>,
    pub stories: Vec<Story>,
    /// Every sprint, oldest first.
    pub sprints: Vec<Sprint>,
    /// One page of tasks (which ones depends on the page: the plan, a sprint, …).
    pub tasks: Vec<Task>,
    /// The link of the next page of tasks.
    pub next: Option<String>,
    /// The viewer's role (the viewer is always a member: others get 404).
    pub my_role: ProjectRole,
}

impl ProjectView {
    pub fn member(&self, user_id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.person.id == user_id)
    }

    pub fn sprint(&self, number: u32) -> Option<&Sprint> {
        self.sprints.iter().find(|s| s.number == number)
    }

    pub fn active_sprint(&self) -> Option<&Sprint> {
        self.sprints.iter().find(|s| s.state == SprintState::Active)
    }

    pub fn story_title(&self, number: u32) -> Option<&str> {
        self.stories
            .iter()
            .find(|s| s.number == number)
            .map(|s| s.title.as_str())
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

/// A task page: the task, its project's people and stories, one page of comments, and the
/// task's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskPage {
    pub board: ProjectView,
    pub task: Task,
    pub history: Vec<Activity>,
    pub comments: Vec<Comment>,
    /// Cursor of the next (newer) page of comments.
    pub next: Option<String>,
}

/// A sprint's page: its burndown and report, and the project's velocity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SprintPage {
    pub board: ProjectView,
    pub sprint: Sprint,
    pub chart: Burndown,
    pub velocity: Vec<VelocityBar>,
}

/// A page of a project's activity log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub board: ProjectView,
    pub entries: Vec<Activity>,
    pub next: Option<String>,
}

/// The result of an edit with a version check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EditOutcome {
    Saved(Task),
    /// Someone changed the task since the form was opened: here is what it is now.
    Changed(Task),
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
        for &s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()).unwrap(), s);
        }
        assert!(TaskStatus::parse("DOING").is_err());
        let mut c = StatusCounts::default();
        c.add(TaskStatus::InReview, 2);
        c.add(TaskStatus::Done, 1);
        assert_eq!((c.get(TaskStatus::InReview), c.total()), (2, 3));
    }
}
