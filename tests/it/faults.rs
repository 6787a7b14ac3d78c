//! Fault tests (`make faults`, also part of `make test`): DynamoDB Local killed with SIGKILL in
//! the middle of a write load and restarted on its data folder; the SES emulator stopped while
//! invitations are queued, then started again. Real processes, real time, the real router and
//! the real outbox worker.

use crate::common::*;
use leptos::server_fn::ServerFn;
use minijira::accounts::model::{Handle, SessionUser};
use minijira::messages::api::SendMessage;
use minijira::model::Delivery;
use minijira::projects::api::CreateTask;
use minijira::projects::model::{NewProjectForm, ProjectKey};
use minijira::projects::rules::create_project;
use minijira::server::router::router;
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the writers saw.
#[derive(Default)]
struct Tally {
    /// Message bodies whose send was acknowledged (200).
    messages: Vec<String>,
    /// When each acknowledgement (message or task) arrived.
    acked_at: BTreeMap<String, Instant>,
    /// (task number, title) of acknowledged task creations.
    tasks: Vec<(u32, String)>,
    /// Answers by status code.
    statuses: BTreeMap<u16, usize>,
    /// Answers that broke the rules (a 5xx other than the friendly 503, internal text, …).
    bad: Vec<String>,
}

impl Tally {
    fn acknowledged(&self) -> usize {
        self.messages.len() + self.tasks.len()
    }

    fn record_failure(&mut self, status: u16, body: &str) {
        *self.statuses.entry(status).or_default() += 1;
        // A server function's error crosses as the serialised `AppError` (the browser shows its
        // message); a page's as HTML.
        let error: Option<minijira::error::AppError> = serde_json::from_str(body).ok();
        let friendly = status == 503
            && (body.contains("temporarily unavailable")
                || matches!(error, Some(minijira::error::AppError::Unavailable)));
        let clear_4xx = (400..500).contains(&status)
            && error.is_some_and(|e| e.status() == status && !e.to_string().is_empty());
        let leaks = [
            "dispatch",
            "Connection refused",
            "io error",
            "hyper",
            "panicked",
        ]
        .iter()
        .any(|w| body.contains(w));
        if !(friendly || clear_4xx) || leaks {
            self.bad.push(format!("{status}: {body}"));
        }
    }
}

fn friendly_page(reply: &Reply) -> bool {
    reply.status == 503
        && reply.body.contains("temporarily unavailable")
        && !reply.body.contains("dispatch")
        && !reply.body.contains("Connection refused")
}

/// Every message body stored in a conversation (a Query over its partition).
async fn stored_messages(store: &minijira::db::Store, conversation: &str) -> HashSet<String> {
    let pk = minijira::db::keys::conversation_pk(conversation);
    let mut bodies = HashSet::new();
    let mut start = None;
    loop {
        let out = store
            .client()
            .query()
            .table_name(store.table())
            .key_condition_expression("pk = :pk AND begins_with(sk, :m)")
            .expression_attribute_values(":pk", minijira::db::s(&pk))
            .expression_attribute_values(":m", minijira::db::s(minijira::db::keys::MESSAGE_PREFIX))
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .expect("query after the restart");
        for item in out.items() {
            if let Some(b) = item.get("body").and_then(|v| v.as_s().ok()) {
                bodies.insert(b.clone());
            }
        }
        match out.last_evaluated_key {
            Some(k) => start = Some(k),
            None => return bodies,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_killed_mid_write_load_loses_no_acknowledged_write() {
    let dir = std::env::temp_dir().join(unique("minijira-faults-ddb-"));
    std::fs::create_dir_all(&dir).expect("data folder");
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let mut ddb = Service::dynamodb(port, Some(&dir));
    assert!(wait_port(port, 60).await, "DynamoDB Local starts");
    let state = state_at(&endpoint, false).await;
    let store = state.kit.store.clone();
    let mut ready = false;
    for _ in 0..150 {
        if minijira::db::schema::ensure_table(&store).await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(ready, "table created");
    let app = router(state);

    // Two people, a conversation between them and a project of the first.
    let (ha, hb) = (unique("fa"), unique("fb"));
    let cookie = signed_up(&app, &ha).await;
    signed_up(&app, &hb).await;
    let people = minijira::accounts::store::by_handles(
        &store,
        &[Handle::parse(&ha).unwrap(), Handle::parse(&hb).unwrap()],
    )
    .await
    .unwrap();
    let (a, b) = (&people[&ha], &people[&hb]);
    let conversation = minijira::messages::rules::start(&store, &a.person(), &b.person())
        .await
        .unwrap();
    let form = NewProjectForm {
        key: "FAULT".into(),
        name: "Faults".into(),
        ..Default::default()
    };
    create_project(&store, "http://app", &a.session(), &form)
        .await
        .unwrap();

    // The write load: four writers sending messages, two creating tasks, through the router.
    let tally = Arc::new(Mutex::new(Tally::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..6 {
        let (app, cookie, conversation) = (app.clone(), cookie.clone(), conversation.clone());
        let (tally, stop) = (tally.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let text = format!("w{w}-{i}");
                let req = if w < 4 {
                    call(
                        SendMessage::PATH,
                        &[("conversation", &conversation), ("body", &text)],
                        Some(&cookie),
                    )
                } else {
                    call(
                        CreateTask::PATH,
                        &[
                            ("key", "FAULT"),
                            ("title", &text),
                            ("description", ""),
                            ("story", ""),
                            ("assignee", ""),
                            ("start_date", ""),
                            ("end_date", ""),
                            ("status", "TODO"),
                        ],
                        Some(&cookie),
                    )
                };
                let reply = send(&app, req).await;
                let ok = reply.status == 200;
                {
                    let mut t = tally.lock().unwrap();
                    if !ok {
                        t.record_failure(reply.status.as_u16(), &reply.body);
                    } else if w < 4 {
                        *t.statuses.entry(200).or_default() += 1;
                        t.acked_at.insert(text.clone(), Instant::now());
                        t.messages.push(text);
                    } else {
                        *t.statuses.entry(200).or_default() += 1;
                        t.acked_at.insert(text.clone(), Instant::now());
                        let task: serde_json::Value =
                            serde_json::from_str(&reply.body).expect("a task as JSON");
                        let number = task["number"].as_u64().expect("task number") as u32;
                        t.tasks.push((number, text));
                    }
                }
                if !ok {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }));
    }

    // Let acknowledged writes pile up, then SIGKILL DynamoDB Local mid-load.
    let until = Instant::now() + Duration::from_secs(20);
    while tally.lock().unwrap().acknowledged() < 300 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before_kill = tally.lock().unwrap().acknowledged();
    assert!(before_kill > 0, "writes were acknowledged before the kill");
    ddb.kill();
    let killed = Instant::now();

    // The outage: pages answer with the friendly 503, never a panic or internal text.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let page = format!("/messages/{conversation}");
    let mut outage_pages = 0;
    while killed.elapsed() < Duration::from_millis(2000) {
        let reply = send(&app, get(&page, Some(&cookie))).await;
        assert!(
            friendly_page(&reply),
            "outage page: {} {}",
            reply.status,
            reply.body
        );
        outage_pages += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(send(&app, get("/healthz", None)).await.status, 503);
    let failed_during_outage = tally
        .lock()
        .unwrap()
        .statuses
        .get(&503)
        .copied()
        .unwrap_or(0);

    // Restart on the same data folder; the same app must serve again within 5 s.
    let _ddb = Service::dynamodb(port, Some(&dir));
    assert!(wait_port(port, 60).await, "DynamoDB Local restarts");
    let listening = Instant::now();
    let mut recovered = None;
    while listening.elapsed() < Duration::from_secs(30) {
        let reply = send(&app, get(&page, Some(&cookie))).await;
        if reply.status == 200 {
            recovered = Some(listening.elapsed());
            break;
        }
        assert!(
            friendly_page(&reply),
            "while restarting: {} {}",
            reply.status,
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let recovered = recovered.expect("the app serves again after the restart");

    // A little more load on the restarted database, then stop and check every acknowledged write.
    let after = tally.lock().unwrap().acknowledged();
    let until = Instant::now() + Duration::from_secs(10);
    while tally.lock().unwrap().acknowledged() < after + 50 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.expect("no writer panicked");
    }
    let tally = Arc::try_unwrap(tally)
        .ok()
        .expect("writers done")
        .into_inner()
        .unwrap();

    // Every acknowledged write must be there. Which ones are missing, and when were they
    // acknowledged relative to the kill?
    let stored = stored_messages(&store, &conversation).await;
    let mut lost: Vec<(&String, Instant)> = tally
        .messages
        .iter()
        .filter(|m| !stored.contains(*m))
        .map(|m| (m, tally.acked_at[m]))
        .collect();
    let key = ProjectKey::parse("FAULT").unwrap();
    for (number, title) in &tally.tasks {
        match minijira::projects::store::get_task(&store, &key, *number)
            .await
            .unwrap()
        {
            Some(t) if &t.title == title => {}
            _ => lost.push((title, tally.acked_at[title])),
        }
    }
    // DynamoDB Local answers a TransactWriteItems before its SQLite COMMIT has run (its
    // `commitTransaction` queues the COMMIT job and returns without waiting for it), so a
    // SIGKILL can undo a transaction acknowledged in the last moment before the kill. Real
    // DynamoDB commits before it answers. Such a loss is reported apart; any other loss fails.
    let emulator_window = Duration::from_millis(100);
    let (emulator, ours): (Vec<_>, Vec<_>) = lost
        .iter()
        .partition(|(_, at)| *at <= killed && killed - *at < emulator_window);
    let describe = |l: &[&(&String, Instant)]| {
        l.iter()
            .map(|(w, at)| {
                if *at <= killed {
                    format!("{w} (acknowledged {:?} before the kill)", killed - *at)
                } else {
                    format!("{w} (acknowledged {:?} after the kill)", *at - killed)
                }
            })
            .collect::<Vec<_>>()
    };
    let acked: HashSet<&String> = tally.messages.iter().collect();
    let unacknowledged_but_stored = stored.iter().filter(|m| !acked.contains(m)).count();
    println!(
        "fault: DynamoDB Local SIGKILLed after {before_kill} acknowledged writes; {} acknowledged \
         in all ({} messages, {} tasks); {failed_during_outage} writes refused with 503 during the \
         outage; {outage_pages} outage pages, all the friendly 503; serving again {:.2} s after \
         DynamoDB Local listened again; lost: {} (plus {} undone by DynamoDB Local's late COMMIT: \
         {:?}); stored without acknowledgement (in flight at the kill): \
         {unacknowledged_but_stored}; answers by status: {:?}",
        tally.acknowledged(),
        tally.messages.len(),
        tally.tasks.len(),
        recovered.as_secs_f64(),
        ours.len(),
        emulator.len(),
        describe(&emulator),
        tally.statuses,
    );
    assert!(tally.bad.is_empty(), "unfriendly answers: {:?}", tally.bad);
    assert!(
        failed_during_outage > 0,
        "the outage was seen by the writers"
    );
    assert!(
        ours.is_empty(),
        "acknowledged writes lost: {:?}",
        describe(&ours)
    );
    assert!(
        recovered < Duration::from_secs(5),
        "serves again within 5 s, took {recovered:?}"
    );
    drop(_ddb);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ses_stopped_during_invitations_every_mail_delivered_once() {
    let ses_port = free_port();
    let ses = format!("http://127.0.0.1:{ses_port}");
    let mut emulator = Service::ses(ses_port);
    assert!(wait_port(ses_port, 60).await, "SES emulator starts");
    let state = state_with(&ddb_endpoint(), &ses, true).await;
    let store = state.kit.store.clone();
    minijira::server::worker::spawn(state.clone()); // the real worker, in real time
    let pm = user(&store, "sespm").await;
    let invite = |key: &str, people: &[&SessionUser]| NewProjectForm {
        key: key.into(),
        name: format!("Project {key}"),
        members: people
            .iter()
            .map(|p| p.handle.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        ..Default::default()
    };
    let mut invitees = Vec::new();
    for _ in 0..12 {
        invitees.push(user(&store, "sesinv").await);
    }
    let to = |u: &SessionUser| format!("{}@example.org", u.handle);

    // Before the outage: three invitations, delivered.
    let first: Vec<_> = invitees[..3].iter().collect();
    create_project(&store, &ses, &pm, &invite("SESA", &first))
        .await
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while delivered(&ses).await.len() < 3 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        delivered(&ses).await.len(),
        3,
        "delivered before the outage"
    );

    // SES stops; nine more invitations are queued while it is down, for a while.
    emulator.kill();
    let outage = Instant::now();
    for (i, chunk) in invitees[3..].chunks(3).enumerate() {
        let people: Vec<_> = chunk.iter().collect();
        let key = format!("SESB{i}");
        create_project(&store, &ses, &pm, &invite(&key, &people))
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_secs(8)).await;

    // SES starts again (an empty store): every queued mail arrives, none twice.
    let _emulator = Service::ses(ses_port);
    assert!(wait_port(ses_port, 60).await, "SES emulator restarts");
    let restarted = Instant::now();
    let until = Instant::now() + Duration::from_secs(60);
    while delivered(&ses).await.len() < 9 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let delivered_after = restarted.elapsed();
    tokio::time::sleep(Duration::from_secs(5)).await; // would a duplicate still come?
    let mails = delivered(&ses).await;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (rcpt, _) in &mails {
        *counts.entry(rcpt.as_str()).or_default() += 1;
    }
    println!(
        "fault: SES emulator down {:.1} s while 9 invitations were queued; all delivered {:.1} s \
         after it restarted; {} mails in its store: {counts:?}",
        (restarted - outage).as_secs_f64(),
        delivered_after.as_secs_f64(),
        mails.len()
    );
    for u in &invitees[3..] {
        assert_eq!(
            counts.get(to(u).as_str()),
            Some(&1),
            "one mail to {}",
            to(u)
        );
    }
    for u in &invitees[..3] {
        assert_eq!(counts.get(to(u).as_str()), None, "{} not sent again", to(u));
    }
    assert_eq!(mails.len(), 9, "nothing else, nothing twice: {mails:?}");

    // The members page state agrees: every invitation is marked sent.
    for i in 0..3 {
        let key = ProjectKey::parse(&format!("SESB{i}")).unwrap();
        let board = minijira::projects::rules::board(&store, &key, &pm.id)
            .await
            .unwrap();
        for u in &invitees[3 + i * 3..6 + i * 3] {
            assert_eq!(
                board.member(&u.id).unwrap().invitation,
                Some(Delivery::Sent)
            );
        }
    }
}
