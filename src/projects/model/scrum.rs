//! Scrum: priorities and estimates, sprints, the activity log, and the burndown and velocity
//! computed from that log.
//!
//! The burndown is a replay. Every change that moves a task into or out of a sprint, changes its
//! estimate or closes/reopens it writes a [`BurnEvent`] (the task's state in that sprint *after*
//! the change) in the same transaction as the change. The chart of a sprint folds its events in
//! time order: what was in the sprint when it started is the commitment; later events are scope
//! changes or progress on the day they happened; events after the sprint was completed are not
//! read, so a completed sprint's chart never changes again.

use crate::accounts::model::PersonRef;
use crate::text_enum;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The story points a task may have.
pub const POINTS: &[u8] = &[0, 1, 2, 3, 5, 8, 13, 21];

text_enum! {
    #[derive(Default)]
    pub enum Priority {
        Highest = "HIGHEST",
        High = "HIGH",
        #[default]
        Medium = "MEDIUM",
        Low = "LOW",
        Lowest = "LOWEST",
    }
}

impl Priority {
    pub fn label(self) -> &'static str {
        match self {
            Self::Highest => "Highest",
            Self::High => "High",
            Self::Medium => "Medium",
            Self::Low => "Low",
            Self::Lowest => "Lowest",
        }
    }
}

text_enum! {
    pub enum SprintState {
        Planned = "PLANNED",
        Active = "ACTIVE",
        Completed = "COMPLETED",
    }
}

impl SprintState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Planned => "Planned",
            Self::Active => "Active",
            Self::Completed => "Completed",
        }
    }
}

/// Tasks and points, of a sprint or of part of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    #[serde(default)]
    pub tasks: i64,
    #[serde(default)]
    pub points: i64,
}

impl SprintReport {
    /// The report of a sprint completed with `tasks` still in it (from its burndown, the
    /// points committed at its start): the closed and the unfinished tallies, and the
    /// unfinished tasks, which go to `spilled_to` (a sprint's number and name, or the backlog).
    pub fn of(
        committed: i64,
        tasks: &[super::Task],
        spilled_to: Option<u32>,
        spilled_to_name: String,
    ) -> Self {
        let mut report = SprintReport {
            committed,
            completed: 0,
            done: Tally::default(),
            not_done: Tally::default(),
            spillover: Vec::new(),
            spilled_to,
            spilled_to_name,
        };
        for t in tasks {
            let p = t.points.map(i64::from).unwrap_or(0);
            if t.status.is_closed() {
                report.done.tasks += 1;
                report.done.points += p;
            } else {
                report.not_done.tasks += 1;
                report.not_done.points += p;
                report.spillover.push(ReportTask {
                    number: t.number,
                    title: t.title.clone(),
                    points: t.points,
                    status: t.status.as_str().into(),
                });
            }
        }
        report.completed = report.done.points;
        report
    }
}

/// A task as a completed sprint's report lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportTask {
    pub number: u32,
    pub title: String,
    pub points: Option<u8>,
    pub status: TaskStatusText,
}

/// A status as text in a frozen report (a report never changes, even if statuses are renamed).
pub type TaskStatusText = String;

/// The backlog's name where a list is named (a sprint report's "moved to").
pub const BACKLOG_NAME: &str = "Backlog";

/// What a sprint was when it was completed: written once, then read-only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SprintReport {
    /// Points in the sprint when it started.
    pub committed: i64,
    /// Points closed in the sprint by its end.
    pub completed: i64,
    pub done: Tally,
    pub not_done: Tally,
    /// The unfinished tasks and where they went: a sprint's number, or None for the backlog.
    pub spillover: Vec<ReportTask>,
    pub spilled_to: Option<u32>,
    pub spilled_to_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sprint {
    pub number: u32,
    pub name: String,
    pub goal: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub state: SprintState,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    /// Every task in the sprint now (kept in the transaction of every change).
    #[serde(default)]
    pub total: Tally,
    /// Of which closed (done or won't do).
    #[serde(default)]
    pub closed: Tally,
    #[serde(default)]
    pub report: Option<SprintReport>,
    /// Bumped by every change to the sprint or to its tasks.
    pub version: u64,
}

impl Sprint {
    /// Whole days from `today` to the sprint's last day (0 on the last day and after).
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.end - today).num_days().max(0)
    }
}

/// One field's change in the activity log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

/// An entry of a project's activity log: who did what, when, to which task or sprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor: PersonRef,
    /// What happened, in a few words ("created", "changed", "started sprint", …).
    pub action: String,
    pub task: Option<u32>,
    /// The task's title when it happened (or the sprint's name).
    pub subject: String,
    pub sprint: Option<u32>,
    #[serde(default)]
    pub changes: Vec<FieldChange>,
}

/// Committed and completed points of one completed sprint, for the velocity chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VelocityBar {
    pub sprint: u32,
    pub name: String,
    pub committed: i64,
    pub completed: i64,
}

/// How many completed sprints the velocity chart shows.
pub const VELOCITY_SPRINTS: usize = 7;

/// The last [`VELOCITY_SPRINTS`] completed sprints, oldest first.
pub fn velocity(sprints: &[Sprint]) -> Vec<VelocityBar> {
    let mut done: Vec<&Sprint> = sprints
        .iter()
        .filter(|s| s.state == SprintState::Completed)
        .collect();
    done.sort_by_key(|s| s.completed_at);
    let skip = done.len().saturating_sub(VELOCITY_SPRINTS);
    done.into_iter()
        .skip(skip)
        .map(|s| VelocityBar {
            sprint: s.number,
            name: s.name.clone(),
            committed: s.report.as_ref().map(|r| r.committed).unwrap_or(0),
            completed: s.report.as_ref().map(|r| r.completed).unwrap_or(0),
        })
        .collect()
}
