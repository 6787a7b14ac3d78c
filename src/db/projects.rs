//! Projects (patterns P1–P5). The project's partition holds its header, members, stories and
//! tasks, so that the scrum page is one Query; comments have a partition per task.
//!
//! Every write is one transaction that carries its own authorisation (a ConditionCheck on the
//! caller's member item, or a condition on the manager) and its concurrency guard (a version or
//! a status condition), and keeps the header's status counts in step with the tasks.

use super::cursor;
use super::keys::*;
use super::outbox::{self, OutboxMail};
use super::tx::{self, Values};
use super::{from_item, n, s, to_item, DbError, Item, Store};
use crate::error::AppError;
use crate::models::*;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Serialize, Deserialize)]
struct MetaItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    project: Project,
}

#[derive(Serialize, Deserialize)]
struct MemberItem {
    pk: String,
    sk: String,
    gsi1pk: String,
    gsi1sk: String,
    #[serde(flatten)]
    member: Member,
}

#[derive(Serialize, Deserialize)]
struct StoryItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    story: Story,
}

#[derive(Serialize, Deserialize)]
struct TaskItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    task: Task,
}

#[derive(Serialize, Deserialize)]
struct CommentItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    comment: Comment,
}

fn member_item(key: &ProjectKey, member: Member) -> MemberItem {
    MemberItem {
        pk: project_pk(key),
        sk: member_sk(&member.person.id),
        gsi1pk: user_projects_pk(&member.person.id),
        gsi1sk: key.as_str().to_owned(),
        member,
    }
}

/// A project to create: its header, the people in it, and the mails to send them.
pub struct NewProject {
    pub project: Project,
    pub members: Vec<Member>,
    pub mails: Vec<OutboxMail>,
}

/// Most initial members in one creation (a transaction holds at most 100 items).
pub const MAX_INITIAL_MEMBERS: usize = 40;

/// Creates the project, its members and their invitation mails in one transaction (P2). An
/// existing key is refused, never overwritten.
pub async fn create(store: &Store, new: NewProject) -> Result<(), AppError> {
    let table = store.table();
    let key = new.project.key.clone();
    let mut items = vec![tx::create(
        table,
        to_item(&MetaItem {
            pk: project_pk(&key),
            sk: PROJECT_META_SK.into(),
            project: new.project,
        })?,
    )?];
    for m in new.members {
        items.push(tx::create(table, to_item(&member_item(&key, m))?)?);
    }
    for mail in &new.mails {
        items.push(outbox::put(table, mail)?);
    }
    match store.transact(items).await {
        Ok(()) => Ok(()),
        Err(e) if e.reason(0) == Some("ConditionalCheckFailed") => Err(AppError::conflict(
            format!("The project key {key} is taken. Choose another one."),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The scrum page's data (P3): one Query on the project's partition (more pages only past
/// 1 MB). `None` when the project does not exist or `viewer` is not a member.
pub async fn board(
    store: &Store,
    key: &ProjectKey,
    viewer: &str,
) -> Result<Option<ProjectBoard>, AppError> {
    let mut project = None;
    let mut members = Vec::new();
    let mut stories = Vec::new();
    let mut tasks = Vec::new();
    for item in store.query_partition(&project_pk(key)).await? {
        let sk = match item.get(SK) {
            Some(AttributeValue::S(sk)) => sk.clone(),
            _ => continue,
        };
        if sk == PROJECT_META_SK {
            project = Some(from_item::<MetaItem>(item)?.project);
        } else if sk.starts_with(MEMBER_PREFIX) {
            members.push(from_item::<MemberItem>(item)?.member);
        } else if sk.starts_with(STORY_PREFIX) {
            stories.push(from_item::<StoryItem>(item)?.story);
        } else if sk.starts_with(TASK_PREFIX) {
            tasks.push(from_item::<TaskItem>(item)?.task);
        }
    }
    let Some(project) = project else {
        return Ok(None);
    };
    let Some(my_role) = members
        .iter()
        .find(|m| m.person.id == viewer)
        .map(|m| m.role)
    else {
        return Ok(None);
    };
    members.sort_by(|a, b| {
        (a.role != ProjectRole::Manager, &a.person.handle)
            .cmp(&(b.role != ProjectRole::Manager, &b.person.handle))
    });
    Ok(Some(ProjectBoard {
        project,
        members,
        stories,
        tasks,
        my_role,
    }))
}

/// My projects with their status (P1): one Query on the members index, one BatchGetItem of
/// the project headers.
pub async fn my_projects(
    store: &Store,
    user_id: &str,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<DashboardRow>, AppError> {
    let start = cursor::start(cursor, &[PK, SK, GSI1PK, GSI1SK])?;
    let out = store
        .call(
            store
                .client()
                .query()
                .table_name(store.table())
                .index_name(GSI1)
                .key_condition_expression("gsi1pk = :pk")
                .expression_attribute_values(":pk", s(user_projects_pk(user_id)))
                .set_exclusive_start_key(start)
                .limit(limit.clamp(1, 100))
                .send(),
        )
        .await?;
    let memberships: Vec<(ProjectKey, ProjectRole)> = out
        .items
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            from_item::<MemberItem>(i).and_then(|m| {
                ProjectKey::parse(&m.gsi1sk)
                    .map(|k| (k, m.member.role))
                    .map_err(|e| DbError::Decode(e.to_string()))
            })
        })
        .collect::<Result<_, _>>()?;
    let next = out
        .last_evaluated_key
        .filter(|_| !memberships.is_empty())
        .map(|k| cursor::encode(&cursor::key_strings(&k)));
    if memberships.is_empty() {
        return Ok(Page {
            items: Vec::new(),
            next,
        });
    }
    let keys: Vec<Item> = memberships
        .iter()
        .map(|(k, _)| {
            [
                (PK.to_owned(), s(project_pk(k))),
                (SK.to_owned(), s(PROJECT_META_SK)),
            ]
            .into_iter()
            .collect()
        })
        .collect();
    let mut heads: HashMap<ProjectKey, Project> = HashMap::new();
    for item in super::users::batch_get(store, keys).await? {
        let p = from_item::<MetaItem>(item)?.project;
        heads.insert(p.key.clone(), p);
    }
    let items = memberships
        .into_iter()
        .filter_map(|(k, role)| {
            heads.remove(&k).map(|project| DashboardRow {
                project,
                my_role: role,
            })
        })
        .collect();
    Ok(Page { items, next })
}

fn counts_expr(status: TaskStatus, op: char) -> String {
    format!(
        "counts.{f} = counts.{f} {op} :one",
        f = StatusCounts::field(status)
    )
}

/// Hands out the next story or task number. Without contention this happens inside the
/// creating transaction (the caller passes the number it saw); otherwise an atomic counter.
enum Numbering {
    Seen(u32),
    Reserved(u32),
}

async fn reserve_number(store: &Store, key: &ProjectKey, counter: &str) -> Result<u32, AppError> {
    let out = store
        .call(
            store
                .client()
                .update_item()
                .table_name(store.table())
                .key(PK, s(project_pk(key)))
                .key(SK, s(PROJECT_META_SK))
                .update_expression(format!("SET {counter} = {counter} + :one"))
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_values(":one", n(1))
                .return_values(ReturnValue::UpdatedNew)
                .send(),
        )
        .await;
    let out = match out {
        Ok(o) => o,
        Err(DbError::ConditionFailed) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    match out.attributes.as_ref().and_then(|a| a.get(counter)) {
        Some(AttributeValue::N(v)) => v.parse().map_err(AppError::internal),
        _ => Err(AppError::internal("counter missing from UpdateItem result")),
    }
}

async fn is_member(store: &Store, key: &ProjectKey, user_id: &str) -> Result<bool, AppError> {
    let out = store
        .call(
            store
                .client()
                .get_item()
                .table_name(store.table())
                .key(PK, s(project_pk(key)))
                .key(SK, s(member_sk(user_id)))
                .consistent_read(true)
                .projection_expression("pk")
                .send(),
        )
        .await?;
    Ok(out.item.is_some())
}

/// Creates an item numbered by the project's `counter` (`story_seq` or `task_seq`). `build`
/// makes the item for a number; `extra_meta` adds to the header update (task counts).
/// How a numbered item is created: which counter, the number the caller saw, what else the
/// header update does, and the checks that ride in the same transaction.
struct Numbered<'a> {
    counter: &'a str,
    seen: Option<u32>,
    extra_meta: Option<String>,
    checks: Vec<TransactWriteItem>,
}

async fn create_numbered(
    store: &Store,
    key: &ProjectKey,
    creator: &str,
    spec: Numbered<'_>,
    build: impl Fn(u32) -> Result<Item, DbError>,
) -> Result<u32, AppError> {
    let Numbered {
        counter,
        seen,
        extra_meta,
        checks,
    } = spec;
    let table = store.table();
    let pk = project_pk(key);
    let mut numbering = match seen {
        Some(s) => Numbering::Seen(s),
        None => Numbering::Reserved(0),
    };
    if let Numbering::Reserved(_) = numbering {
        if !is_member(store, key, creator).await? {
            return Err(AppError::NotFound);
        }
        numbering = Numbering::Reserved(reserve_number(store, key, counter).await?);
    }
    loop {
        let (number, meta) = match numbering {
            Numbering::Seen(s) => {
                let number = s + 1;
                let mut expr = format!("SET {counter} = :n");
                if let Some(extra) = &extra_meta {
                    expr.push_str(", ");
                    expr.push_str(extra);
                }
                let mut values: Values = vec![(":n", n(number)), (":seen", n(s))];
                if extra_meta.is_some() {
                    values.push((":one", n(1)));
                }
                (
                    number,
                    tx::update(
                        table,
                        &pk,
                        PROJECT_META_SK,
                        &expr,
                        &format!("{counter} = :seen"),
                        &[],
                        values,
                    )?,
                )
            }
            Numbering::Reserved(number) => {
                let expr = extra_meta.clone().map(|e| format!("SET {e}"));
                let item = match expr {
                    Some(expr) => tx::update(
                        table,
                        &pk,
                        PROJECT_META_SK,
                        &expr,
                        "attribute_exists(pk)",
                        &[],
                        vec![(":one", n(1))],
                    )?,
                    None => tx::exists(table, &pk, PROJECT_META_SK)?,
                };
                (number, item)
            }
        };
        if number > MAX_NUMBER {
            return Err(AppError::conflict(
                "This project has reached its maximum number of items.",
            ));
        }
        let mut items = vec![
            meta,
            tx::exists(table, &pk, &member_sk(creator))?,
            tx::create(table, build(number)?)?,
        ];
        items.extend(checks.iter().cloned());
        match store.transact(items).await {
            Ok(()) => return Ok(number),
            Err(e) if e.reason(1) == Some("ConditionalCheckFailed") => {
                return Err(AppError::NotFound)
            }
            Err(e)
                if (3..3 + checks.len()).any(|i| e.reason(i) == Some("ConditionalCheckFailed")) =>
            {
                return Err(AppError::validation(
                    "The story or the assignee is not part of this project.",
                ));
            }
            // Someone else took the number we saw: fall back to the atomic counter.
            Err(e)
                if matches!(numbering, Numbering::Seen(_))
                    && (e.reason(0) == Some("ConditionalCheckFailed")
                        || e.is_transaction_conflict()) =>
            {
                numbering = Numbering::Reserved(reserve_number(store, key, counter).await?);
            }
            Err(e) if e.is_transaction_conflict() => {
                tokio::time::sleep(std::time::Duration::from_millis(15)).await
            }
            Err(e) if e.reason(0) == Some("ConditionalCheckFailed") => {
                return Err(AppError::NotFound)
            }
            Err(e) => return Err(e.into()),
        }
    }
}

pub async fn create_story(
    store: &Store,
    key: &ProjectKey,
    creator: &str,
    title: String,
    description: String,
    seen_seq: Option<u32>,
) -> Result<Story, AppError> {
    let now = Utc::now();
    let pk = project_pk(key);
    let make = |number: u32| Story {
        number,
        title: title.clone(),
        description: description.clone(),
        created_at: now,
    };
    let spec = Numbered {
        counter: "story_seq",
        seen: seen_seq,
        extra_meta: None,
        checks: vec![],
    };
    let number = create_numbered(store, key, creator, spec, |number| {
        to_item(&StoryItem {
            pk: pk.clone(),
            sk: story_sk(number),
            story: make(number),
        })
    })
    .await?;
    Ok(make(number))
}

/// The fields of a task as a form sets them.
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

/// Checks, in the same transaction, that a task's story exists and its assignee is a member.
fn reference_checks(
    table: &str,
    key: &ProjectKey,
    f: &TaskFields,
    actor: &str,
) -> Result<Vec<TransactWriteItem>, DbError> {
    let pk = project_pk(key);
    let mut checks = Vec::new();
    if let Some(story) = f.story {
        checks.push(tx::exists(table, &pk, &story_sk(story))?);
    }
    if let Some(a) = f.assignee.as_deref().filter(|a| *a != actor) {
        checks.push(tx::exists(table, &pk, &member_sk(a))?);
    }
    Ok(checks)
}

pub async fn create_task(
    store: &Store,
    key: &ProjectKey,
    creator: &str,
    fields: TaskFields,
    seen_seq: Option<u32>,
) -> Result<Task, AppError> {
    let checks = reference_checks(store.table(), key, &fields, creator)?;
    let now = Utc::now();
    let pk = project_pk(key);
    let make = |number: u32| Task {
        key: key.clone(),
        number,
        title: fields.title.clone(),
        description: fields.description.clone(),
        story: fields.story,
        assignee: fields.assignee.clone(),
        start_date: fields.start_date,
        end_date: fields.end_date,
        status: fields.status,
        comment_count: 0,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let spec = Numbered {
        counter: "task_seq",
        seen: seen_seq,
        extra_meta: Some(counts_expr(fields.status, '+')),
        checks,
    };
    let number = create_numbered(store, key, creator, spec, |number| {
        to_item(&TaskItem {
            pk: pk.clone(),
            sk: task_sk(number),
            task: make(number),
        })
    })
    .await?;
    Ok(make(number))
}

async fn verify_references(
    store: &Store,
    key: &ProjectKey,
    f: &TaskFields,
    actor: &str,
) -> Result<(), AppError> {
    let pk = project_pk(key);
    let mut wanted = Vec::new();
    if let Some(story) = f.story {
        wanted.push((
            story_sk(story),
            "That story does not exist in this project.",
        ));
    }
    if let Some(a) = f.assignee.as_deref().filter(|a| *a != actor) {
        wanted.push((
            member_sk(a),
            "The assignee must be a member of the project.",
        ));
    }
    for (sk, msg) in wanted {
        let out = store
            .call(
                store
                    .client()
                    .get_item()
                    .table_name(store.table())
                    .key(PK, s(&pk))
                    .key(SK, s(&sk))
                    .projection_expression("pk")
                    .send(),
            )
            .await?;
        if out.item.is_none() {
            return Err(AppError::validation(msg));
        }
    }
    Ok(())
}

pub async fn get_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
) -> Result<Option<Task>, AppError> {
    let item = store.get(&project_pk(key), &task_sk(number), true).await?;
    Ok(item
        .map(|i| from_item::<TaskItem>(i).map(|t| t.task))
        .transpose()?)
}

/// Saves an edit made on version `seen_version` of a task whose status was `seen_status`.
/// If the task changed since, nothing is written and the current task is returned.
pub async fn edit_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    editor: &str,
    fields: TaskFields,
    seen_version: u64,
    seen_status: TaskStatus,
) -> Result<EditOutcome, AppError> {
    let table = store.table();
    let pk = project_pk(key);
    let now = Utc::now();
    let opt_s = |v: &Option<String>| v.clone().map(s).unwrap_or(AttributeValue::Null(true));
    let values: Values = vec![
        (":title", s(&fields.title)),
        (":desc", s(&fields.description)),
        (
            ":story",
            fields.story.map(n).unwrap_or(AttributeValue::Null(true)),
        ),
        (":assignee", opt_s(&fields.assignee)),
        (":start", opt_s(&fields.start_date.map(|d| d.to_string()))),
        (":end", opt_s(&fields.end_date.map(|d| d.to_string()))),
        (":st", s(fields.status.as_str())),
        (":now", s(now.to_rfc3339())),
        (":v", n(seen_version)),
        (":old", s(seen_status.as_str())),
        (":one", n(1)),
    ];
    let mut items = vec![
        tx::exists(table, &pk, &member_sk(editor))?,
        tx::update(
            table,
            &pk,
            &task_sk(number),
            "SET title = :title, description = :desc, story = :story, assignee = :assignee, \
             start_date = :start, end_date = :end, #st = :st, updated_at = :now, version = version + :one",
            "version = :v AND #st = :old",
            &[("#st", "status")],
            values,
        )?,
    ];
    if fields.status != seen_status {
        items.push(tx::update(
            table,
            &pk,
            PROJECT_META_SK,
            &format!(
                "SET {}, {}",
                counts_expr(seen_status, '-'),
                counts_expr(fields.status, '+')
            ),
            "attribute_exists(pk)",
            &[],
            vec![(":one", n(1))],
        )?);
    }
    let checks = reference_checks(table, key, &fields, editor)?;
    let first_check = items.len();
    items.extend(checks);
    match store.transact(items).await {
        Ok(()) => get_task(store, key, number)
            .await?
            .map(EditOutcome::Saved)
            .ok_or(AppError::NotFound),
        Err(e) if e.reason(0) == Some("ConditionalCheckFailed") => Err(AppError::NotFound),
        Err(e) if e.reason(1) == Some("ConditionalCheckFailed") => {
            match get_task(store, key, number).await? {
                Some(current) => Ok(EditOutcome::Changed(current)),
                None => Err(AppError::NotFound),
            }
        }
        Err(e)
            if (first_check..first_check + 2)
                .any(|i| e.reason(i) == Some("ConditionalCheckFailed")) =>
        {
            verify_references(store, key, &fields, editor).await?;
            Err(AppError::conflict(
                "The story or the assignee changed. Reload and try again.",
            ))
        }
        Err(e) if e.is_transaction_conflict() => Err(AppError::conflict(
            "Someone else is changing this task right now. Try again.",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Moves a task from `from` to `to` (any member), keeping the counts exact. Fails with a
/// conflict if the task is no longer in `from`.
pub async fn move_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    mover: &str,
    from: TaskStatus,
    to: TaskStatus,
) -> Result<(), AppError> {
    if from == to {
        return Ok(());
    }
    let table = store.table();
    let pk = project_pk(key);
    let items = vec![
        tx::exists(table, &pk, &member_sk(mover))?,
        tx::update(
            table,
            &pk,
            &task_sk(number),
            "SET #st = :to, updated_at = :now, version = version + :one",
            "#st = :from",
            &[("#st", "status")],
            vec![
                (":to", s(to.as_str())),
                (":from", s(from.as_str())),
                (":now", s(Utc::now().to_rfc3339())),
                (":one", n(1)),
            ],
        )?,
        tx::update(
            table,
            &pk,
            PROJECT_META_SK,
            &format!("SET {}, {}", counts_expr(from, '-'), counts_expr(to, '+')),
            "attribute_exists(pk)",
            &[],
            vec![(":one", n(1))],
        )?,
    ];
    let mut delay = 10;
    for attempt in 0..6 {
        match store.transact(items.clone()).await {
            Ok(()) => return Ok(()),
            Err(e) if e.reason(0) == Some("ConditionalCheckFailed") => {
                return Err(AppError::NotFound)
            }
            Err(e) if e.reason(1) == Some("ConditionalCheckFailed") => {
                return match get_task(store, key, number).await? {
                    Some(t) => Err(AppError::conflict(format!(
                        "{} is already {} (someone moved it). The board shows it where it is now.",
                        t.reference(),
                        t.status.label()
                    ))),
                    None => Err(AppError::NotFound),
                };
            }
            Err(e) if e.is_transaction_conflict() && attempt < 5 => {
                tokio::time::sleep(std::time::Duration::from_millis(
                    delay + rand::random::<u64>() % delay,
                ))
                .await;
                delay *= 2;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict("This task is busy. Try again."))
}

/// Deletes a task (project manager only) and then its comments.
pub async fn delete_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    actor: &str,
) -> Result<(), AppError> {
    delete_task_only(store, key, number, actor).await?;
    delete_comments(store, key, number).await
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CleanupTask {
    pk: String,
    sk: String,
    gsi2pk: String,
    gsi2sk: String,
    project: ProjectKey,
    number: u32,
}

/// The task's deletion alone: one transaction that updates the counts, deletes the task and
/// records the pending removal of its comments (finished by `delete_comments`, or by the
/// worker if this server stops first).
pub async fn delete_task_only(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    actor: &str,
) -> Result<(), AppError> {
    let table = store.table();
    let cleanup = to_item(&CleanupTask {
        pk: comments_pk(key, number),
        sk: CLEANUP_SK.into(),
        gsi2pk: CLEANUP_PENDING.into(),
        gsi2sk: newest_sk(&Utc::now(), &comments_pk(key, number)),
        project: key.clone(),
        number,
    })?;
    let pk = project_pk(key);
    for _ in 0..3 {
        let Some(task) = get_task(store, key, number).await? else {
            return Err(AppError::NotFound);
        };
        let items = vec![
            tx::update(
                table,
                &pk,
                PROJECT_META_SK,
                &format!("SET {}", counts_expr(task.status, '-')),
                "manager.id = :me",
                &[],
                vec![(":me", s(actor)), (":one", n(1))],
            )?,
            tx::delete(
                table,
                &pk,
                &task_sk(number),
                "#st = :st",
                &[("#st", "status")],
                vec![(":st", s(task.status.as_str()))],
            )?,
            tx::create(table, cleanup.clone())?,
        ];
        match store.transact(items).await {
            Ok(()) => return Ok(()),
            Err(e) if e.reason(0) == Some("ConditionalCheckFailed") => {
                return Err(manager_only(store, key, actor).await);
            }
            // It moved between our read and our delete: read again.
            Err(e)
                if e.reason(1) == Some("ConditionalCheckFailed") || e.is_transaction_conflict() =>
            {
                continue
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict("This task keeps changing. Try again."))
}

/// Removes a deleted task's comments, one page at a time, then its clean-up task.
pub async fn delete_comments(store: &Store, key: &ProjectKey, number: u32) -> Result<(), AppError> {
    use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
    let pk = comments_pk(key, number);
    loop {
        let query = store
            .client()
            .query()
            .table_name(store.table())
            .key_condition_expression("pk = :pk AND begins_with(sk, :c)")
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":c", s(COMMENT_PREFIX))
            .projection_expression("pk, sk")
            .limit(100);
        let keys = store.call(query.send()).await?.items.unwrap_or_default();
        if keys.is_empty() {
            let done = store
                .client()
                .delete_item()
                .table_name(store.table())
                .key(PK, s(&pk))
                .key(SK, s(CLEANUP_SK));
            store.call(done.send()).await?;
            return Ok(());
        }
        let writes = keys
            .into_iter()
            .map(|k| {
                let delete = DeleteRequest::builder()
                    .set_key(Some(k))
                    .build()
                    .map_err(AppError::internal)?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        store.batch_write(writes).await?;
    }
}

/// Comment clean-ups left unfinished (a server stopped half-way): for the worker.
pub async fn pending_cleanups(
    store: &Store,
    limit: i32,
) -> Result<Vec<(ProjectKey, u32)>, AppError> {
    let query = store
        .client()
        .query()
        .table_name(store.table())
        .index_name(GSI2)
        .key_condition_expression("gsi2pk = :pk")
        .expression_attribute_values(":pk", s(CLEANUP_PENDING))
        .limit(limit);
    let out = store.call(query.send()).await?;
    out.items
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            from_item::<CleanupTask>(i)
                .map(|t| (t.project, t.number))
                .map_err(AppError::from)
        })
        .collect()
}

/// Adds a comment (any member): the comment and the task's comment count in one transaction.
pub async fn add_comment(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    author: PersonRef,
    body: String,
) -> Result<Comment, AppError> {
    let table = store.table();
    let pk = project_pk(key);
    // At the key's precision, so that key order and time order agree.
    let created_at = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
    let comment = Comment {
        id: ulid::Ulid::new().to_string(),
        author,
        body,
        created_at,
    };
    let items = vec![
        tx::exists(table, &pk, &member_sk(&comment.author.id))?,
        tx::update(
            table,
            &pk,
            &task_sk(number),
            "SET comment_count = comment_count + :one",
            "attribute_exists(pk)",
            &[],
            vec![(":one", n(1))],
        )?,
        tx::create(
            table,
            to_item(&CommentItem {
                pk: comments_pk(key, number),
                sk: comment_sk(&comment.created_at, &comment.id),
                comment: comment.clone(),
            })?,
        )?,
    ];
    let mut delay = 10;
    for attempt in 0..6 {
        match store.transact(items.clone()).await {
            Ok(()) => return Ok(comment),
            Err(e)
                if e.reason(0) == Some("ConditionalCheckFailed")
                    || e.reason(1) == Some("ConditionalCheckFailed") =>
            {
                return Err(AppError::NotFound)
            }
            Err(e) if e.is_transaction_conflict() && attempt < 5 => {
                tokio::time::sleep(std::time::Duration::from_millis(
                    delay + rand::random::<u64>() % delay,
                ))
                .await;
                delay *= 2;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict("This task is busy. Try again."))
}

/// A task's comments, newest page first (the page itself is returned oldest first, for
/// reading); `next` continues with older comments.
pub async fn comments(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<Comment>, AppError> {
    let start = cursor::start(cursor, &[PK, SK])?;
    let out = store
        .call(
            store
                .client()
                .query()
                .table_name(store.table())
                .key_condition_expression("pk = :pk AND begins_with(sk, :c)")
                .expression_attribute_values(":pk", s(comments_pk(key, number)))
                .expression_attribute_values(":c", s(COMMENT_PREFIX))
                .scan_index_forward(false)
                .set_exclusive_start_key(start)
                .limit(limit.clamp(1, 100))
                .send(),
        )
        .await?;
    let mut items = out
        .items
        .unwrap_or_default()
        .into_iter()
        .map(|i| from_item::<CommentItem>(i).map(|c| c.comment))
        .collect::<Result<Vec<_>, _>>()?;
    items.reverse();
    let next = out
        .last_evaluated_key
        .filter(|_| !items.is_empty())
        .map(|k| cursor::encode(&cursor::key_strings(&k)));
    Ok(Page { items, next })
}

/// Adds a member (project manager only) with their invitation mail.
pub async fn add_member(
    store: &Store,
    key: &ProjectKey,
    actor: &str,
    member: Member,
    mail: OutboxMail,
) -> Result<(), AppError> {
    let table = store.table();
    let name = member.person.display_name.clone();
    let items = vec![
        tx::check(
            table,
            &project_pk(key),
            PROJECT_META_SK,
            "manager.id = :me",
            &[],
            vec![(":me", s(actor))],
        )?,
        tx::create(table, to_item(&member_item(key, member))?)?,
        outbox::put(table, &mail)?,
    ];
    let taken = AppError::conflict(format!("{name} is already a member of this project."));
    as_manager(store, key, actor, items, 1, taken).await
}

/// Runs a project manager's transaction whose item 0 checks that `actor` manages the project:
/// that check failing means 403 for a member and 404 for anyone else; a failed condition on
/// item `other_at` (the other person's membership) gives `other_error`.
async fn as_manager(
    store: &Store,
    key: &ProjectKey,
    actor: &str,
    items: Vec<TransactWriteItem>,
    other_at: usize,
    other_error: AppError,
) -> Result<(), AppError> {
    match store.transact(items).await {
        Ok(()) => Ok(()),
        Err(e) if e.reason(0) == Some("ConditionalCheckFailed") => {
            Err(manager_only(store, key, actor).await)
        }
        Err(e) if e.reason(other_at) == Some("ConditionalCheckFailed") => Err(other_error),
        Err(e) => Err(e.into()),
    }
}

async fn manager_only(store: &Store, key: &ProjectKey, actor: &str) -> AppError {
    match is_member(store, key, actor).await {
        Ok(true) => AppError::Forbidden,
        Ok(false) => AppError::NotFound,
        Err(e) => e,
    }
}

/// Removes a member (project manager only; the manager cannot remove themself).
pub async fn remove_member(
    store: &Store,
    key: &ProjectKey,
    actor: &str,
    user_id: &str,
) -> Result<(), AppError> {
    if actor == user_id {
        return Err(AppError::validation(
            "Hand the project manager role to someone else before leaving.",
        ));
    }
    let table = store.table();
    let pk = project_pk(key);
    let items = vec![
        tx::check(
            table,
            &pk,
            PROJECT_META_SK,
            "manager.id = :me",
            &[],
            vec![(":me", s(actor))],
        )?,
        tx::delete(
            table,
            &pk,
            &member_sk(user_id),
            "attribute_exists(pk)",
            &[],
            vec![],
        )?,
    ];
    let not_member = AppError::validation("That person is not a member.");
    as_manager(store, key, actor, items, 1, not_member).await
}

/// Hands the project manager role from `actor` to another member.
pub async fn transfer_manager(
    store: &Store,
    key: &ProjectKey,
    actor: &str,
    new_manager: &Member,
) -> Result<(), AppError> {
    if new_manager.person.id == actor {
        return Ok(());
    }
    let table = store.table();
    let pk = project_pk(key);
    let manager = to_item(&new_manager.person)?;
    let items = vec![
        tx::update(
            table,
            &pk,
            PROJECT_META_SK,
            "SET manager = :m, version = version + :one",
            "manager.id = :me",
            &[],
            vec![
                (":m", AttributeValue::M(manager)),
                (":me", s(actor)),
                (":one", n(1)),
            ],
        )?,
        tx::update(
            table,
            &pk,
            &member_sk(actor),
            "SET #r = :member",
            "attribute_exists(pk)",
            &[("#r", "role")],
            vec![(":member", s("member"))],
        )?,
        tx::update(
            table,
            &pk,
            &member_sk(&new_manager.person.id),
            "SET #r = :manager",
            "attribute_exists(pk)",
            &[("#r", "role")],
            vec![(":manager", s("manager"))],
        )?,
    ];
    let not_member = AppError::validation("That person is not a member.");
    as_manager(store, key, actor, items, 2, not_member).await
}

/// The members of a project as stored (for the manager's members page and tests).
pub async fn member(
    store: &Store,
    key: &ProjectKey,
    user_id: &str,
) -> Result<Option<Member>, AppError> {
    let item = store
        .get(&project_pk(key), &member_sk(user_id), true)
        .await?;
    Ok(item
        .map(|i| from_item::<MemberItem>(i).map(|m| m.member))
        .transpose()?)
}
