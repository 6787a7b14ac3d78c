//! `minijira-bench`: the data for `make bench`, outside the production server (built only
//! with the `bench` feature). A realistic data set written through the app's own write paths
//! (the same transactions a user's clicks make), and the pieces of the scaling check. Each
//! phase prints one JSON line that tells the benchmark where its pages are.

use chrono::Duration;
use clap::Parser;
use futures::stream::{self, StreamExt, TryStreamExt};
use leptos::server_fn::ServerFn;
use minijira::accounts::model::*;
use minijira::accounts::store::{self as users, User};
use minijira::db::{schema, Store};
use minijira::error::AppError;
use minijira::messages::{model::pair_id, rules as messages, store::bulk_load};
use minijira::projects::model::*;
use minijira::projects::rules as projects;
use minijira::server::config::Config;
use minijira::sitters::model::*;
use minijira::sitters::store as sitters;
use serde_json::json;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "minijira-bench",
    about = "Writes the benchmark's data set; prints where its pages are, as JSON"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[arg(value_enum)]
    phase: Phase,
    #[command(flatten)]
    plan: Plan,
}

#[tokio::main]
async fn main() -> ExitCode {
    minijira::server::telemetry::init();
    let cli = Cli::parse();
    let (ddb, _) = minijira::server::state::aws_clients(&cli.config).await;
    let store = Store::new(ddb, cli.config.table_name.clone());
    let result = async {
        schema::ensure_table(&store).await?;
        run(&store, cli.phase, &cli.plan).await
    }
    .await;
    match result {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("minijira-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The password of every benchmark account.
pub const BENCH_PASSWORD: &str = "minijira-bench";

/// How much to create (defaults: the "realistic data set").
#[derive(clap::Args, Debug, Clone)]
pub struct Plan {
    #[arg(long, default_value_t = 200)]
    pub users: usize,
    #[arg(long, default_value_t = 50)]
    pub projects: usize,
    #[arg(long, default_value_t = 100)]
    pub tasks: usize,
    #[arg(long, default_value_t = 500)]
    pub conversations: usize,
    #[arg(long, default_value_t = 10_000)]
    pub long_conversation: usize,
    #[arg(long, default_value_t = 1_000)]
    pub jobs: usize,
    /// Items written by the `filler` phase.
    #[arg(long, default_value_t = 100_000)]
    pub filler: usize,
    /// Writes in flight at once.
    #[arg(long, default_value_t = 12)]
    pub concurrency: usize,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum Phase {
    /// The scaling check's subject: two people, a project of `tasks` tasks, a conversation.
    Scale,
    /// `filler` items in other partitions (messages of other conversations).
    Filler,
    /// The realistic data set.
    Full,
}

pub async fn run(store: &Store, phase: Phase, plan: &Plan) -> Result<serde_json::Value, AppError> {
    let started = std::time::Instant::now();
    let mut out = match phase {
        Phase::Scale => scale(store, plan).await?,
        Phase::Filler => filler(store, plan).await?,
        Phase::Full => full(store, plan).await?,
    };
    out["seconds"] = json!(started.elapsed().as_secs_f64());
    out["items_in_table"] = json!(item_count(store).await?);
    out["sign_in_path"] = json!(minijira::accounts::api::SignIn::PATH);
    out["password"] = json!(BENCH_PASSWORD);
    Ok(out)
}

/// The table's item count as DynamoDB reports it (DynamoDB Local: exact).
async fn item_count(store: &Store) -> Result<i64, AppError> {
    let table = schema::describe(store).await?;
    Ok(table.and_then(|t| t.item_count).unwrap_or(0))
}

async fn accounts(
    store: &Store,
    names: Vec<(String, AccountKind)>,
    concurrency: usize,
) -> Result<Vec<User>, AppError> {
    let hash = minijira::accounts::password::hash(BENCH_PASSWORD.to_owned()).await?;
    stream::iter(names)
        .map(|(handle, kind)| {
            let hash = hash.clone();
            async move {
                let display = format!("{} {}", capitalised(&handle), "Bench");
                users::create(
                    store,
                    users::NewUser {
                        id: None,
                        confirmation: None,
                        email: Email::parse(&format!("{handle}@bench.example.com"))?,
                        handle: Handle::parse(&handle)?,
                        display_name: DisplayName::parse(&display)?,
                        kind,
                        password_hash: hash,
                    },
                )
                .await
                .map_err(|_| AppError::Internal)
            }
        })
        .buffered(concurrency)
        .try_collect()
        .await
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

const TITLES: [&str; 8] = [
    "Checkout form validation for company invoices",
    "Search results page keeps the filters",
    "Order history export to CSV",
    "Password reset mail with a one-hour link",
    "Product images load lazily below the fold",
    "Shipping cost estimate before sign-in",
    "Admin can refund part of an order",
    "Accessibility pass on the cart page",
];

/// A project of `tasks` tasks (a few stories, statuses spread, assignees among the members),
/// each task with `i % 5` comments (two on average).
async fn project(
    store: &Store,
    manager: &User,
    members: &[&User],
    key: &str,
    tasks: usize,
    comments: bool,
) -> Result<(), AppError> {
    let form = NewProjectForm {
        key: key.into(),
        name: format!("Project {key}"),
        description: "A benchmark project: stories, a hundred tasks, comments.".into(),
        manager: String::new(),
        members: members
            .iter()
            .map(|m| m.handle.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let key =
        projects::create_project(store, "http://127.0.0.1:3000", &manager.session(), &form).await?;
    for (i, title) in ["Checkout", "Catalogue", "Accounts"].iter().enumerate() {
        let story = StoryFields {
            title: (*title).into(),
            description: "A story of the benchmark project.".into(),
            seen_seq: Some(i as u32),
        };
        projects::create_story(store, &key, &manager.id, story).await?;
    }
    let people: Vec<&User> = std::iter::once(manager)
        .chain(members.iter().copied())
        .collect();
    for i in 0..tasks {
        let fields = TaskFields {
            title: format!("{} ({})", TITLES[i % TITLES.len()], i + 1),
            description: "As a customer I want this to work the way I expect, so that I can \
                          finish my order without calling support. Acceptance: the happy path \
                          and the two error cases in the ticket."
                .into(),
            story: (i % 4 != 3).then_some((i % 3) as u32 + 1),
            assignee: Some(people[i % people.len()].id.clone()),
            start_date: None,
            end_date: None,
            status: TaskStatus::ALL[i % TaskStatus::ALL.len()],
            points: Some(POINTS[i % POINTS.len()]),
            priority: Priority::ALL[i % Priority::ALL.len()],
        };
        let task =
            projects::create_task(store, &key, &manager.person(), fields, Some(i as u32)).await?;
        if comments {
            for c in 0..(i % 5) {
                let author = people[(i + c) % people.len()];
                projects::add_comment(
                    store,
                    &key,
                    task.number,
                    author.person(),
                    &format!("Comment {c}: checked on staging, looks right to me."),
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// A conversation with `count` messages in its history and a few recent ones sent normally.
async fn long_conversation(
    store: &Store,
    a: &PersonRef,
    b: &PersonRef,
    count: usize,
) -> Result<String, AppError> {
    let id = messages::start(store, a, b).await?;
    bulk_load(store, &id, a, count, store.now() - Duration::days(30)).await?;
    for (from, to, text) in [(a, b, "Are we on for the demo?"), (b, a, "Yes, at three.")] {
        send(store, &id, from, to, text).await?;
    }
    Ok(id)
}

async fn scale(store: &Store, plan: &Plan) -> Result<serde_json::Value, AppError> {
    let people = accounts(
        store,
        vec![
            ("scale_a".into(), AccountKind::Member),
            ("scale_b".into(), AccountKind::Member),
        ],
        2,
    )
    .await?;
    let (a, b) = (&people[0], &people[1]);
    project(store, a, &[b], "SCALE", plan.tasks, false).await?;
    let conversation = long_conversation(store, &a.person(), &b.person(), 200).await?;
    Ok(json!({
        "email": a.email,
        "pages": [
            ["scrum", "/p/SCALE"],
            ["conversation", format!("/messages/{conversation}")],
        ]
    }))
}

/// Messages of other conversations, 1,000 per conversation.
async fn filler(store: &Store, plan: &Plan) -> Result<serde_json::Value, AppError> {
    let author = PersonRef {
        id: "filler".into(),
        handle: "filler".into(),
        display_name: "Filler".into(),
    };
    let per = 1_000;
    let mut left = plan.filler;
    let mut k = 0;
    while left > 0 {
        let n = left.min(per);
        let id = pair_id(&format!("filler{k:05}a"), &format!("filler{k:05}b"));
        bulk_load(store, &id, &author, n, store.now() - Duration::days(60)).await?;
        left -= n;
        k += 1;
    }
    Ok(json!({ "written": plan.filler }))
}

/// Loads the whole benchmark data set.
///
/// Longer than 80 lines on purpose: one sequence of loads whose counts feed each other (users,
/// then projects, conversations, jobs), printed as it goes; a benchmark tool, not a request path.
async fn full(store: &Store, plan: &Plan) -> Result<serde_json::Value, AppError> {
    let n = plan.users.max(10);
    // A half of members, a quarter of parents, a quarter of nannies.
    let names = (1..=n)
        .map(|i| {
            let kind = if i <= n / 2 {
                AccountKind::Member
            } else if i <= n * 3 / 4 {
                AccountKind::Parent
            } else {
                AccountKind::Nanny
            };
            (format!("bench{i:03}"), kind)
        })
        .collect();
    let people = accounts(store, names, plan.concurrency).await?;
    let members: Vec<&User> = people
        .iter()
        .filter(|u| u.kind == AccountKind::Member)
        .collect();
    let parents: Vec<&User> = people
        .iter()
        .filter(|u| u.kind == AccountKind::Parent)
        .collect();
    let nannies: Vec<&User> = people
        .iter()
        .filter(|u| u.kind == AccountKind::Nanny)
        .collect();
    let me = members[0];
    tracing::info!("{} accounts", people.len());

    // Projects: each managed by a different member, with seven others; the measured user is in
    // every one (the fullest dashboard page).
    stream::iter(0..plan.projects)
        .map(|p| {
            let manager = members[p % members.len()];
            let mut team: Vec<&User> = (1..=7)
                .map(|j| members[(p * 7 + j) % members.len()])
                .filter(|u| u.id != manager.id && u.id != me.id)
                .collect();
            if manager.id != me.id {
                team.push(me);
            }
            team.dedup_by(|x, y| x.id == y.id);
            async move {
                project(
                    store,
                    manager,
                    &team,
                    &format!("BENCH{:02}", p + 1),
                    plan.tasks,
                    true,
                )
                .await
            }
        })
        .buffer_unordered(plan.concurrency)
        .try_collect::<Vec<()>>()
        .await?;
    tracing::info!("{} projects", plan.projects);

    // One large project: 5,000 tasks, 50 sprints (47 completed, one under way, two planned).
    let big = NewProjectForm {
        key: "BIG".into(),
        name: "Big backlog".into(),
        description: "Five thousand tasks, fifty sprints.".into(),
        manager: String::new(),
        members: members[1..8.min(members.len())]
            .iter()
            .map(|m| m.handle.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let key = projects::create_project(store, "http://127.0.0.1:3000", &me.session(), &big).await?;
    let assignees: Vec<String> = members.iter().take(8).map(|m| m.id.clone()).collect();
    minijira::projects::store::bulk_load_plan(store, &key, &assignees, 5_000, 50).await?;
    tracing::info!("a project of 5,000 tasks and 50 sprints");

    // Conversations: the measured user talks with 40 people; the rest are between neighbours.
    let long = long_conversation(
        store,
        &me.person(),
        &members[1].person(),
        plan.long_conversation,
    )
    .await?;
    let mut pairs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    seen.insert(pair_id(&me.id, &members[1].id));
    let candidates = (2..=41.min(n - 1))
        .map(|j| (0, j))
        .chain((1..n).flat_map(|i| (1..=4).map(move |d| (i, (i + d) % n))));
    for (i, j) in candidates {
        if pairs.len() + 1 >= plan.conversations {
            break;
        }
        if i != j && seen.insert(pair_id(&people[i].id, &people[j].id)) {
            pairs.push((people[i].person(), people[j].person()));
        }
    }
    stream::iter(pairs)
        .map(|(a, b)| async move {
            let id = messages::start(store, &a, &b).await?;
            send(store, &id, &a, &b, "Hi! Do you have a minute today?").await?;
            send(store, &id, &b, &a, "Sure, after the stand-up.").await?;
            send(store, &id, &a, &b, "Great, I'll call you then.").await?;
            Ok::<(), AppError>(())
        })
        .buffer_unordered(plan.concurrency)
        .try_collect::<Vec<()>>()
        .await?;
    tracing::info!("{} conversations", plan.conversations);

    // Open jobs in five cities, three applications each.
    let cities = ["Paris", "Lyon", "Lille", "Nantes", "Bordeaux"];
    stream::iter(0..plan.jobs)
        .map(|k| {
            let parent = parents[k % parents.len()];
            let applicants: Vec<PersonRef> = (0..3)
                .map(|a| nannies[(k + a * 7) % nannies.len()].person())
                .collect();
            async move {
                let start = store.now() + Duration::days(1 + (k % 60) as i64);
                let job = sitters::create_job(
                    store,
                    Job {
                        id: ulid::Ulid::new().to_string(),
                        parent: parent.person(),
                        job_type: ["Evening babysitting", "School pick-up", "Weekend day"][k % 3]
                            .into(),
                        starts_at: start,
                        ends_at: start + Duration::hours(3 + (k % 4) as i64),
                        address: format!("{} Rue des Lilas", 1 + k % 90),
                        city: cities[k % cities.len()].into(),
                        lat: Some(48.85),
                        lon: Some(2.34),
                        kids: 1 + (k % 3) as u8,
                        cost_cents: 4_000 + (k % 10) as u32 * 500,
                        description: "Dinner, a story, bed by 8:30. Two cats, no allergies.".into(),
                        status: JobStatus::Open,
                        application_count: 0,
                        accepted: None,
                        created_at: store.now(),
                    },
                )
                .await
                .map_err(|_| AppError::Internal)?;
                for nanny in &applicants {
                    sitters::apply(store, &job, nanny, "Happy to help, I am free then.".into())
                        .await
                        .map_err(|_| AppError::Internal)?;
                }
                Ok::<(), AppError>(())
            }
        })
        .buffer_unordered(plan.concurrency)
        .try_collect::<Vec<()>>()
        .await?;
    tracing::info!("{} jobs", plan.jobs);

    Ok(json!({
        "email": me.email,
        // In the order the tables show them.
        "pages": [
            ["dashboard", "/"],
            ["scrum", "/p/BENCH01"],
            ["board", "/p/BENCH01/board"],
            ["task", "/p/BENCH01/BENCH01-42"],
            ["backlog 5k", "/p/BIG/backlog"],
            ["board 5k", "/p/BIG/board"],
            ["burndown 5k", "/p/BIG/sprints/48"],
            ["conversations", "/messages"],
            ["conversation", format!("/messages/{long}")],
            ["open jobs", "/sitters/jobs"],
        ]
    }))
}

/// Sends a message as `from` (the benchmark's people are not signed in: no session).
async fn send(
    store: &Store,
    conversation: &str,
    from: &PersonRef,
    to: &PersonRef,
    text: &str,
) -> Result<(), AppError> {
    minijira::messages::store::send(store, conversation, from, &to.id, text)
        .await
        .map(|_| ())
        .map_err(|_| AppError::Internal)
}
