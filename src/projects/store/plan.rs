//! The open work in plan order, read from the local index (`lsi1`, strongly consistent): a
//! sprint's tasks or the backlog's by rank, a page at a time, so that no page reads the whole
//! project; and the ranks that place a task.

use super::tasks::{change_task, jitter, refuse_member, Check};
use super::{Busy, Refused, TaskItem};
use crate::accounts::model::PersonRef;
use crate::db::keys::*;
use crate::db::retry::{retrying, Backoff, Try};
use crate::db::{cursor, from_item, n, s, DbError, Expr, Item, PageQuery, SortKey, Store};
use crate::db::{Outcome, Tx};
use crate::model::Page;
use crate::projects::model::*;

/// Every task of one list of the local index, following pages.
pub(super) async fn whole_list(
    store: &Store,
    key: &ProjectKey,
    prefix: &str,
) -> Result<Vec<Task>, DbError> {
    let pk = project_pk(key);
    let q = PageQuery::new(Index::Lsi1, &pk)
        .prefix(prefix)
        .consistent()
        .unlimited();
    Ok(store
        .all::<TaskItem>(q)
        .await?
        .into_iter()
        .map(|t| t.task)
        .collect())
}

/// The rank at the top (`last` false) or the bottom of a list of open work.
pub async fn edge_rank(
    store: &Store,
    key: &ProjectKey,
    sprint: Option<u32>,
    last: bool,
) -> Result<Option<String>, DbError> {
    let pk = project_pk(key);
    let list = plan_list(sprint);
    let mut q = PageQuery::new(Index::Lsi1, &pk)
        .prefix(&list)
        .consistent()
        .limit(1);
    if last {
        q = q.newest_first();
    }
    let (items, _) = store.page::<TaskItem>(q).await?;
    Ok(items.into_iter().next().map(|t| t.task.rank))
}

/// The neighbours of `task` in its list: up to two before it (nearest first) or after it.
async fn neighbours(
    store: &Store,
    key: &ProjectKey,
    task: &Task,
    before: bool,
) -> Result<Vec<Task>, DbError> {
    let pk = project_pk(key);
    let list = plan_list(task.sprint);
    let me = TaskItem::lsi_key(task);
    let end = format!("{list}~");
    let range = if before {
        SortKey::Between(&list, &me)
    } else {
        SortKey::Between(&me, &end)
    };
    let mut q = PageQuery::new(Index::Lsi1, &pk)
        .sort_key(range)
        .consistent()
        .limit(3);
    if before {
        q = q.newest_first();
    }
    let (items, _) = store.page::<TaskItem>(q).await?;
    Ok(items
        .into_iter()
        .map(|t| t.task)
        .filter(|t| t.number != task.number)
        .take(2)
        .collect())
}

/// The rank that puts `task` at `place` in `target`; None when it is there already.
pub async fn rank_for(
    store: &Store,
    key: &ProjectKey,
    task: &Task,
    target: Bucket,
    place: Placement,
) -> Result<Option<String>, DbError> {
    let same = target.sprint() == task.sprint;
    let j = jitter();
    let r = match place {
        Placement::Top => {
            let first = edge_rank(store, key, target.sprint(), false).await?;
            if same && first.as_deref() == Some(task.rank.as_str()) {
                return Ok(None);
            }
            rank::between(None, first.as_deref(), j)
        }
        Placement::Bottom => {
            let last = edge_rank(store, key, target.sprint(), true).await?;
            if same && last.as_deref() == Some(task.rank.as_str()) {
                return Ok(None);
            }
            rank::between(last.as_deref(), None, j)
        }
        Placement::Up | Placement::Down if !same => {
            let last = edge_rank(store, key, target.sprint(), true).await?;
            rank::between(last.as_deref(), None, j)
        }
        Placement::Up => {
            let above = neighbours(store, key, task, true).await?;
            match above.as_slice() {
                [] => return Ok(None),
                [p1] => rank::between(None, Some(&p1.rank), j),
                [p1, p2, ..] => rank::between(Some(&p2.rank), Some(&p1.rank), j),
            }
        }
        Placement::Down => {
            let below = neighbours(store, key, task, false).await?;
            match below.as_slice() {
                [] => return Ok(None),
                [n1] => rank::between(Some(&n1.rank), None, j),
                [n1, n2, ..] => rank::between(Some(&n1.rank), Some(&n2.rank), j),
            }
        }
        Placement::Between { after, before } => {
            let read = |n: Option<u32>| async move {
                match n {
                    Some(n) if n != task.number => super::get_task(store, key, n).await,
                    _ => Ok(None),
                }
            };
            let (a, b) = tokio::try_join!(read(after), read(before))?;
            // A neighbour that is no longer in the target list does not bind.
            let inside = |t: &Option<Task>| {
                t.as_ref()
                    .filter(|t| !t.archived && t.sprint == target.sprint())
                    .map(|t| t.rank.clone())
            };
            rank::between(inside(&a).as_deref(), inside(&b).as_deref(), j)
        }
    };
    Ok(Some(r))
}

/// The condition of a filter on the open work (the title search reads a lower-case copy).
fn filter_expr(f: &Filter) -> Option<Expr> {
    if f.is_empty() {
        return None;
    }
    let mut e = Expr::default();
    if let Some(q) = &f.text {
        e = e
            .when("contains(#search, :q)")
            .name("#search", "search")
            .value(":q", s(q));
    }
    if let Some(a) = &f.assignee {
        e = e.when("assignee = :who").value(":who", s(a));
    }
    if let Some(st) = f.status {
        e = e
            .when("#st = :st")
            .name("#st", "status")
            .value(":st", s(st.as_str()));
    }
    if let Some(story) = f.story {
        e = e.when("story = :story").value(":story", n(story));
    }
    if let Some(p) = f.priority {
        e = e.when("priority = :prio").value(":prio", s(p.as_str()));
    }
    Some(e)
}

/// One page of a list of tasks in the local index (`prefix`: the open work, a sprint's, the
/// backlog's, or a completed sprint's), at most `limit` tasks that match `filter`, in one
/// Query: unfiltered, `limit` items; filtered, up to 1 MB read (DynamoDB's filter), cut at
/// `limit` with a link that continues after the last one shown.
pub async fn task_page(
    store: &Store,
    key: &ProjectKey,
    prefix: &str,
    filter: &Filter,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<Task>, DbError> {
    let pk = project_pk(key);
    let expr = filter_expr(filter);
    let mut q = PageQuery::new(Index::Lsi1, &pk)
        .prefix(prefix)
        .consistent()
        .after(cursor)
        .limit(limit);
    if expr.is_some() {
        q = q.unlimited().filter(expr.as_ref());
    }
    let (items, mut next) = store.page_items(q).await?;
    let limit = limit.clamp(1, 100) as usize;
    if items.len() > limit {
        let last: &Item = &items[limit - 1];
        let key_strings = cursor::key_strings(
            &Index::Lsi1
                .key_attributes()
                .into_iter()
                .filter_map(|a| last.get(a).map(|v| (a.to_owned(), v.clone())))
                .collect(),
        );
        next = Some(store.link(&q, &key_strings));
    }
    let items = items
        .into_iter()
        .take(limit)
        .map(|i| from_item::<TaskItem>(i).map(|t| t.task))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, next })
}

/// Where a task goes in its list.
pub async fn place_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    actor: &PersonRef,
    to: Option<Bucket>,
    place: Placement,
) -> Outcome<Task, Refused> {
    let pk = &project_pk(key);
    retrying(Backoff::new(), Refused::Busy(Busy::Task), || async move {
        let Some(task) = super::get_task(store, key, number).await? else {
            return Ok(Try::Refused(Refused::TaskMissing));
        };
        if task.archived {
            let refusal = refuse_member(store, key, &actor.id, Refused::SprintClosed).await;
            return Try::from_outcome(refusal);
        }
        let target = to.unwrap_or(Bucket::of(task.sprint));
        let rank = match super::rank_for(store, key, &task, target, place).await? {
            Some(r) => r,
            // Already there (for a member: anyone else is told nothing).
            None if super::is_member(store, key, &actor.id).await? => return Ok(Try::Done(task)),
            None => return Ok(Try::Refused(Refused::NotMember)),
        };
        if target.sprint() != task.sprint {
            // Into another list: a change with its burndown events and history.
            let r = rank.clone();
            let changed = change_task(store, key, number, actor, Check::Current, move |t| {
                t.sprint = target.sprint();
                t.rank = r.clone();
                Ok(())
            })
            .await;
            return Try::from_outcome(changed);
        }
        // Within its list: one write of the task's rank, if it is still in that list.
        let mut moved = task.clone();
        moved.rank = rank;
        let list = plan_list(task.sprint);
        let mut tx = Tx::new(store);
        tx.exists("member", pk, &member_sk(&actor.id)).update(
            "task",
            pk,
            &task_sk(number),
            Expr::set("SET #rank = :rank, lsi1sk = :k")
                .when("begins_with(lsi1sk, :list)")
                .name("#rank", "rank")
                .value(":rank", s(&moved.rank))
                .value(":k", s(TaskItem::lsi_key(&moved)))
                .value(":list", s(list)),
        );
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(moved),
            Err(e) if e.failed("member") => Try::Refused(Refused::NotMember),
            // Moved to another list meanwhile: look again.
            Err(e) if e.failed("task") => Try::Again,
            Err(e) => return Err(e),
        })
    })
    .await
}
