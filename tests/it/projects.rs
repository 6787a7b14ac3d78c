//! Projects against DynamoDB Local (and the SES emulator for invitations): patterns P1–P5
//! with their call budgets, concurrency, and who may do what.

use crate::common::*;
use minijira::accounts::model::SessionUser;
use minijira::db::Store;
use minijira::error::AppError;
use minijira::model::Delivery;
use minijira::projects::model::*;

/// The Projects rules in the shape these tests call them: ids and values, as a server
/// function passes them after parsing.
mod svc {
    use minijira::accounts::model::{PersonRef, SessionUser};
    use minijira::db::Store;
    use minijira::error::AppError;
    use minijira::projects::model::ProjectView;
    pub use minijira::projects::rules::{add_member, create_project, make_manager, task_page};

    pub fn session_person(u: &SessionUser) -> PersonRef {
        PersonRef::from(u)
    }

    pub async fn board(
        store: &Store,
        me: &SessionUser,
        key: &str,
    ) -> Result<ProjectView, AppError> {
        let key = minijira::projects::rules::project_key(key)?;
        minijira::projects::rules::board(store, &key, &me.id).await
    }
}

/// The Projects rules and store calls these tests make.
mod db {
    use minijira::accounts::model::PersonRef;
    use minijira::db::Store;
    use minijira::error::AppError;
    use minijira::model::Page;
    use minijira::projects::model::*;
    pub use minijira::projects::rules::{my_projects, remove_member};
    use minijira::projects::{rules, store};

    /// The person who acts, known here by id only (a server function passes the session's).
    pub fn actor(id: &str) -> PersonRef {
        PersonRef {
            id: id.to_owned(),
            handle: format!("h{}", id.to_lowercase()),
            display_name: format!("User {id}"),
        }
    }

    pub async fn create_task(
        s: &Store,
        key: &ProjectKey,
        creator: &str,
        fields: TaskFields,
        seen_seq: Option<u32>,
    ) -> Result<Task, AppError> {
        rules::create_task(s, key, &actor(creator), fields, seen_seq).await
    }

    pub async fn move_task(
        s: &Store,
        key: &ProjectKey,
        number: u32,
        mover: &str,
        from: TaskStatus,
        to: TaskStatus,
    ) -> Result<(), AppError> {
        rules::move_task(s, key, number, &actor(mover), from, to).await
    }

    pub async fn delete_task(
        s: &Store,
        key: &ProjectKey,
        number: u32,
        who: &str,
    ) -> Result<(), AppError> {
        rules::delete_task(s, key, number, &actor(who)).await
    }

    pub async fn delete_task_only(
        s: &Store,
        key: &ProjectKey,
        number: u32,
        who: &str,
    ) -> Result<(), AppError> {
        rules::delete_task_only(s, key, number, &actor(who)).await
    }

    /// The board as `viewer` sees it; `None` for a non-member (the rules say 404).
    pub async fn board(
        s: &Store,
        key: &ProjectKey,
        viewer: &str,
    ) -> Result<Option<ProjectView>, AppError> {
        match rules::board(s, key, viewer).await {
            Ok(b) => Ok(Some(b)),
            Err(AppError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn create_story(
        s: &Store,
        key: &ProjectKey,
        creator: &str,
        title: String,
        description: String,
        seen_seq: Option<u32>,
    ) -> Result<Story, AppError> {
        let f = StoryFields {
            title,
            description,
            seen_seq,
        };
        rules::create_story(s, key, creator, f).await
    }

    pub async fn edit_task(
        s: &Store,
        key: &ProjectKey,
        number: u32,
        editor: &str,
        fields: TaskFields,
        version: u64,
        status: TaskStatus,
    ) -> Result<EditOutcome, AppError> {
        rules::edit_task(
            s,
            key,
            number,
            &actor(editor),
            fields,
            Seen { version, status },
        )
        .await
    }

    pub async fn add_comment(
        s: &Store,
        key: &ProjectKey,
        number: u32,
        author: PersonRef,
        body: String,
    ) -> Result<Comment, AppError> {
        rules::add_comment(s, key, number, author, &body).await
    }

    pub async fn comments(
        s: &Store,
        key: &ProjectKey,
        number: u32,
        cursor: Option<&str>,
        limit: i32,
    ) -> Result<Page<Comment>, AppError> {
        Ok(store::comments(s, key, number, cursor, limit).await?)
    }

    pub async fn get_task(s: &Store, key: &ProjectKey, n: u32) -> Result<Option<Task>, AppError> {
        Ok(store::get_task(s, key, n).await?)
    }

    pub async fn pending_cleanups(
        s: &Store,
        limit: i32,
    ) -> Result<Vec<(ProjectKey, u32)>, AppError> {
        Ok(store::pending_cleanups(s, limit).await?)
    }
}

struct Team {
    store: Store,
    pm: SessionUser,
    member: SessionUser,
    outsider: SessionUser,
    key: ProjectKey,
}

async fn team() -> Team {
    let store = store().await;
    let pm = user(&store, "pm").await;
    let member = user(&store, "mem").await;
    let outsider = user(&store, "out").await;
    let key = ProjectKey::parse(&format!(
        "K{}",
        &unique("").chars().rev().take(6).collect::<String>()
    ))
    .unwrap();
    let form = NewProjectForm {
        key: key.to_string(),
        name: "Apollo".into(),
        description: "To the moon".into(),
        manager: String::new(),
        members: format!("@{}", member.handle),
    };
    svc::create_project(&store, "http://app", &pm, &form)
        .await
        .expect("project created");
    Team {
        store,
        pm,
        member,
        outsider,
        key,
    }
}

/// A task with only a title (To do, medium priority).
pub fn fields(title: &str) -> TaskFields {
    TaskFields {
        title: title.into(),
        description: String::new(),
        story: None,
        assignee: None,
        start_date: None,
        end_date: None,
        status: TaskStatus::Todo,
        points: None,
        priority: Priority::Medium,
    }
}

async fn recount(t: &Team) -> (StatusCounts, StatusCounts) {
    let board = db::board(&t.store, &t.key, &t.pm.id)
        .await
        .unwrap()
        .unwrap();
    let mut actual = StatusCounts::default();
    for task in &board.tasks {
        actual.add(task.status, 1);
    }
    (board.project.counts, actual)
}

#[tokio::test]
async fn create_project_members_and_board_in_two_queries() {
    let t = team().await;
    let (st, calls) = counted(&t.store);
    let board = db::board(&st, &t.key, &t.member.id)
        .await
        .unwrap()
        .expect("member sees the board");
    assert_eq!(
        calls.calls(),
        2,
        "P3: one Query of the project's head, one of a page of its tasks"
    );
    assert_eq!(board.project.name, "Apollo");
    assert_eq!(board.project.manager.id, t.pm.id);
    assert_eq!(board.my_role, ProjectRole::Member);
    assert_eq!(board.members.len(), 2);
    assert_eq!(
        board.members[0].role,
        ProjectRole::Manager,
        "manager listed first"
    );
    let invited = board.member(&t.member.id).unwrap();
    assert_eq!(invited.invitation, Some(Delivery::Queued));
    assert_eq!(
        board.member(&t.pm.id).unwrap().invitation,
        None,
        "the creator is not invited"
    );
    assert!(
        db::board(&t.store, &t.key, &t.outsider.id)
            .await
            .unwrap()
            .is_none(),
        "outsiders see nothing"
    );
    assert!(matches!(
        svc::board(&t.store, &t.outsider, t.key.as_str()).await,
        Err(AppError::NotFound)
    ));
}

#[tokio::test]
async fn an_existing_key_is_refused_never_overwritten() {
    let t = team().await;
    let form = NewProjectForm {
        key: t.key.as_str().to_lowercase(),
        name: "Imposter".into(),
        ..Default::default()
    };
    match svc::create_project(&t.store, "http://app", &t.outsider, &form).await {
        Err(AppError::Conflict(msg)) => assert!(msg.contains("is taken"), "{msg}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let board = db::board(&t.store, &t.key, &t.pm.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(board.project.name, "Apollo");
    assert_eq!(board.members.len(), 2);

    let bad = NewProjectForm {
        key: "X".into(),
        name: "n".into(),
        ..Default::default()
    };
    assert!(matches!(
        svc::create_project(&t.store, "http://app", &t.pm, &bad).await,
        Err(AppError::Validation(_))
    ));
    let unknown = NewProjectForm {
        key: "NEWONE".into(),
        name: "n".into(),
        members: "nobody_at_all".into(),
        ..Default::default()
    };
    match svc::create_project(&t.store, "http://app", &t.pm, &unknown).await {
        Err(AppError::Validation(msg)) => assert!(msg.contains("@nobody_at_all"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn dashboard_lists_my_projects_with_counts_in_two_calls() {
    let t = team().await;
    db::create_task(&t.store, &t.key, &t.member.id, fields("a"), Some(0))
        .await
        .unwrap();
    let mut second = fields("b");
    second.status = TaskStatus::InReview;
    db::create_task(&t.store, &t.key, &t.member.id, second, Some(1))
        .await
        .unwrap();
    let other = NewProjectForm {
        key: format!("Z{}", &t.key.as_str()[1..]),
        name: "Zeta".into(),
        ..Default::default()
    };
    svc::create_project(&t.store, "http://app", &t.member, &other)
        .await
        .unwrap();

    let (st, calls) = counted(&t.store);
    let page = db::my_projects(&st, &t.member.id, None, 50).await.unwrap();
    assert_eq!(calls.calls(), 2, "P1: a Query and a BatchGetItem");
    assert_eq!(page.items.len(), 2);
    let apollo = page.items.iter().find(|r| r.project.key == t.key).unwrap();
    assert_eq!(apollo.my_role, ProjectRole::Member);
    assert_eq!(
        (apollo.project.counts.todo, apollo.project.counts.in_review),
        (1, 1)
    );
    let zeta = page.items.iter().find(|r| r.project.key != t.key).unwrap();
    assert_eq!(zeta.my_role, ProjectRole::Manager);
    assert!(db::my_projects(&t.store, &t.outsider.id, None, 50)
        .await
        .unwrap()
        .items
        .is_empty());

    // Paged: one project per page still returns both, each once.
    let first = db::my_projects(&t.store, &t.member.id, None, 1)
        .await
        .unwrap();
    let second = db::my_projects(&t.store, &t.member.id, first.next.as_deref(), 1)
        .await
        .unwrap();
    assert_eq!(first.items.len() + second.items.len(), 2);
    assert_ne!(first.items[0].project.key, second.items[0].project.key);
}

#[tokio::test]
async fn stories_tasks_and_comments_each_take_one_write() {
    let t = team().await;
    let (st, calls) = counted(&t.store);
    let story = db::create_story(
        &st,
        &t.key,
        &t.member.id,
        "Login".into(),
        String::new(),
        Some(0),
    )
    .await
    .unwrap();
    assert_eq!(
        (story.number, calls.calls()),
        (1, 1),
        "P5 story: one transaction"
    );

    let mut f = fields("Build the form");
    f.story = Some(1);
    f.assignee = Some(t.pm.id.clone());
    let (st, calls) = counted(&t.store);
    let task = db::create_task(&st, &t.key, &t.member.id, f, Some(0))
        .await
        .unwrap();
    assert_eq!(
        (task.reference(), calls.calls()),
        (format!("{}-1", t.key), 2),
        "P5 task: one Query for the backlog's last rank, one transaction"
    );

    let (st, calls) = counted(&t.store);
    db::add_comment(
        &st,
        &t.key,
        1,
        svc::session_person(&t.member),
        "first".into(),
    )
    .await
    .unwrap();
    assert_eq!(calls.calls(), 1, "P5 comment: one transaction");

    let (st, calls) = counted(&t.store);
    db::move_task(
        &st,
        &t.key,
        1,
        &t.member.id,
        TaskStatus::Todo,
        TaskStatus::InProgress,
    )
    .await
    .unwrap();
    assert_eq!(
        calls.calls(),
        2,
        "P5 status change: a read of the task (its points and sprint feed the burndown) and one transaction"
    );

    for i in 0..35 {
        db::add_comment(
            &t.store,
            &t.key,
            1,
            svc::session_person(&t.pm),
            format!("c{i}"),
        )
        .await
        .unwrap();
    }
    let (st, calls) = counted(&t.store);
    let page = svc::task_page(&st, &t.member, &task.reference(), None)
        .await
        .unwrap();
    assert_eq!(
        calls.calls(),
        4,
        "P4: the project's head, the task, a page of comments and its history, concurrently"
    );
    assert_eq!(page.task.comment_count, 36);
    assert_eq!(page.comments.len(), 30);
    assert_eq!(page.comments.last().unwrap().body, "c34", "newest last");
    let older = db::comments(&t.store, &t.key, 1, page.next.as_deref(), 30)
        .await
        .unwrap();
    assert_eq!(older.items.len(), 6);
    assert_eq!(older.items[0].body, "first");
    assert!(older.next.is_none());

    // A story or assignee outside the project is refused.
    let mut bad = fields("x");
    bad.story = Some(99);
    assert!(matches!(
        db::create_task(&t.store, &t.key, &t.member.id, bad, None).await,
        Err(AppError::Validation(_))
    ));
    let mut bad = fields("x");
    bad.assignee = Some(t.outsider.id.clone());
    assert!(matches!(
        db::create_task(&t.store, &t.key, &t.member.id, bad, Some(1)).await,
        Err(AppError::Validation(_))
    ));
    let (counts, actual) = recount(&t).await;
    assert_eq!(counts, actual);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_task_creations_get_unique_numbers() {
    let t = team().await;
    let mut handles = Vec::new();
    for i in 0..20 {
        let (store, key, who) = (
            t.store.clone(),
            t.key.clone(),
            if i % 2 == 0 {
                t.pm.id.clone()
            } else {
                t.member.id.clone()
            },
        );
        // Every creator saw the same counter: all but one lose the number and try the next.
        handles.push(tokio::spawn(async move {
            db::create_task(&store, &key, &who, fields(&format!("t{i}")), Some(0)).await
        }));
    }
    let mut numbers = Vec::new();
    for h in handles {
        numbers.push(h.await.unwrap().expect("every creation succeeds").number);
    }
    numbers.sort();
    let before = numbers.len();
    numbers.dedup();
    assert_eq!(numbers.len(), before, "no number given twice: {numbers:?}");
    // And gap-free: the number is taken inside the creating transaction (a retried one is
    // applied once; see review::task_numbers_have_no_gaps_when_answers_are_lost).
    assert_eq!(numbers, (1..=20).collect::<Vec<_>>(), "no gaps");
    let board = db::board(&t.store, &t.key, &t.pm.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(board.tasks.len(), 20, "one task per creation");
    assert!(
        board.project.task_seq >= numbers[19],
        "the counter is past every number"
    );
    assert_eq!(board.project.counts.todo, 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_status_changes_keep_counts_exact() {
    let t = team().await;
    for i in 0..5 {
        db::create_task(&t.store, &t.key, &t.pm.id, fields(&format!("t{i}")), None)
            .await
            .unwrap();
    }
    let mut handles = Vec::new();
    for i in 0..20u32 {
        let (store, key, who) = (t.store.clone(), t.key.clone(), t.member.id.clone());
        let to = TaskStatus::ALL[(i as usize % 3) + 1];
        // Several movers of one task race from the same status: one wins, the others are told.
        handles.push(tokio::spawn(async move {
            db::move_task(&store, &key, i % 5 + 1, &who, TaskStatus::Todo, to).await
        }));
    }
    let mut won = 0;
    let mut told = Vec::new();
    for (i, h) in handles.into_iter().enumerate() {
        match h.await.unwrap() {
            Ok(()) => won += 1,
            Err(AppError::Conflict(m)) => told.push((i as u32 % 5 + 1, m)),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won, 5, "each task left To do exactly once");
    // Each loser is told where its task is now (the winner's status), not that it is busy.
    for (n, message) in told {
        let now = db::get_task(&t.store, &t.key, n).await.unwrap().unwrap();
        assert_eq!(
            message,
            format!(
                "{}-{n} is already {} (someone moved it). The board shows it where it is now.",
                t.key,
                now.status.label()
            )
        );
    }
    let (counts, actual) = recount(&t).await;
    assert_eq!(counts, actual, "dashboard counts equal a recount");
    assert_eq!(counts.todo, 0);
    let page = db::my_projects(&t.store, &t.member.id, None, 50)
        .await
        .unwrap();
    assert_eq!(page.items[0].project.counts, actual);
}

#[tokio::test]
async fn a_concurrent_edit_is_detected_with_the_new_values() {
    let t = team().await;
    let task = db::create_task(&t.store, &t.key, &t.pm.id, fields("Original"), None)
        .await
        .unwrap();
    let mut mine = fields("PM's title");
    mine.status = TaskStatus::InProgress;
    let saved = db::edit_task(
        &t.store,
        &t.key,
        1,
        &t.pm.id,
        mine,
        task.version,
        TaskStatus::Todo,
    )
    .await
    .unwrap();
    let EditOutcome::Saved(saved) = saved else {
        panic!("first edit saves")
    };
    assert_eq!((saved.version, saved.status), (2, TaskStatus::InProgress));

    let theirs = fields("Member's title");
    match db::edit_task(
        &t.store,
        &t.key,
        1,
        &t.member.id,
        theirs,
        task.version,
        TaskStatus::Todo,
    )
    .await
    .unwrap()
    {
        EditOutcome::Changed(current) => {
            assert_eq!(current.title, "PM's title");
            assert_eq!(current.version, 2);
        }
        EditOutcome::Saved(_) => panic!("a stale edit must not overwrite"),
    }
    let (counts, actual) = recount(&t).await;
    assert_eq!(counts, actual);
    assert_eq!(counts.in_progress, 1);
}

#[tokio::test]
async fn only_the_project_manager_deletes_and_comments_go_with_the_task() {
    let t = team().await;
    db::create_task(&t.store, &t.key, &t.member.id, fields("doomed"), None)
        .await
        .unwrap();
    for i in 0..30 {
        db::add_comment(
            &t.store,
            &t.key,
            1,
            svc::session_person(&t.member),
            format!("c{i}"),
        )
        .await
        .unwrap();
    }
    assert_eq!(
        db::delete_task(&t.store, &t.key, 1, &t.member.id).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        db::delete_task(&t.store, &t.key, 1, &t.outsider.id).await,
        Err(AppError::NotFound)
    );
    db::delete_task(&t.store, &t.key, 1, &t.pm.id)
        .await
        .unwrap();
    assert!(db::get_task(&t.store, &t.key, 1).await.unwrap().is_none());
    assert_eq!(
        count_pk_prefix(&t.store, &format!("P#{}#T#", t.key)).await,
        0,
        "its comments are gone"
    );
    let (counts, actual) = recount(&t).await;
    assert_eq!((counts, counts.total()), (actual, 0));
    // Numbers are never reused.
    let next = db::create_task(&t.store, &t.key, &t.pm.id, fields("next"), None)
        .await
        .unwrap();
    assert_eq!(next.number, 2);
}

/// Every project operation as an outsider, a member and the manager.
#[tokio::test]
async fn authorisation_matrix() {
    let t = team().await;
    db::create_task(&t.store, &t.key, &t.pm.id, fields("seed"), None)
        .await
        .unwrap();
    let s = &t.store;
    let k = &t.key;
    let r = format!("{k}-1");
    let extra = user(s, "xtra").await;

    for (who, role) in [
        (&t.outsider, "outsider"),
        (&t.member, "member"),
        (&t.pm, "pm"),
    ] {
        let id = &who.id;
        let results: Vec<(&str, Result<(), AppError>)> = vec![
            ("board", svc::board(s, who, k.as_str()).await.map(|_| ())),
            (
                "task page",
                svc::task_page(s, who, &r, None).await.map(|_| ()),
            ),
            (
                "create story",
                db::create_story(s, k, id, "s".into(), String::new(), None)
                    .await
                    .map(|_| ()),
            ),
            (
                "create task",
                db::create_task(s, k, id, fields("t"), None)
                    .await
                    .map(|_| ()),
            ),
            (
                "edit task",
                db::edit_task(
                    s,
                    k,
                    1,
                    id,
                    fields("edited"),
                    db::get_task(s, k, 1).await.unwrap().unwrap().version,
                    TaskStatus::Todo,
                )
                .await
                .map(|_| ()),
            ),
            (
                "move task",
                async {
                    db::move_task(s, k, 1, id, TaskStatus::Todo, TaskStatus::Done).await?;
                    db::move_task(s, k, 1, id, TaskStatus::Done, TaskStatus::Todo).await
                }
                .await,
            ),
            (
                "comment",
                db::add_comment(s, k, 1, svc::session_person(who), "hi".into())
                    .await
                    .map(|_| ()),
            ),
            (
                "add member",
                svc::add_member(s, "http://app", who, k.as_str(), &extra.handle).await,
            ),
            (
                "remove member",
                db::remove_member(s, k, id, &extra.id).await,
            ),
            (
                "make manager",
                svc::make_manager(s, who, k.as_str(), &t.pm.id).await,
            ),
            (
                "delete task",
                async {
                    let n = db::create_task(s, k, &t.pm.id, fields("to delete"), None)
                        .await?
                        .number;
                    db::delete_task(s, k, n, id).await
                }
                .await,
            ),
        ];
        for (op, result) in results {
            let manager_only = matches!(
                op,
                "add member" | "remove member" | "make manager" | "delete task"
            );
            match (role, manager_only, &result) {
                ("outsider", _, Err(AppError::NotFound)) => {}
                ("member", true, Err(AppError::Forbidden)) => {}
                ("member", false, Ok(())) => {}
                ("pm", _, Ok(())) => {}
                _ => panic!("{op} as {role}: unexpected {result:?}"),
            }
        }
    }
    let (counts, actual) = recount(&t).await;
    assert_eq!(counts, actual);
}

#[tokio::test]
async fn invitations_wait_while_ses_is_down_then_are_all_delivered_once() {
    let mut state = state().await;
    let store = state.kit.store.clone();
    let pm = user(&store, "inv").await;
    let a = user(&store, "inva").await;
    let b = user(&store, "invb").await;
    let key = format!("I{}", &unique("").chars().rev().take(6).collect::<String>());
    let form = NewProjectForm {
        key: key.clone(),
        name: "Mailers".into(),
        members: format!("{} {}", a.handle, b.handle),
        ..Default::default()
    };
    svc::create_project(&store, "http://app", &pm, &form)
        .await
        .unwrap();
    let key = ProjectKey::parse(&key).unwrap();

    // SES down: a closed port.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let down = minijira::server::state::aws_clients(&clap_config(&closed))
        .await
        .1;
    let down =
        minijira::platform::mail::Mailer::new(down, "minijira <no-reply@minijira.local>".into());
    let now = chrono::Utc::now();
    let attempted = minijira::server::worker::run_once(&store, &down, now, &Default::default())
        .await
        .unwrap();
    assert!(attempted >= 2);
    let board = db::board(&store, &key, &pm.id).await.unwrap().unwrap();
    assert_eq!(
        board.member(&a.id).unwrap().invitation,
        Some(Delivery::Queued),
        "still queued while SES is down"
    );

    // SES back: after the backoff, everything is delivered.
    let later = now + chrono::Duration::hours(1);
    state.kit.mailer = state.kit.mailer.clone();
    minijira::server::worker::run_once(&store, &state.kit.mailer, later, &Default::default())
        .await
        .unwrap();
    minijira::server::worker::run_once(
        &store,
        &state.kit.mailer,
        later + chrono::Duration::hours(1),
        &Default::default(),
    )
    .await
    .unwrap();
    let board = db::board(&store, &key, &pm.id).await.unwrap().unwrap();
    for who in [&a, &b] {
        assert_eq!(
            board.member(&who.id).unwrap().invitation,
            Some(Delivery::Sent)
        );
    }
    let ses = std::env::var("MINIJIRA_TEST_SES").expect("set by make test");
    let mails = http_get(&ses, "/store").await;
    for who in [&a, &b] {
        let addr = format!("{}@example.org", who.handle);
        assert_eq!(
            mails.matches(&addr).count(),
            1,
            "one mail to {addr}: {mails}"
        );
    }
    assert!(mails.contains("You have been added to project Mailers"));
}

fn clap_config(ses: &str) -> minijira::server::config::Config {
    use clap::Parser;
    minijira::server::cli::Cli::try_parse_from([
        "minijira",
        "--ses-endpoint",
        ses,
        "--region",
        "us-east-1",
    ])
    .unwrap()
    .config
}

/// A deletion whose comment clean-up was interrupted (the server stopped after the transaction)
/// is finished by the worker: the pending task is written in the deletion's transaction.
#[tokio::test]
async fn an_interrupted_task_deletion_is_finished_by_the_worker() {
    let t = team().await;
    db::create_task(&t.store, &t.key, &t.pm.id, fields("half-deleted"), None)
        .await
        .unwrap();
    for i in 0..120 {
        db::add_comment(
            &t.store,
            &t.key,
            1,
            svc::session_person(&t.pm),
            format!("c{i}"),
        )
        .await
        .unwrap();
    }
    db::delete_task_only(&t.store, &t.key, 1, &t.pm.id)
        .await
        .unwrap();
    assert!(db::get_task(&t.store, &t.key, 1).await.unwrap().is_none());
    let prefix = format!("P#{}#T#", t.key);
    assert_eq!(
        count_pk_prefix(&t.store, &prefix).await,
        121,
        "120 comments and the pending clean-up are left"
    );
    let pending = db::pending_cleanups(&t.store, 100).await.unwrap();
    assert!(pending.contains(&(t.key.clone(), 1)), "{pending:?}");

    minijira::projects::background::resume_cleanups(&t.store).await;
    assert_eq!(count_pk_prefix(&t.store, &prefix).await, 0, "all gone");
    assert!(!db::pending_cleanups(&t.store, 100)
        .await
        .unwrap()
        .contains(&(t.key.clone(), 1)));
}
