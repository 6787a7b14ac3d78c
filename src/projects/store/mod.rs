//! Projects in DynamoDB (patterns P1–P5). The project's partition holds its header, members,
//! stories and tasks, so that the scrum page is one Query; comments have a partition per task.
//!
//! Every write is one transaction that carries its own authorisation check (a ConditionCheck on
//! the caller's member item, or a condition on the manager) and its concurrency guard (a
//! version or a status condition), and keeps the header's status counts in step with the
//! tasks. A refused write comes back as a [`Refused`] outcome; `rules` decides what the user
//! is told. No policy and no user text here.

#[cfg(feature = "bench")]
mod bulk;
mod comments;
mod log;
mod members;
mod plan;
mod sprints;
mod tasks;

#[cfg(feature = "bench")]
pub use bulk::*;
pub use comments::*;
pub use log::*;
pub use members::*;
pub use plan::*;
pub use sprints::*;
pub use tasks::*;

use crate::db::keys::*;
use crate::db::outbox::{self, OutboxMail, Track};
use crate::db::{attr, from_item, key, DbError, Outcome, PageQuery, Refusal, SortKey, Store, Tx};
use crate::model::Page;
use crate::projects::model::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Why a Projects write was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// A project with this key exists.
    KeyTaken,
    /// The actor is not a member (or the project does not exist).
    NotMember,
    /// The actor does not manage the project.
    NotManager,
    TaskMissing,
    /// The task is no longer at the version or status the caller saw; it is this now (as the
    /// store read it, so the message needs no second read).
    TaskChanged(Box<Task>),
    /// The story named by the task is not in the project.
    StoryMissing,
    /// The assignee named by the task is not a member of the project.
    AssigneeNotMember,
    /// The other person is already a member.
    AlreadyMember,
    /// The other person is not a member.
    OtherNotMember,
    /// The project has used every number of its items.
    Full,
    /// Too many concurrent writes to this thing: the retries ran out.
    Busy(Busy),
    /// The sprint is completed (read-only) or does not exist.
    SprintClosed,
    /// The task's sprint is being completed: its tasks are moving.
    SprintClosing,
    /// The sprint was started already (or completed).
    NotPlanned,
    /// Another sprint is under way.
    AnotherActive,
    /// The sprint is not under way.
    NotActive,
    /// Unfinished work can go to the backlog or a planned sprint only.
    BadTarget,
}

/// What was being written when the retries ran out (each has its own words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    NewTask,
    NewStory,
    Task,
    Sprint,
    Comment,
}

pub(crate) fn refused<T>(r: Refused) -> Outcome<T, Refused> {
    Err(Refusal::Refused(r))
}

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

impl MemberItem {
    fn new(key: &ProjectKey, member: Member) -> Self {
        Self {
            pk: project_pk(key),
            sk: member_sk(&member.person.id),
            gsi1pk: user_projects_pk(&member.person.id),
            gsi1sk: key.as_str().to_owned(),
            member,
        }
    }
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
    /// Its place in the open work (or in its completed sprint), in the local index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lsi1sk: Option<String>,
    /// The title in lower case, for the search filter.
    #[serde(default)]
    search: String,
    #[serde(flatten)]
    task: Task,
}

impl TaskItem {
    fn new(pk: &str, task: Task) -> Self {
        Self {
            pk: pk.to_owned(),
            sk: task_sk(task.number),
            lsi1sk: Some(Self::lsi_key(&task)),
            search: task.title.to_lowercase(),
            task,
        }
    }

    fn lsi_key(t: &Task) -> String {
        match (t.archived, t.sprint) {
            (true, Some(sprint)) => done_key(sprint, &t.rank, t.number),
            _ => plan_key(t.sprint, &t.rank, t.number),
        }
    }
}

/// A project to create: its header, the people in it, and the mails to send them.
pub struct NewProject {
    pub project: Project,
    pub members: Vec<Member>,
    pub mails: Vec<OutboxMail>,
}

/// Creates the project, its members and their invitation mails in one transaction (P2). An
/// existing key is refused, never overwritten.
pub async fn create(store: &Store, new: NewProject) -> Outcome<(), Refused> {
    let key = new.project.key.clone();
    let mut tx = Tx::new(store);
    tx.create_value(
        "project",
        &MetaItem {
            pk: project_pk(&key),
            sk: PROJECT_META_SK.into(),
            project: new.project,
        },
    );
    for m in new.members {
        tx.create_value("member", &MemberItem::new(&key, m));
    }
    for mail in &new.mails {
        outbox::queue(&mut tx, mail);
    }
    match tx.run(store).await {
        Ok(()) => Ok(()),
        Err(e) if e.failed("project") => refused(Refused::KeyTaken),
        Err(e) => Err(Refusal::Db(e.into())),
    }
}

/// The head of a project's partition (P3): header, members, sprints and stories, in one
/// strongly consistent Query that reads no task. `None` when the project does not exist.
pub struct HeadData {
    pub project: Project,
    pub members: Vec<Member>,
    pub stories: Vec<Story>,
    pub sprints: Vec<Sprint>,
}

pub async fn head(store: &Store, key: &ProjectKey) -> Result<Option<HeadData>, DbError> {
    let pk = project_pk(key);
    let mut project = None;
    let (mut members, mut stories, mut sprints) = (Vec::new(), Vec::new(), Vec::new());
    let q = PageQuery::new(Index::Table, &pk)
        .sort_key(SortKey::Between(HEAD_FIRST, HEAD_LAST))
        .consistent()
        .unlimited();
    for item in store.all_items(q).await? {
        let Some(sk) = attr(&item, SK).map(str::to_owned) else {
            continue;
        };
        if sk == PROJECT_META_SK {
            project = Some(from_item::<MetaItem>(item)?.project);
        } else if sk.starts_with(MEMBER_PREFIX) {
            members.push(from_item::<MemberItem>(item)?.member);
        } else if sk.starts_with(STORY_PREFIX) {
            stories.push(from_item::<StoryItem>(item)?.story);
        } else if sk.starts_with(SPRINT_PREFIX) {
            sprints.push(from_item::<SprintItem>(item)?.sprint);
        }
    }
    Ok(project.map(|project| HeadData {
        project,
        members,
        stories,
        sprints,
    }))
}

/// The projects of one user with their status (P1): one Query on the members index, one
/// BatchGetItem of the project headers.
pub async fn my_projects(
    store: &Store,
    user_id: &str,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<DashboardRow>, DbError> {
    let pk = user_projects_pk(user_id);
    let q = PageQuery::new(Index::Gsi1, &pk).after(cursor).limit(limit);
    let (rows, next) = store.page::<MemberItem>(q).await?;
    let memberships: Vec<(ProjectKey, ProjectRole)> = rows
        .into_iter()
        .map(|m| {
            ProjectKey::parse(&m.gsi1sk)
                .map(|k| (k, m.member.role))
                .map_err(|e| DbError::Decode(e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    if memberships.is_empty() {
        return Ok(Page {
            items: Vec::new(),
            next,
        });
    }
    let keys = memberships
        .iter()
        .map(|(k, _)| key(project_pk(k), PROJECT_META_SK))
        .collect();
    let mut heads: HashMap<ProjectKey, Project> = HashMap::new();
    for item in store.batch_get(keys).await? {
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

/// The project's header alone.
pub async fn get_project(store: &Store, key: &ProjectKey) -> Result<Option<Project>, DbError> {
    Ok(store
        .get_as::<MetaItem>(&project_pk(key), PROJECT_META_SK, true)
        .await?
        .map(|m| m.project))
}

pub async fn get_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
) -> Result<Option<Task>, DbError> {
    Ok(store
        .get_as::<TaskItem>(&project_pk(key), &task_sk(number), true)
        .await?
        .map(|t| t.task))
}

/// A member of a project as stored.
pub async fn member(
    store: &Store,
    key: &ProjectKey,
    user_id: &str,
) -> Result<Option<Member>, DbError> {
    Ok(store
        .get_as::<MemberItem>(&project_pk(key), &member_sk(user_id), true)
        .await?
        .map(|m| m.member))
}

/// The item whose `invitation` attribute shows the delivery of `user_id`'s invitation mail.
pub fn member_track(key: &ProjectKey, user_id: &str) -> Track {
    Track {
        pk: project_pk(key),
        sk: member_sk(user_id),
    }
}

pub async fn is_member(store: &Store, key: &ProjectKey, user_id: &str) -> Result<bool, DbError> {
    store.exists(&project_pk(key), &member_sk(user_id)).await
}

/// The partitions a project page at `path` reads (so the partitions whose versions say whether
/// a copy of it still holds): the project's, and a task page's comments. None for any other
/// path (exports, unknown pages: never cached).
pub fn page_partitions(path: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix("/p/")?;
    let mut parts = rest.split('/');
    let key = ProjectKey::parse(parts.next()?).ok()?;
    let page: Vec<&str> = parts.collect();
    let project = project_pk(&key);
    match page.as_slice() {
        [] | ["backlog" | "board" | "activity" | "members"] => Some(vec![project]),
        ["sprints", n] if n.parse::<u32>().is_ok() => Some(vec![project]),
        [task] => {
            let task = TaskRef::parse(task).ok().filter(|t| t.key == key)?;
            Some(vec![project, comments_pk(&key, task.number)])
        }
        _ => None,
    }
}
