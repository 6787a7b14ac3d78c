//! Projects, stories, tasks and comments as the browser and the server share them, and the
//! forms that create and change them (each form's `parse` is the one place its fields are
//! validated).

use crate::accounts::model::PersonRef;
use crate::error::AppError;
use crate::model::{optional_date, optional_number, text_field, Delivery};
use crate::text_enum;
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

text_enum! {
    pub enum TaskStatus {
        Todo = "TODO",
        InProgress = "IN_PROGRESS",
        InReview = "IN_REVIEW",
        Done = "DONE",
    }
}

impl TaskStatus {
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
            .iter()
            .copied()
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

/// Highest story or task number a project can reach (their keys hold six digits).
pub const MAX_ITEM_NUMBER: u32 = 999_999;

/// The number of stories or tasks a page saw (a hidden field): none, or 0 to the highest.
fn seen_number(raw: &str) -> Result<Option<u32>, AppError> {
    match optional_number::<u32>(raw, "item number") {
        Ok(n) if n.is_none_or(|n| n <= MAX_ITEM_NUMBER) => Ok(n),
        _ => Err(AppError::validation(
            "This page is out of date. Reload it and try again.",
        )),
    }
}

/// The new-project form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewProjectForm {
    pub key: String,
    pub name: String,
    pub description: String,
    /// A handle; empty: the creator manages the project.
    pub manager: String,
    /// Handles separated by commas, spaces or new lines.
    pub members: String,
}

/// The new-story form: the project, the story number the page saw, title and description.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoryForm {
    pub key: String,
    #[serde(default)]
    pub seen_seq: String,
    pub title: String,
    pub description: String,
}

/// A story's fields, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryFields {
    pub title: String,
    pub description: String,
    pub seen_seq: Option<u32>,
}

impl StoryForm {
    pub fn parse(&self) -> Result<StoryFields, AppError> {
        Ok(StoryFields {
            title: text_field(&self.title, "story title", 200, true)?,
            description: text_field(&self.description, "description", 5000, false)?,
            seen_seq: seen_number(&self.seen_seq)?,
        })
    }
}

/// A task's fields as its form sends them (the new-task and the edit form share them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskForm {
    pub title: String,
    pub description: String,
    pub story: String,
    pub assignee: String,
    pub start_date: String,
    pub end_date: String,
    pub status: String,
}

/// A task's fields, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFields {
    pub title: String,
    pub description: String,
    pub story: Option<u32>,
    pub assignee: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub status: TaskStatus,
}

impl TaskForm {
    pub fn parse(&self) -> Result<TaskFields, AppError> {
        let story = match self.story.trim() {
            "" => None,
            s => Some(
                s.parse::<u32>()
                    .map_err(|_| AppError::validation("Choose a story from the list."))?,
            ),
        };
        let assignee = match self.assignee.trim() {
            "" => None,
            a if a.len() <= 40 && a.chars().all(|c| c.is_ascii_alphanumeric()) => {
                Some(a.to_owned())
            }
            _ => return Err(AppError::validation("Choose an assignee from the list.")),
        };
        let start_date = optional_date(&self.start_date, "start date")?;
        let end_date = optional_date(&self.end_date, "end date")?;
        if let (Some(s), Some(e)) = (start_date, end_date) {
            if e < s {
                return Err(AppError::validation(
                    "The end date is before the start date.",
                ));
            }
        }
        Ok(TaskFields {
            title: text_field(&self.title, "title", 200, true)?,
            description: text_field(&self.description, "description", 5000, false)?,
            story,
            assignee,
            start_date,
            end_date,
            status: if self.status.trim().is_empty() {
                TaskStatus::Todo
            } else {
                TaskStatus::parse(&self.status)?
            },
        })
    }
}

/// The new-task form: the project, the task number the page saw, and the task's fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewTaskForm {
    pub key: String,
    #[serde(default)]
    pub seen_seq: String,
    #[serde(flatten)]
    pub fields: TaskForm,
}

impl NewTaskForm {
    /// The project, the task number the page saw, and the task's fields.
    pub fn parse(&self) -> Result<(ProjectKey, Option<u32>, TaskFields), AppError> {
        let key = ProjectKey::parse(&self.key).map_err(|_| AppError::NotFound)?;
        Ok((key, seen_number(&self.seen_seq)?, self.fields.parse()?))
    }
}

/// The edit form: the task, the version and status the page showed, and the new fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EditTaskForm {
    pub task: String,
    pub version: String,
    pub seen_status: String,
    #[serde(flatten)]
    pub fields: TaskForm,
}

/// What the edit form saw: the task's version and status when the page was rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub version: u64,
    pub status: TaskStatus,
}

impl EditTaskForm {
    /// The task, what the page saw of it, and the new fields.
    pub fn parse(&self) -> Result<(TaskRef, Seen, TaskFields), AppError> {
        let task = TaskRef::parse(&self.task).map_err(|_| AppError::NotFound)?;
        let seen = Seen {
            version: crate::model::number_field(&self.version, "version")?,
            status: TaskStatus::parse(&self.seen_status)?,
        };
        Ok((task, seen, self.fields.parse()?))
    }
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
