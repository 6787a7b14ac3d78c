//! A large plan written in batches, for benchmarks and budget tests (feature `bench` only).

use super::sprints::SprintItem;
use super::TaskItem;
use crate::db::keys::*;
use crate::db::{n, DbError, Expr, Item, Store};
use crate::projects::model::*;

/// A large plan for benchmarks and budget tests: `sprints` sprints (all completed but the last
/// three: one under way, two planned) and `tasks` tasks spread over them and the backlog,
/// written in batches (not through the app's transactions: only with the `bench` feature).
/// The project must exist; its header's counters are set to match.
///
/// Longer than 80 lines on purpose: a benchmark loader (never on a request path) that writes
/// every kind of item of a plan in one pass, so that its counts stay in one place.
#[cfg(feature = "bench")]
pub async fn bulk_load_plan(
    store: &Store,
    key: &ProjectKey,
    assignees: &[String],
    tasks: u32,
    sprints: u32,
) -> Result<(), DbError> {
    use crate::db::retry::{retrying, Backoff, Try};
    use crate::db::Refusal;
    use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
    use futures::stream::{self, StreamExt, TryStreamExt};
    let pk = project_pk(key);
    let now = store.now();
    let today = now.date_naive();
    let sprints = sprints.max(3);
    let active = sprints - 2;
    let mut items: Vec<Item> = Vec::new();
    // Tasks per sprint: 60; the rest in the backlog.
    let per_sprint = 60u32;
    let mut counts = StatusCounts::default();
    let mut tallies = vec![(Tally::default(), Tally::default()); sprints as usize + 1];
    let ranks = rank::after_each(None, tasks as usize);
    for i in 0..tasks {
        let number = i + 1;
        let sprint = (i / per_sprint + 1).min(sprints + 1);
        let sprint = (sprint <= sprints).then_some(sprint);
        let status = match sprint {
            Some(s) if s < active => TaskStatus::Done,
            _ => TaskStatus::ALL[i as usize % 4],
        };
        let points = Some(POINTS[i as usize % POINTS.len()]);
        let task = Task {
            key: key.clone(),
            number,
            title: format!("Task {number}: make the checkout remember the last address"),
            description: "As a customer I want this to work the way I expect.".into(),
            story: None,
            assignee: assignees.get(i as usize % assignees.len().max(1)).cloned(),
            start_date: None,
            end_date: None,
            status,
            points,
            priority: Priority::ALL[i as usize % Priority::ALL.len()],
            sprint,
            rank: ranks[i as usize].clone(),
            archived: sprint.is_some_and(|s| s < active),
            comment_count: 0,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        counts.add(status, 1);
        if let Some(s) = sprint {
            let p = points.map(i64::from).unwrap_or(0);
            let (total, closed) = &mut tallies[s as usize];
            total.tasks += 1;
            total.points += p;
            if status.is_closed() {
                closed.tasks += 1;
                closed.points += p;
            }
        }
        items.push(crate::db::to_item(&TaskItem::new(&pk, task))?);
    }
    for n in 1..=sprints {
        let start = today - chrono::Duration::days(14 * i64::from(active - n.min(active)) + 7);
        let state = match n {
            n if n < active => SprintState::Completed,
            n if n == active => SprintState::Active,
            _ => SprintState::Planned,
        };
        let (total, closed) = tallies[n as usize];
        let sprint = Sprint {
            number: n,
            name: format!("Sprint {n}"),
            goal: "Ship what we promised.".into(),
            start,
            end: start + chrono::Duration::days(13),
            state,
            started_at: (state != SprintState::Planned).then_some(now),
            completed_at: (state == SprintState::Completed).then_some(now),
            total,
            closed,
            report: (state == SprintState::Completed).then(|| SprintReport {
                committed: total.points,
                completed: closed.points,
                done: closed,
                not_done: Tally::default(),
                spillover: Vec::new(),
                spilled_to: None,
                spilled_to_name: BACKLOG_NAME.into(),
            }),
            version: 1,
        };
        items.push(crate::db::to_item(&SprintItem {
            pk: pk.clone(),
            sk: sprint_sk(n),
            sprint,
        })?);
    }
    let mut batches = Vec::new();
    for chunk in items.chunks(25) {
        let mut writes = Vec::new();
        for item in chunk {
            let put = PutRequest::builder()
                .set_item(Some(item.clone()))
                .build()
                .map_err(|e| DbError::Other(e.to_string()))?;
            writes.push(WriteRequest::builder().put_request(put).build());
        }
        batches.push(writes);
    }
    // Two batches at a time, each retried on a timeout: the loader shares DynamoDB Local with
    // the other tests.
    stream::iter(batches)
        .map(|writes| async move {
            let writes = &writes;
            let written = retrying(Backoff::with_retries(3), (), || async move {
                match store.batch_write(writes.clone()).await {
                    Ok(()) => Ok(Try::Done(())),
                    Err(DbError::Unavailable(_)) => Ok(Try::Again),
                    Err(e) => Err(e.into()),
                }
            })
            .await;
            written.map_err(|r| match r {
                Refusal::Db(e) => e,
                Refusal::Refused(()) => {
                    DbError::Unavailable("bulk load: DynamoDB timed out".into())
                }
            })
        })
        .buffer_unordered(2)
        .try_collect::<Vec<()>>()
        .await?;
    let header = Expr::set("SET task_seq = :t, sprint_seq = :s, active_sprint = :a, counts = :c")
        .when("attribute_exists(pk)")
        .value(":t", n(tasks))
        .value(":s", n(sprints))
        .value(":a", n(active))
        .value(":c", crate::db::value(&counts)?);
    store.update(&pk, PROJECT_META_SK, header).await?;
    Ok(())
}
