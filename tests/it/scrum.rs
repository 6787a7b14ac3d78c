//! Scrum against DynamoDB Local: the burndown's truth table (each row built from real changes
//! on chosen days, checked day by day), reordering by two people at once, who may start and
//! complete sprints, one sprint under way, and the read budgets at 5,000 tasks.

use crate::common::*;
use chrono::{DateTime, NaiveDate, Utc};
use minijira::accounts::model::{PersonRef, SessionUser};
use minijira::db::Store;
use minijira::error::AppError;
use minijira::projects::model::*;
use minijira::projects::rules;
use std::sync::{Arc, Mutex};

/// A time in March 2026 (the test sprints run from the 2nd to the 6th).
fn at(day: u32, hour: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2026, 3, day)
        .unwrap()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_utc()
}

struct Scrum {
    store: Store,
    clock: Arc<Mutex<DateTime<Utc>>>,
    pm: SessionUser,
    dev: SessionUser,
    outsider: SessionUser,
    key: ProjectKey,
}

async fn scrum() -> Scrum {
    let base = store().await;
    let clock = Arc::new(Mutex::new(at(1, 9)));
    let c = clock.clone();
    let store = base.with_clock(Arc::new(move || *c.lock().unwrap()));
    let pm = user(&store, "spm").await;
    let dev = user(&store, "sdev").await;
    let outsider = user(&store, "sout").await;
    let key = ProjectKey::parse(&format!(
        "S{}",
        &unique("").chars().rev().take(6).collect::<String>()
    ))
    .unwrap();
    let form = NewProjectForm {
        key: key.to_string(),
        name: "Sprinting".into(),
        description: String::new(),
        manager: String::new(),
        members: format!("@{}", dev.handle),
    };
    rules::create_project(&store, "http://app", &pm, &form)
        .await
        .expect("project");
    Scrum {
        store,
        clock,
        pm,
        dev,
        outsider,
        key,
    }
}

impl Scrum {
    fn set(&self, t: DateTime<Utc>) {
        *self.clock.lock().unwrap() = t;
    }

    fn now(&self) -> DateTime<Utc> {
        *self.clock.lock().unwrap()
    }

    fn pm(&self) -> PersonRef {
        (&self.pm).into()
    }

    fn dev(&self) -> PersonRef {
        (&self.dev).into()
    }

    fn r(&self, n: u32) -> String {
        format!("{}-{n}", self.key)
    }

    async fn task(&self, title: &str, points: u8) -> u32 {
        let f = TaskFields {
            title: title.into(),
            description: String::new(),
            story: None,
            assignee: None,
            start_date: None,
            end_date: None,
            status: TaskStatus::Todo,
            points: Some(points),
            priority: Priority::Medium,
        };
        rules::create_task(&self.store, &self.key, &self.dev(), f, None)
            .await
            .unwrap()
            .number
    }

    async fn sprint(&self, name: &str, start: u32, end: u32) -> u32 {
        let form = SprintForm {
            key: self.key.to_string(),
            name: name.into(),
            goal: format!("Finish {name}"),
            start: format!("2026-03-{start:02}"),
            end: format!("2026-03-{end:02}"),
        };
        rules::create_sprint(&self.store, &self.key, &self.pm(), &form)
            .await
            .unwrap()
            .number
    }

    async fn place(&self, task: u32, to: &str) {
        let form = PlaceForm {
            task: self.r(task),
            to: to.into(),
            op: "bottom".into(),
            ..Default::default()
        };
        rules::place_task(&self.store, &self.dev(), &form)
            .await
            .unwrap();
    }

    async fn start(&self, sprint: u32) -> Result<Sprint, AppError> {
        rules::start_sprint(
            &self.store,
            &self.key,
            &self.pm(),
            &sprint.to_string(),
            self.now(),
        )
        .await
    }

    async fn complete(&self, sprint: u32, spill_to: &str) -> Result<Sprint, AppError> {
        let form = CompleteForm {
            key: self.key.to_string(),
            sprint: sprint.to_string(),
            spill_to: spill_to.into(),
        };
        rules::complete_sprint(&self.store, &self.key, &self.pm(), &form, self.now()).await
    }

    async fn status(&self, task: u32, to: TaskStatus) {
        let t = minijira::projects::store::get_task(&self.store, &self.key, task)
            .await
            .unwrap()
            .unwrap();
        rules::move_task(&self.store, &self.key, task, &self.dev(), t.status, to)
            .await
            .unwrap();
    }

    async fn estimate(&self, task: u32, points: u8) {
        let t = minijira::projects::store::get_task(&self.store, &self.key, task)
            .await
            .unwrap()
            .unwrap();
        let f = TaskFields {
            title: t.title.clone(),
            description: t.description.clone(),
            story: t.story,
            assignee: t.assignee.clone(),
            start_date: t.start_date,
            end_date: t.end_date,
            status: t.status,
            points: Some(points),
            priority: t.priority,
        };
        let seen = Seen {
            version: t.version,
            status: t.status,
        };
        let out = rules::edit_task(&self.store, &self.key, task, &self.dev(), f, seen)
            .await
            .unwrap();
        assert!(matches!(out, EditOutcome::Saved(_)));
    }

    async fn page(&self, sprint: u32) -> SprintPage {
        rules::sprint_page(
            &self.store,
            &self.key,
            &self.dev.id,
            &sprint.to_string(),
            self.now(),
        )
        .await
        .unwrap()
    }

    /// (scope, remaining) per day so far.
    async fn chart(&self, sprint: u32) -> (i64, Vec<(i64, i64)>) {
        let c = self.page(sprint).await.chart;
        (
            c.committed,
            c.values.iter().map(|d| (d.scope, d.remaining)).collect(),
        )
    }
}

/// A sprint from the 2nd to the 6th of March with tasks of `points`, planned on the 1st and
/// started on the 2nd at 09:00.
async fn running(s: &Scrum, points: &[u8]) -> (u32, Vec<u32>) {
    s.set(at(1, 10));
    let sprint = s.sprint("Sprint A", 2, 6).await;
    let mut tasks = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let t = s.task(&format!("task {i}"), *p).await;
        s.place(t, &sprint.to_string()).await;
        tasks.push(t);
    }
    s.set(at(2, 9));
    s.start(sprint).await.unwrap();
    (sprint, tasks)
}

#[tokio::test]
async fn scope_added_and_removed_after_the_start_steps_the_scope_line_and_burns_nothing() {
    let s = scrum().await;
    let (sprint, t) = running(&s, &[5, 3]).await;
    s.set(at(3, 11));
    let c = s.task("late arrival", 8).await;
    s.place(c, &sprint.to_string()).await;
    s.set(at(4, 15));
    s.place(t[1], "backlog").await;
    s.set(at(6, 18));
    let (committed, days) = s.chart(sprint).await;
    assert_eq!(committed, 8);
    assert_eq!(days, vec![(8, 8), (16, 16), (13, 13), (13, 13), (13, 13)]);
    // Nothing was done: scope minus remaining stays zero every day.
    assert!(days.iter().all(|(scope, rem)| scope == rem));
    let changes = s.page(sprint).await.chart.changes;
    let summary: Vec<(NaiveDate, u32, i64)> =
        changes.iter().map(|c| (c.date, c.task, c.points)).collect();
    assert_eq!(
        summary,
        vec![
            (at(3, 0).date_naive(), c, 8),
            (at(4, 0).date_naive(), t[1], -3)
        ]
    );
}

#[tokio::test]
async fn a_task_done_then_reopened_burns_on_the_done_day_and_comes_back_on_the_reopen_day() {
    let s = scrum().await;
    let (sprint, t) = running(&s, &[5, 3]).await;
    s.set(at(3, 12));
    s.status(t[0], TaskStatus::Done).await;
    s.set(at(5, 10));
    s.status(t[0], TaskStatus::InProgress).await;
    s.set(at(6, 18));
    let (committed, days) = s.chart(sprint).await;
    assert_eq!(committed, 8);
    assert_eq!(days, vec![(8, 8), (8, 3), (8, 3), (8, 8), (8, 8)]);
}

#[tokio::test]
async fn a_completed_sprint_keeps_its_chart_and_lists_its_spillover() {
    let s = scrum().await;
    s.set(at(1, 9));
    let next = s.sprint("Sprint B", 9, 13).await;
    let (sprint, t) = running(&s, &[5, 3, 2]).await;
    s.set(at(3, 12));
    s.status(t[0], TaskStatus::Done).await;
    // Completed a day early, at noon.
    s.set(at(5, 12));
    let before = s.chart(sprint).await;
    assert_eq!(before, (10, vec![(10, 10), (10, 5), (10, 5), (10, 5)]));
    let done = s.complete(sprint, &next.to_string()).await.unwrap();
    let report = done.report.expect("a report");
    assert_eq!((report.committed, report.completed), (10, 5));
    assert_eq!(
        report.done,
        Tally {
            tasks: 1,
            points: 5
        }
    );
    assert_eq!(
        report.not_done,
        Tally {
            tasks: 2,
            points: 5
        }
    );
    let spilled: Vec<u32> = report.spillover.iter().map(|t| t.number).collect();
    assert_eq!(spilled, vec![t[1], t[2]]);
    assert_eq!(report.spilled_to, Some(next));
    // The unfinished tasks are in the next sprint; the done one stays as history.
    for n in [t[1], t[2]] {
        let task = minijira::projects::store::get_task(&s.store, &s.key, n)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(task.sprint, Some(next));
    }
    let kept = minijira::projects::store::get_task(&s.store, &s.key, t[0])
        .await
        .unwrap()
        .unwrap();
    assert!(kept.archived && kept.sprint == Some(sprint));
    // The same afternoon and days later, with the spillover worked on in the next sprint,
    // the chart is the same.
    s.set(at(5, 13));
    s.start(next).await.unwrap();
    s.set(at(5, 14));
    s.status(t[1], TaskStatus::Done).await;
    s.estimate(t[2], 13).await;
    s.set(at(10, 9));
    let page = s.page(sprint).await;
    assert!(page.chart.frozen);
    assert_eq!(s.chart(sprint).await, before);
    assert_eq!(page.sprint.report.unwrap().spillover.len(), 2);
    // The next sprint committed to the spillover.
    assert_eq!(s.chart(next).await.0, 5);
    // The completed sprint is read-only: nothing moves into it.
    let into_done = rules::place_task(
        &s.store,
        &s.dev(),
        &PlaceForm {
            task: s.r(t[2]),
            to: sprint.to_string(),
            op: "bottom".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        into_done.map(|_| ()),
        Err(AppError::conflict(
            "That sprint is completed (or gone): its tasks are history."
        ))
    );
    // Velocity shows it.
    let v = s.page(next).await.velocity;
    assert_eq!(v.len(), 1);
    assert_eq!((v[0].committed, v[0].completed), (10, 5));
}

#[tokio::test]
async fn wont_do_counts_as_closed() {
    let s = scrum().await;
    let (sprint, t) = running(&s, &[5, 3]).await;
    s.set(at(3, 12));
    s.status(t[1], TaskStatus::WontDo).await;
    s.set(at(4, 12));
    let (_, days) = s.chart(sprint).await;
    assert_eq!(days, vec![(8, 8), (8, 5), (8, 5)]);
    let done = s.complete(sprint, "backlog").await.unwrap();
    let report = done.report.unwrap();
    assert_eq!(
        report.done,
        Tally {
            tasks: 1,
            points: 3
        }
    );
    assert_eq!(
        report.not_done,
        Tally {
            tasks: 1,
            points: 5
        }
    );
    assert_eq!(report.spillover[0].number, t[0]);
}

#[tokio::test]
async fn a_task_closed_on_the_board_shows_on_the_chart_at_once() {
    let s = scrum().await;
    let (sprint, t) = running(&s, &[5, 3]).await;
    s.set(at(3, 10));
    let head = rules::head(&s.store, &s.key, &s.dev.id).await.unwrap();
    assert_eq!(head.active_sprint().unwrap().closed.points, 0);
    rules::move_task(
        &s.store,
        &s.key,
        t[0],
        &s.dev(),
        TaskStatus::Todo,
        TaskStatus::Done,
    )
    .await
    .unwrap();
    // The very next read, no job in between.
    let (_, days) = s.chart(sprint).await;
    assert_eq!(days.last(), Some(&(8, 3)));
    let head = rules::head(&s.store, &s.key, &s.dev.id).await.unwrap();
    let active = head.active_sprint().unwrap();
    assert_eq!((active.closed.points, active.total.points), (5, 8));
}

#[tokio::test]
async fn an_estimate_changed_mid_sprint_is_a_scope_change_on_that_day() {
    let s = scrum().await;
    let (sprint, t) = running(&s, &[5, 3]).await;
    s.set(at(4, 14));
    s.estimate(t[0], 8).await;
    s.set(at(5, 9));
    let (committed, days) = s.chart(sprint).await;
    assert_eq!(committed, 8);
    assert_eq!(days, vec![(8, 8), (8, 8), (11, 11), (11, 11)]);
    let changes = s.page(sprint).await.chart.changes;
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (changes[0].date, changes[0].points, changes[0].why.as_str()),
        (at(4, 0).date_naive(), 3, "estimate changed")
    );
    // And the task's history says who changed what.
    let page = rules::task_page(&s.store, &s.dev, &s.r(t[0]), None)
        .await
        .unwrap();
    let change = page
        .history
        .iter()
        .flat_map(|e| e.changes.iter())
        .find(|c| c.field == "points")
        .expect("the estimate change in the history");
    assert_eq!((change.old.as_str(), change.new.as_str()), ("5", "8"));
}

#[tokio::test]
async fn two_people_reordering_at_once_keep_one_total_order() {
    let s = scrum().await;
    let mut numbers = Vec::new();
    for i in 0..20 {
        numbers.push(s.task(&format!("rank {i}"), 1).await);
    }
    let ops = ["top", "bottom", "up", "down", ""];
    let mut handles = Vec::new();
    for (who, seed) in [(s.pm(), 7usize), (s.dev(), 13usize)] {
        let (store, key, numbers) = (s.store.clone(), s.key.clone(), numbers.clone());
        handles.push(tokio::spawn(async move {
            for i in 0..30usize {
                let pick = |k: usize| numbers[(seed * (i + 1) * (k + 3)) % numbers.len()];
                let op = ops[(seed + i) % ops.len()];
                let form = PlaceForm {
                    task: format!("{key}-{}", pick(0)),
                    to: String::new(),
                    op: op.into(),
                    after: format!("{key}-{}", pick(1)),
                    before: format!("{key}-{}", pick(2)),
                };
                rules::place_task(&store, &who, &form).await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let page = rules::backlog(&s.store, &s.key, &s.dev.id, &TaskFilter::default(), None)
        .await
        .unwrap();
    let mut seen: Vec<u32> = page.tasks.iter().map(|t| t.number).collect();
    assert_eq!(seen.len(), 20, "every task listed");
    let ranks: Vec<(String, u32)> = page
        .tasks
        .iter()
        .map(|t| (t.rank.clone(), t.number))
        .collect();
    let mut sorted = ranks.clone();
    sorted.sort();
    assert_eq!(ranks, sorted, "the list is in rank order");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 20, "every task exactly once");
    // A move within a list is one write: a read of the task, one of its neighbours, one write.
    let (st, calls) = counted(&s.store);
    let form = PlaceForm {
        task: s.r(numbers[5]),
        op: "up".into(),
        ..Default::default()
    };
    rules::place_task(&st, &s.dev(), &form).await.unwrap();
    assert!(calls.calls() <= 3, "{} calls", calls.calls());
}

#[tokio::test]
async fn only_the_manager_plans_starts_and_completes_sprints() {
    let s = scrum().await;
    let sprint = s.sprint("Sprint A", 2, 6).await;
    let form = SprintForm {
        key: s.key.to_string(),
        name: "Mine".into(),
        goal: String::new(),
        start: "2026-03-02".into(),
        end: "2026-03-06".into(),
    };
    let dev = s.dev();
    assert!(matches!(
        rules::create_sprint(&s.store, &s.key, &dev, &form).await,
        Err(AppError::Forbidden)
    ));
    let outsider: PersonRef = (&s.outsider).into();
    assert!(matches!(
        rules::create_sprint(&s.store, &s.key, &outsider, &form).await,
        Err(AppError::NotFound)
    ));
    let n = sprint.to_string();
    assert!(matches!(
        rules::start_sprint(&s.store, &s.key, &dev, &n, s.now()).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        rules::start_sprint(&s.store, &s.key, &outsider, &n, s.now()).await,
        Err(AppError::NotFound)
    ));
    s.start(sprint).await.unwrap();
    let complete = CompleteForm {
        key: s.key.to_string(),
        sprint: n.clone(),
        spill_to: "backlog".into(),
    };
    assert!(matches!(
        rules::complete_sprint(&s.store, &s.key, &dev, &complete, s.now()).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        rules::complete_sprint(&s.store, &s.key, &outsider, &complete, s.now()).await,
        Err(AppError::NotFound)
    ));
    s.complete(sprint, "backlog").await.unwrap();
    // A completed sprint is not started or completed again.
    assert_eq!(
        s.start(sprint).await.map(|_| ()),
        Err(AppError::conflict("This sprint has been started already."))
    );
    assert_eq!(
        s.complete(sprint, "backlog").await.map(|_| ()),
        Err(AppError::conflict("This sprint is not under way."))
    );
}

#[tokio::test]
async fn one_sprint_under_way_per_project() {
    let s = scrum().await;
    let mut sprints = Vec::new();
    for i in 0..4 {
        sprints.push(s.sprint(&format!("Sprint {i}"), 2, 6).await);
    }
    // Four starts at once: exactly one wins.
    let mut handles = Vec::new();
    for n in sprints.clone() {
        let (store, key, pm, now) = (s.store.clone(), s.key.clone(), s.pm(), s.now());
        handles.push(tokio::spawn(async move {
            rules::start_sprint(&store, &key, &pm, &n.to_string(), now).await
        }));
    }
    let mut won = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(_) => won += 1,
            Err(AppError::Conflict(msg)) => assert!(msg.contains("under way"), "{msg}"),
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(won, 1);
    let head = rules::head(&s.store, &s.key, &s.pm.id).await.unwrap();
    let active: Vec<_> = head
        .sprints
        .iter()
        .filter(|x| x.state == SprintState::Active)
        .collect();
    assert_eq!(active.len(), 1);
    assert_eq!(head.project.active_sprint, Some(active[0].number));
}

#[tokio::test]
async fn backlog_board_and_burndown_take_two_calls_at_5000_tasks() {
    let s = scrum().await;
    let assignees = vec![s.pm.id.clone(), s.dev.id.clone()];
    minijira::projects::store::bulk_load_plan(&s.store, &s.key, &assignees, 5000, 50)
        .await
        .unwrap();
    let (st, calls) = counted(&s.store);
    let backlog = rules::backlog(&st, &s.key, &s.dev.id, &TaskFilter::default(), None)
        .await
        .unwrap();
    assert_eq!(calls.calls(), 2, "backlog");
    assert_eq!(backlog.tasks.len(), rules::TASKS_PAGE as usize);
    assert!(backlog.next.is_some(), "more pages");
    assert_eq!(backlog.sprints.len(), 50);
    // The first page starts with the sprint under way (48), in rank order.
    assert_eq!(backlog.tasks[0].sprint, Some(48));
    let (st, calls) = counted(&s.store);
    let more = rules::backlog(
        &st,
        &s.key,
        &s.dev.id,
        &TaskFilter::default(),
        backlog.next.as_deref(),
    )
    .await
    .unwrap();
    assert_eq!(calls.calls(), 2, "the next page");
    assert!(more.tasks[0].number > backlog.tasks[99].number);

    let (st, calls) = counted(&s.store);
    let board = rules::sprint_board(&st, &s.key, &s.dev.id, &TaskFilter::default(), None)
        .await
        .unwrap();
    assert_eq!(calls.calls(), 2, "board");
    assert_eq!(board.tasks.len(), 60);
    assert!(board.tasks.iter().all(|t| t.sprint == Some(48)));

    let mine = TaskFilter {
        assignee: "me".into(),
        q: "task 28".into(),
        ..Default::default()
    };
    let (st, calls) = counted(&s.store);
    let found = rules::sprint_board(&st, &s.key, &s.dev.id, &mine, None)
        .await
        .unwrap();
    assert_eq!(calls.calls(), 2, "filtered board");
    assert!(!found.tasks.is_empty());
    assert!(found
        .tasks
        .iter()
        .all(|t| t.assignee.as_deref() == Some(s.dev.id.as_str())
            && t.title.to_lowercase().contains("task 28")));

    let (st, calls) = counted(&s.store);
    rules::sprint_page(&st, &s.key, &s.dev.id, "48", s.now())
        .await
        .unwrap();
    assert_eq!(calls.calls(), 2, "burndown");
}

/// The demo project as its members see it: the pages of the sprints, the backlog and the
/// board within their budgets, and the activity export for members only.
#[tokio::test]
async fn demo_sprints_pages_and_the_activity_export() {
    let state = state().await;
    let store = state.kit.store.clone();
    minijira::server::seed::load_demo_once(&store)
        .await
        .unwrap();
    let app = minijira::server::router::router(state);
    let alice = crate::hardening::demo_cookie(&app, "alice").await;
    let dave = crate::hardening::demo_cookie(&app, "dave").await;

    for path in ["/p/DEMO/backlog", "/p/DEMO/board", "/p/DEMO/sprints/3"] {
        let page = send(&app, get(path, Some(&alice))).await;
        assert_eq!(page.status, 200, "{path}");
        let timing = page.header("server-timing").unwrap_or_default().to_owned();
        println!("{path}: {timing}");
        assert!(timing.contains("cache;desc=\"miss\""), "{path}: {timing}");
        assert!(timing.contains("desc=\"2 calls\""), "{path}: {timing}");
        let again = send(&app, get(path, Some(&alice))).await;
        let timing = again.header("server-timing").unwrap_or_default().to_owned();
        assert!(timing.contains("cache;desc=\"hit\""), "{path}: {timing}");
        assert!(
            timing.contains("versions;desc=\"1 read shared by 1\", ddb;dur=0.0;desc=\"0 calls\""),
            "{path}: {timing}"
        );
        assert_eq!(
            strip_nonce(&again.body),
            strip_nonce(&page.body),
            "{path}: the cached page is the page"
        );
    }
    // The first sprint: completed, frozen, with its spillover and its reopened task.
    let s1 = send(&app, get("/p/DEMO/sprints/1", Some(&alice))).await;
    assert!(s1.body.contains("frozen"), "frozen chart");
    assert!(s1.body.contains("data-testid=\"spillover\""));
    assert!(
        s1.body.contains("DEMO-2") && s1.body.contains("DEMO-8"),
        "spillover listed"
    );
    assert!(s1.body.contains("<svg"), "a server-drawn chart");
    let page = rules::sprint_page(
        &store,
        &ProjectKey::parse("DEMO").unwrap(),
        &crate::hardening::ids_of(&store, &["alice"]).await["alice"].id,
        "1",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let rem: Vec<i64> = page.chart.values.iter().map(|d| d.remaining).collect();
    assert!(
        rem.windows(2).any(|w| w[1] > w[0]),
        "the reopened task comes back: {rem:?}"
    );
    assert_eq!(page.chart.changes.len(), 1, "task 2 added mid-sprint");
    assert_eq!(page.velocity.len(), 2);
    // The board shows the sprint under way.
    let board = send(&app, get("/p/DEMO/board", Some(&alice))).await;
    assert!(board.body.contains("Sprint 3 · Launch") && board.body.contains("DEMO-12"));

    let csv = send(&app, get("/p/DEMO/export/activity.csv", Some(&alice))).await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv
        .body
        .starts_with("time,actor,action,task,subject,field,old,new\r\n"));
    assert!(csv.body.contains("completed sprint"));
    let json = send(&app, get("/p/DEMO/export/activity.json", Some(&alice))).await;
    assert_eq!(json.status, 200);
    let entries: Vec<Activity> = serde_json::from_str(&json.body).unwrap();
    assert!(
        entries.windows(2).all(|w| w[0].at >= w[1].at),
        "newest first"
    );
    for path in [
        "/p/DEMO/export/activity.csv",
        "/p/DEMO/export/activity.json",
    ] {
        assert_eq!(
            send(&app, get(path, Some(&dave))).await.status,
            404,
            "{path}"
        );
        assert_ne!(send(&app, get(path, None)).await.status, 200, "{path}");
    }
}

#[tokio::test]
async fn a_completion_cut_short_is_finished_by_the_worker() {
    let s = scrum().await;
    let (sprint, t) = running(&s, &[5, 3, 2]).await;
    s.set(at(3, 12));
    s.status(t[0], TaskStatus::Done).await;
    s.set(at(6, 17));
    // The server stops right after the sprint was frozen: its tasks have not moved.
    minijira::projects::store::freeze_sprint_only(
        &s.store,
        &s.key,
        &s.pm(),
        sprint,
        Bucket::Backlog,
        s.now(),
    )
    .await
    .unwrap();
    let mine = |p: Vec<(ProjectKey, u32, PersonRef)>| {
        p.into_iter()
            .filter(|(k, n, _)| *k == s.key && *n == sprint)
            .count()
    };
    let pending = minijira::projects::store::pending_completions(&s.store, 100)
        .await
        .unwrap();
    assert_eq!(mine(pending), 1, "the completion is marked unfinished");
    let left = minijira::projects::store::get_task(&s.store, &s.key, t[1])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(left.sprint, Some(sprint));
    // The worker of any instance finishes it.
    minijira::projects::background::resume_sprint_completions(&s.store).await;
    for (n, sprint_now, archived) in [
        (t[0], Some(sprint), true),
        (t[1], None, false),
        (t[2], None, false),
    ] {
        let task = minijira::projects::store::get_task(&s.store, &s.key, n)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (task.sprint, task.archived),
            (sprint_now, archived),
            "task {n}"
        );
    }
    let pending = minijira::projects::store::pending_completions(&s.store, 100)
        .await
        .unwrap();
    assert_eq!(mine(pending), 0, "nothing left to do");
    let backlog = rules::backlog(&s.store, &s.key, &s.dev.id, &TaskFilter::default(), None)
        .await
        .unwrap();
    let listed: Vec<u32> = backlog.tasks.iter().map(|t| t.number).collect();
    assert_eq!(
        listed,
        vec![t[1], t[2]],
        "the spillover heads the backlog in its order"
    );
}

#[tokio::test]
async fn the_activity_csv_quotes_and_keeps_formulas_as_text() {
    let s = scrum().await;
    s.task(r#"=HYPERLINK("http://x"),"a, b""#, 3).await;
    let (board, entries) = rules::activity_export(&s.store, &s.key, &s.pm.id)
        .await
        .unwrap();
    let csv = rules::activity_csv(&board, &entries).unwrap();
    assert!(csv.starts_with("time,actor,action,task,subject,field,old,new\r\n"));
    assert!(
        csv.contains(r#""'=HYPERLINK(""http://x""),""a, b""""#),
        "the title is one quoted cell that starts with ': {csv}"
    );
    assert!(csv.ends_with("\r\n"));
}
