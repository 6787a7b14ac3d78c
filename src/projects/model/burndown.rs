//! The burndown: a replay of a sprint's events. Every change that moves a task into or out of
//! a sprint, changes its estimate or closes/reopens it writes a [`BurnEvent`] (the task's state
//! in that sprint *after* the change) in the same transaction as the change. The chart folds
//! them in time order: what was in the sprint when it started is the commitment; later events
//! are scope changes or progress on the day they happened; events after the sprint was
//! completed are not read, so a completed sprint's chart never changes again.

use super::*;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A task's state in one sprint after a change: the burndown's input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BurnEvent {
    pub at: DateTime<Utc>,
    pub task: u32,
    pub in_sprint: bool,
    pub points: Option<u8>,
    pub closed: bool,
}

/// The chart-relevant state of a task, compared before and after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurnState {
    pub sprint: Option<u32>,
    pub points: Option<u8>,
    pub closed: bool,
}

impl BurnState {
    pub fn of(t: &super::Task) -> Self {
        Self {
            sprint: t.sprint,
            points: t.points,
            closed: t.status.is_closed(),
        }
    }

    fn tally(self) -> Tally {
        Tally {
            tasks: 1,
            points: self.points.map(i64::from).unwrap_or(0),
        }
    }

    /// The events a change from `self` to `after` writes, one per sprint it concerns.
    pub fn events(self, after: Self, task: u32, at: DateTime<Utc>) -> Vec<(u32, BurnEvent)> {
        if self == after {
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Some(old) = self.sprint.filter(|s| Some(*s) != after.sprint) {
            out.push((
                old,
                BurnEvent {
                    at,
                    task,
                    in_sprint: false,
                    points: self.points,
                    closed: self.closed,
                },
            ));
        }
        if let Some(new) = after.sprint {
            out.push((
                new,
                BurnEvent {
                    at,
                    task,
                    in_sprint: true,
                    points: after.points,
                    closed: after.closed,
                },
            ));
        }
        out
    }

    /// How a sprint's totals change: `(total, closed)` deltas for `sprint`.
    pub fn delta(self, after: Self, sprint: u32) -> (Tally, Tally) {
        let part = |s: Self| {
            if s.sprint != Some(sprint) {
                return (Tally::default(), Tally::default());
            }
            let t = s.tally();
            (t, if s.closed { t } else { Tally::default() })
        };
        let (bt, bc) = part(self);
        let (at, ac) = part(after);
        (
            Tally {
                tasks: at.tasks - bt.tasks,
                points: at.points - bt.points,
            },
            Tally {
                tasks: ac.tasks - bc.tasks,
                points: ac.points - bc.points,
            },
        )
    }
}

/// One day of a burndown: the sprint's state at the end of that day (UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BurnDay {
    pub date: NaiveDate,
    /// Points in the sprint.
    pub scope: i64,
    /// Points in the sprint not closed yet.
    pub remaining: i64,
    /// The guideline: the commitment burnt evenly to zero on the last day.
    pub ideal: f64,
}

/// A change of scope after the sprint started, for the chart's notes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeChange {
    pub date: NaiveDate,
    pub task: u32,
    /// Points added (negative: removed).
    pub points: i64,
    pub why: String,
}

/// A sprint's burndown: the commitment, one entry per day up to today (or the sprint's end),
/// and the scope changes after the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Burndown {
    pub committed: i64,
    /// Every day of the sprint (future days have no values yet).
    pub days: Vec<NaiveDate>,
    pub values: Vec<BurnDay>,
    pub changes: Vec<ScopeChange>,
    /// Whether the chart is frozen (the sprint is completed).
    pub frozen: bool,
}

/// Replays a sprint's events (any order) into its burndown, as of `now`.
pub fn burndown(sprint: &Sprint, events: &[BurnEvent], now: DateTime<Utc>) -> Burndown {
    let mut events: Vec<&BurnEvent> = events.iter().collect();
    events.sort_by_key(|e| e.at);
    let started = sprint.started_at.unwrap_or(now);
    let until = sprint.completed_at.unwrap_or(now);
    let mut days = Vec::new();
    let mut d = sprint.start;
    while d <= sprint.end && days.len() < 366 {
        days.push(d);
        d += Duration::days(1);
    }
    let mut state: HashMap<u32, (Option<u8>, bool)> = HashMap::new();
    let totals = |state: &HashMap<u32, (Option<u8>, bool)>| {
        state
            .values()
            .fold((0i64, 0i64), |(scope, rem), (p, closed)| {
                let p = p.map(i64::from).unwrap_or(0);
                (scope + p, rem + if *closed { 0 } else { p })
            })
    };
    let mut it = events.into_iter().filter(|e| e.at <= until).peekable();
    // Everything up to the start is the commitment.
    while let Some(e) = it.next_if(|e| e.at <= started) {
        apply(&mut state, e);
    }
    let committed = totals(&state).0;
    let mut changes = Vec::new();
    let mut values = Vec::new();
    let last_day = until.date_naive();
    let n = days.len().max(1) as f64;
    for (i, day) in days.iter().enumerate() {
        if *day > last_day {
            break;
        }
        let end_of_day = day
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
            .unwrap_or(until);
        while let Some(e) = it.next_if(|e| e.at < end_of_day) {
            let before = state.get(&e.task).copied();
            let scope_before = before.and_then(|(p, _)| p).map(i64::from);
            apply(&mut state, e);
            let after = state.get(&e.task).copied();
            let scope_after = after.and_then(|(p, _)| p).map(i64::from);
            let delta = scope_after.unwrap_or(0) - scope_before.unwrap_or(0);
            let why = match (before.is_some(), after.is_some()) {
                (false, true) => "added to the sprint",
                (true, false) => "removed from the sprint",
                _ => "estimate changed",
            };
            if delta != 0 || before.is_some() != after.is_some() {
                changes.push(ScopeChange {
                    date: e.at.date_naive().max(sprint.start),
                    task: e.task,
                    points: delta,
                    why: why.into(),
                });
            }
        }
        let (scope, remaining) = totals(&state);
        values.push(BurnDay {
            date: *day,
            scope,
            remaining,
            ideal: committed as f64 * (1.0 - (i + 1) as f64 / n),
        });
    }
    Burndown {
        committed,
        days,
        values,
        changes,
        frozen: sprint.completed_at.is_some(),
    }
}

fn apply(state: &mut HashMap<u32, (Option<u8>, bool)>, e: &BurnEvent) {
    if e.in_sprint {
        state.insert(e.task, (e.points, e.closed));
    } else {
        state.remove(&e.task);
    }
}

/// The fields that differ between two states of a task, as the history shows them (the
/// description's text is not repeated: only that it changed).
pub fn task_changes(old: &super::Task, new: &super::Task) -> Vec<FieldChange> {
    let opt = |v: Option<String>| v.unwrap_or_default();
    let pts = |p: Option<u8>| opt(p.map(|p| p.to_string()));
    let sprint = |s: Option<u32>| s.map(|n| n.to_string()).unwrap_or_else(|| "backlog".into());
    let date = |d: Option<NaiveDate>| opt(d.map(|d| d.to_string()));
    let mut out = Vec::new();
    let mut field = |name: &str, a: String, b: String| {
        if a != b {
            out.push(FieldChange {
                field: name.into(),
                old: a,
                new: b,
            });
        }
    };
    field("title", old.title.clone(), new.title.clone());
    if old.description != new.description {
        field("description", "…".into(), "(edited)".into());
    }
    field(
        "status",
        old.status.as_str().into(),
        new.status.as_str().into(),
    );
    field("points", pts(old.points), pts(new.points));
    field(
        "priority",
        old.priority.as_str().into(),
        new.priority.as_str().into(),
    );
    field("sprint", sprint(old.sprint), sprint(new.sprint));
    field(
        "assignee",
        opt(old.assignee.clone()),
        opt(new.assignee.clone()),
    );
    field(
        "story",
        opt(old.story.map(|s| s.to_string())),
        opt(new.story.map(|s| s.to_string())),
    );
    field("start", date(old.start_date), date(new.start_date));
    field("end", date(old.end_date), date(new.end_date));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 3, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
            .and_utc()
    }

    fn sprint() -> Sprint {
        Sprint {
            number: 1,
            name: "S1".into(),
            goal: String::new(),
            start: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 3, 6).unwrap(),
            state: SprintState::Active,
            started_at: Some(at(2, 9)),
            completed_at: None,
            total: Tally::default(),
            closed: Tally::default(),
            report: None,
            version: 1,
        }
    }

    fn ev(at: DateTime<Utc>, task: u32, in_sprint: bool, points: u8, closed: bool) -> BurnEvent {
        BurnEvent {
            at,
            task,
            in_sprint,
            points: Some(points),
            closed,
        }
    }

    #[test]
    fn replay_counts_commitment_progress_and_scope() {
        let events = vec![
            ev(at(1, 10), 1, true, 5, false),
            ev(at(1, 11), 2, true, 3, false),
            ev(at(3, 12), 1, true, 5, true),  // done on day 2
            ev(at(4, 12), 3, true, 8, false), // added on day 3
            ev(at(5, 12), 1, true, 5, false), // reopened on day 4
        ];
        let b = burndown(&sprint(), &events, at(5, 18));
        assert_eq!(b.committed, 8);
        let rem: Vec<i64> = b.values.iter().map(|d| d.remaining).collect();
        let scope: Vec<i64> = b.values.iter().map(|d| d.scope).collect();
        assert_eq!(rem, vec![8, 3, 11, 16]);
        assert_eq!(scope, vec![8, 8, 16, 16]);
        assert_eq!(b.days.len(), 5);
        assert_eq!(b.changes.len(), 1);
        assert_eq!(b.values[4 - 1].ideal, 8.0 * (1.0 - 4.0 / 5.0));
    }

    #[test]
    fn events_and_deltas_of_a_move() {
        let before = BurnState {
            sprint: Some(1),
            points: Some(3),
            closed: false,
        };
        let after = BurnState {
            sprint: Some(2),
            ..before
        };
        let ev = before.events(after, 7, at(2, 1));
        assert_eq!(ev.len(), 2);
        assert!(!ev[0].1.in_sprint && ev[1].1.in_sprint);
        assert_eq!(
            before.delta(after, 1).0,
            Tally {
                tasks: -1,
                points: -3
            }
        );
        assert_eq!(
            before.delta(after, 2).0,
            Tally {
                tasks: 1,
                points: 3
            }
        );
        assert!(before.events(before, 7, at(2, 1)).is_empty());
    }
}
