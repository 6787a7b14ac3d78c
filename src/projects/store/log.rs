//! The burndown events (`Y#<sprint>#…`) and the activity entries (`Z#…`, with each task's
//! history in the local index), written in the transaction of the change they record; a
//! sprint's running totals; and their reads.

use crate::accounts::model::PersonRef;
use crate::db::keys::*;
use crate::db::{n, s, DbError, Expr, PageQuery, Store, Tx};
use crate::model::Page;
use crate::projects::model::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct BurnItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    event: BurnEvent,
}

#[derive(Serialize, Deserialize)]
struct ActivityItem {
    pk: String,
    sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lsi1sk: Option<String>,
    #[serde(flatten)]
    entry: Activity,
}

/// Adds `entry` to the project's activity log (and to its task's history).
pub(super) fn log(tx: &mut Tx, key: &ProjectKey, entry: &Activity) {
    tx.create_value(
        "activity",
        &ActivityItem {
            pk: project_pk(key),
            sk: activity_sk(&entry.at, &entry.id),
            lsi1sk: entry.task.map(|t| history_key(t, &entry.at, &entry.id)),
            entry: entry.clone(),
        },
    );
}

/// Adds a burndown event of `sprint`.
pub(super) fn burn(tx: &mut Tx, key: &ProjectKey, sprint: u32, event: &BurnEvent) {
    let id = ulid::Ulid::new().to_string();
    tx.create_value(
        "burn",
        &BurnItem {
            pk: project_pk(key),
            sk: burn_sk(sprint, &event.at, &id),
            event: event.clone(),
        },
    );
}

/// Changes a sprint's totals, if it is not completed (the item is named `name`).
pub(super) fn add_to_sprint(
    tx: &mut Tx,
    name: &'static str,
    key: &ProjectKey,
    sprint: u32,
    total: Tally,
    closed: Tally,
) {
    tx.update(
        name,
        &project_pk(key),
        &sprint_sk(sprint),
        Expr::set(
            "SET #total.tasks = #total.tasks + :tt, #total.points = #total.points + :tp, \
             #closed.tasks = #closed.tasks + :ct, #closed.points = #closed.points + :cp, \
             version = version + :one",
        )
        .when("attribute_exists(pk) AND #state <> :completed")
        .name("#total", "total")
        .name("#closed", "closed")
        .name("#state", "state")
        .value(":tt", n(total.tasks))
        .value(":tp", n(total.points))
        .value(":ct", n(closed.tasks))
        .value(":cp", n(closed.points))
        .value(":one", n(1))
        .value(":completed", s(SprintState::Completed.as_str())),
    );
}

/// A sprint's burndown events, oldest first (one Query; more only past 1 MB).
pub async fn burn_events(
    store: &Store,
    key: &ProjectKey,
    sprint: u32,
) -> Result<Vec<BurnEvent>, DbError> {
    let pk = project_pk(key);
    let list = burn_list(sprint);
    let q = PageQuery::new(Index::Table, &pk)
        .prefix(&list)
        .consistent()
        .unlimited();
    Ok(store
        .all::<BurnItem>(q)
        .await?
        .into_iter()
        .map(|b| b.event)
        .collect())
}

/// A page of the project's activity log, newest first.
pub async fn activity_page(
    store: &Store,
    key: &ProjectKey,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<Activity>, DbError> {
    let pk = project_pk(key);
    let q = PageQuery::new(Index::Table, &pk)
        .prefix(ACTIVITY_PREFIX)
        .newest_first()
        .consistent()
        .after(cursor)
        .limit(limit);
    let (items, next) = store.page::<ActivityItem>(q).await?;
    Ok(Page {
        items: items.into_iter().map(|a| a.entry).collect(),
        next,
    })
}

/// A task's history, newest first (up to `limit` entries).
pub async fn task_history(
    store: &Store,
    key: &ProjectKey,
    task: u32,
    limit: i32,
) -> Result<Vec<Activity>, DbError> {
    let pk = project_pk(key);
    let list = history_list(task);
    let q = PageQuery::new(Index::Lsi1, &pk)
        .prefix(&list)
        .newest_first()
        .consistent()
        .limit(limit);
    let (items, _) = store.page::<ActivityItem>(q).await?;
    Ok(items.into_iter().map(|a| a.entry).collect())
}

/// An activity entry about `task` (or about nothing).
pub(super) fn activity(
    actor: &PersonRef,
    at: DateTime<Utc>,
    action: &str,
    task: Option<&Task>,
    changes: Vec<FieldChange>,
) -> Activity {
    Activity {
        id: ulid::Ulid::new().to_string(),
        at,
        actor: actor.clone(),
        action: action.into(),
        task: task.map(|t| t.number),
        subject: task.map(|t| t.title.clone()).unwrap_or_default(),
        sprint: task.and_then(|t| t.sprint),
        changes,
    }
}
