//! A task's comments (P4), each task in a partition of its own; and the clean-up of a deleted
//! task's comments.

use super::log::activity;
use super::tasks::{counts_expr, sprint_effects};
use super::{Busy, Refused};
use crate::accounts::model::PersonRef;
use crate::db::keys::*;
use crate::db::retry::{retrying, Backoff, Try};
use crate::db::{n, s, DbError, Expr, Outcome, PageQuery, Store, Tx};
use crate::model::Page;
use crate::projects::model::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct CommentItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    comment: Comment,
}

/// Adds a comment (any member): the comment and the task's comment count in one transaction.
pub async fn add_comment(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    author: PersonRef,
    body: String,
) -> Outcome<Comment, Refused> {
    let pk = project_pk(key);
    // At the key's precision, so that key order and time order agree.
    let created_at = key_time(store.now());
    let comment = Comment {
        id: ulid::Ulid::new().to_string(),
        author,
        body,
        created_at,
    };
    let mut tx = Tx::new(store);
    tx.exists("member", &pk, &member_sk(&comment.author.id))
        .update(
            "task",
            &pk,
            &task_sk(number),
            Expr::set("SET comment_count = comment_count + :one")
                .when("attribute_exists(pk)")
                .value(":one", n(1)),
        )
        .create_value(
            "comment",
            &CommentItem {
                pk: comments_pk(key, number),
                sk: comment_sk(&comment.created_at, &comment.id),
                comment: comment.clone(),
            },
        );
    let (tx, comment) = (&tx, &comment);
    retrying(
        Backoff::new(),
        Refused::Busy(Busy::Comment),
        || async move {
            Ok(match tx.run(store).await {
                Ok(()) => Try::Done(comment.clone()),
                Err(e) if e.failed("member") => Try::Refused(Refused::NotMember),
                Err(e) if e.failed("task") => Try::Refused(Refused::TaskMissing),
                Err(e) => return Err(e),
            })
        },
    )
    .await
}

/// A task's comments, newest page first (the page itself is returned oldest first, for
/// reading); `next` continues with older comments.
pub async fn comments(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<Comment>, DbError> {
    let pk = comments_pk(key, number);
    let q = PageQuery::new(Index::Table, &pk)
        .prefix(COMMENT_PREFIX)
        .newest_first()
        .after(cursor)
        .limit(limit);
    let (rows, next) = store.page::<CommentItem>(q).await?;
    let mut items: Vec<Comment> = rows.into_iter().map(|c| c.comment).collect();
    items.reverse();
    Ok(Page { items, next })
}

/// Removes a deleted task's comments, one page at a time, then its clean-up task.
pub async fn delete_comments(store: &Store, key: &ProjectKey, number: u32) -> Result<(), DbError> {
    let pk = comments_pk(key, number);
    loop {
        let q = PageQuery::new(Index::Table, &pk)
            .prefix(COMMENT_PREFIX)
            .keys_only()
            .limit(100);
        let (keys, _) = store.page_items(q).await?;
        if keys.is_empty() {
            return store.delete(&pk, CLEANUP_SK).await;
        }
        store.delete_keys(keys).await?;
    }
}

/// Comment clean-ups left unfinished (a server stopped half-way): for the worker.
pub async fn pending_cleanups(
    store: &Store,
    limit: i32,
) -> Result<Vec<(ProjectKey, u32)>, DbError> {
    let q = PageQuery::new(Index::Gsi2, CLEANUP_PENDING).limit(limit);
    let (tasks, _) = store.page::<CleanupTask>(q).await?;
    Ok(tasks.into_iter().map(|t| (t.project, t.number)).collect())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct CleanupTask {
    pub pk: String,
    pub sk: String,
    pub gsi2pk: String,
    pub gsi2sk: String,
    pub project: ProjectKey,
    pub number: u32,
}

/// Deletes a task (its project's manager only): one transaction that updates the counts and
/// its sprint's totals and burndown, logs the deletion, deletes the task and records the
/// pending removal of its comments (finished by [`super::delete_comments`], or by the worker
/// if this server stops first).
pub async fn delete_task_only(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    actor: &PersonRef,
) -> Outcome<(), Refused> {
    let cleanup = CleanupTask {
        pk: comments_pk(key, number),
        sk: CLEANUP_SK.into(),
        gsi2pk: CLEANUP_PENDING.into(),
        gsi2sk: newest_sk(&store.now(), &comments_pk(key, number)),
        project: key.clone(),
        number,
    };
    let (pk, cleanup) = (&project_pk(key), &cleanup);
    retrying(Backoff::new(), Refused::Busy(Busy::Task), || async move {
        let Some(task) = super::get_task(store, key, number).await? else {
            return Ok(Try::Refused(Refused::TaskMissing));
        };
        let now = key_time(store.now());
        let mut tx = Tx::new(store);
        tx.update(
            "project",
            pk,
            PROJECT_META_SK,
            Expr::set(format!("SET {}", counts_expr(task.status, '-')))
                .when("manager.id = :me")
                .value(":me", s(&actor.id))
                .value(":one", n(1))
                .value(":zero", n(0)),
        )
        .delete(
            "task",
            pk,
            &task_sk(number),
            Expr::condition("version = :v").value(":v", n(task.version)),
        )
        .create_value("cleanup", &cleanup);
        let mut gone = task.clone();
        gone.sprint = None;
        sprint_effects(&mut tx, key, &task, &gone, now);
        super::log(
            &mut tx,
            key,
            &activity(actor, now, "deleted", Some(&task), Vec::new()),
        );
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(()),
            Err(e) if e.failed("project") => Try::Refused(Refused::NotManager),
            Err(e) if e.failed("sprint_from") => Try::Refused(Refused::SprintClosing),
            // It changed between our read and our delete: read again.
            Err(e) if e.failed("task") => Try::Again,
            Err(e) => return Err(e),
        })
    })
    .await
}
