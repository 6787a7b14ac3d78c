//! The forms that create and change projects, stories, tasks and sprints: each form's `parse`
//! is the one place its fields are validated.

use super::*;
use crate::error::AppError;
use crate::model::{optional_date, optional_number, text_field};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
    #[serde(default)]
    pub points: String,
    #[serde(default)]
    pub priority: String,
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
    pub points: Option<u8>,
    pub priority: Priority,
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
            points: parse_points(&self.points)?,
            priority: parse_priority(&self.priority)?,
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

/// Story points from a form: empty for none, else one of [`POINTS`].
pub fn parse_points(raw: &str) -> Result<Option<u8>, AppError> {
    let bad = || AppError::validation("Story points are 0, 1, 2, 3, 5, 8, 13 or 21 (or none).");
    match raw.trim() {
        "" => Ok(None),
        s => {
            let p: u8 = s.parse().map_err(|_| bad())?;
            if POINTS.contains(&p) {
                Ok(Some(p))
            } else {
                Err(bad())
            }
        }
    }
}

/// A priority from a form (empty: medium).
pub fn parse_priority(raw: &str) -> Result<Priority, AppError> {
    match raw.trim() {
        "" => Ok(Priority::Medium),
        s => Priority::ALL
            .iter()
            .copied()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| AppError::validation("Choose a priority from Highest to Lowest.")),
    }
}

/// The longest sprint: eight weeks.
pub const MAX_SPRINT_DAYS: i64 = 56;

/// The new-sprint form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SprintForm {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub goal: String,
    pub start: String,
    pub end: String,
}

/// A sprint's fields, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct SprintFields {
    pub name: String,
    pub goal: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl SprintForm {
    pub fn parse(&self) -> Result<SprintFields, AppError> {
        let start = optional_date(&self.start, "start date")?
            .ok_or_else(|| AppError::validation("Enter the sprint's start date."))?;
        let end = optional_date(&self.end, "end date")?
            .ok_or_else(|| AppError::validation("Enter the sprint's end date."))?;
        if end < start {
            return Err(AppError::validation("The sprint ends before it starts."));
        }
        if (end - start).num_days() >= MAX_SPRINT_DAYS {
            return Err(AppError::validation("A sprint lasts at most eight weeks."));
        }
        Ok(SprintFields {
            name: text_field(&self.name, "sprint name", 80, true)?,
            goal: text_field(&self.goal, "sprint goal", 500, false)?,
            start,
            end,
        })
    }
}

/// Where a task goes: the backlog or a sprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Bucket {
    Backlog,
    Sprint(u32),
}

impl Bucket {
    /// `backlog`, or a sprint's number.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        match raw.trim() {
            "" | "backlog" => Ok(Self::Backlog),
            s => s
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1 && *n <= MAX_ITEM_NUMBER)
                .map(Self::Sprint)
                .ok_or_else(|| AppError::validation("Choose a sprint or the backlog.")),
        }
    }

    pub fn of(sprint: Option<u32>) -> Self {
        sprint.map(Self::Sprint).unwrap_or(Self::Backlog)
    }

    pub fn sprint(self) -> Option<u32> {
        match self {
            Self::Backlog => None,
            Self::Sprint(n) => Some(n),
        }
    }

    pub fn as_param(self) -> String {
        match self {
            Self::Backlog => "backlog".into(),
            Self::Sprint(n) => n.to_string(),
        }
    }
}

/// Where in its list a task is put.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Top,
    Bottom,
    Up,
    Down,
    /// Between two tasks of the target list (either may be absent: an end of the list).
    Between {
        after: Option<u32>,
        before: Option<u32>,
    },
}

/// The move form: a task, the list it goes to, and where in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlaceForm {
    pub task: String,
    /// `backlog` or a sprint number; empty: the list it is in.
    #[serde(default)]
    pub to: String,
    /// `top`, `bottom`, `up`, `down`; empty: between `after` and `before`.
    #[serde(default)]
    pub op: String,
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub before: String,
}

impl PlaceForm {
    /// The task, its target list (None: where it is) and its place there.
    pub fn parse(&self) -> Result<(TaskRef, Option<Bucket>, Placement), AppError> {
        let task = TaskRef::parse(&self.task).map_err(|_| AppError::NotFound)?;
        let to = match self.to.trim() {
            "" => None,
            s => Some(Bucket::parse(s)?),
        };
        let neighbour = |raw: &str| -> Result<Option<u32>, AppError> {
            match raw.trim() {
                "" => Ok(None),
                s => TaskRef::parse(s)
                    .map(|r| Some(r.number))
                    .or_else(|_| seen_number(s).map(|n| n.filter(|n| *n > 0))),
            }
        };
        let place = match self.op.trim() {
            "top" => Placement::Top,
            "bottom" => Placement::Bottom,
            "up" => Placement::Up,
            "down" => Placement::Down,
            "" => Placement::Between {
                after: neighbour(&self.after)?,
                before: neighbour(&self.before)?,
            },
            _ => return Err(AppError::validation("Choose top, bottom, up or down.")),
        };
        Ok((task, to, place))
    }
}

/// The complete-sprint form: the sprint, and where its unfinished tasks go.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompleteForm {
    pub key: String,
    pub sprint: String,
    /// `backlog` or a planned sprint's number.
    #[serde(default)]
    pub spill_to: String,
}

/// A filter of the backlog or the board, as its URL holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFilter {
    /// Text in the title (case-insensitive).
    #[serde(default)]
    pub q: String,
    /// A member's id, or `me`.
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub story: String,
    #[serde(default)]
    pub priority: String,
}

/// A filter, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: Option<String>,
    pub assignee: Option<String>,
    pub status: Option<TaskStatus>,
    pub story: Option<u32>,
    pub priority: Option<Priority>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn matches(&self, t: &Task) -> bool {
        self.text
            .as_deref()
            .is_none_or(|q| t.title.to_lowercase().contains(q))
            && self
                .assignee
                .as_deref()
                .is_none_or(|a| t.assignee.as_deref() == Some(a))
            && self.status.is_none_or(|s| t.status == s)
            && self.story.is_none_or(|s| t.story == Some(s))
            && self.priority.is_none_or(|p| t.priority == p)
    }
}

impl TaskFilter {
    /// The filter for `me` (the viewer: `assignee=me` means their tasks).
    pub fn parse(&self, me: &str) -> Result<Filter, AppError> {
        let text = text_field(&self.q, "search text", 100, false)?.to_lowercase();
        let assignee = match self.assignee.trim() {
            "" => None,
            "me" => Some(me.to_owned()),
            a => Some(
                crate::model::record_id(a)
                    .map_err(|_| AppError::validation("Choose an assignee from the list."))?
                    .to_owned(),
            ),
        };
        Ok(Filter {
            text: (!text.is_empty()).then_some(text),
            assignee,
            status: match self.status.trim() {
                "" => None,
                s => Some(TaskStatus::parse(s)?),
            },
            story: optional_number::<u32>(&self.story, "story")?,
            priority: match self.priority.trim() {
                "" => None,
                p => Some(parse_priority(p)?),
            },
        })
    }

    /// The query string of this filter (without `?`), empty fields left out.
    pub fn query(&self) -> String {
        [
            ("q", &self.q),
            ("assignee", &self.assignee),
            ("status", &self.status),
            ("story", &self.story),
            ("priority", &self.priority),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", crate::util::url_encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}
