//! Messages against DynamoDB Local: patterns A–E, unread counts, members only, concurrency,
//! paging.

use crate::common::*;
use minijira::accounts::model::{PersonRef, SessionUser};
use minijira::error::AppError;
use minijira::messages::model::*;
use minijira::messages::rules as svc;

/// The Messages rules these tests call, and the model's pair id.
mod db {
    pub use minijira::messages::model::pair_id;
    pub use minijira::messages::rules::{list, page, since, start, unread_total};
}

fn session_person(u: &SessionUser) -> PersonRef {
    PersonRef::from(u)
}
use std::collections::HashSet;

#[tokio::test]
async fn start_send_read_and_list() {
    let store = store().await;
    let (ann, ben, cat) = (
        user(&store, "ann").await,
        user(&store, "ben").await,
        user(&store, "cat").await,
    );

    // D: start by handle; starting again, from either side, reuses it.
    let (st, calls) = counted(&store);
    let id = svc::start_with(&st, &ann, &ben.handle).await.unwrap();
    assert_eq!(
        calls.calls(),
        2,
        "M4: the handle lookup and one transaction"
    );
    assert_eq!(
        svc::start_with(&store, &ben, &format!("@{}", ann.handle))
            .await
            .unwrap(),
        id
    );
    assert!(matches!(
        svc::start_with(&store, &ann, &ann.handle).await,
        Err(AppError::Validation(_))
    ));
    assert!(matches!(
        svc::start_with(&store, &ann, "nobody_here").await,
        Err(AppError::Validation(_))
    ));

    // C: send; one transaction, then the live signal of each person's shard.
    let (st, calls) = counted(&store);
    svc::send(&st, &ann, &id, "Hello Ben").await.unwrap();
    use minijira::db::keys::live_shard;
    let shards = if live_shard(&ann.id) == live_shard(&ben.id) {
        1
    } else {
        2
    };
    assert_eq!(
        calls.calls(),
        1 + shards,
        "M3: one transaction, then the live signals"
    );
    svc::send(&store, &ann, &id, "Are you there?")
        .await
        .unwrap();
    assert!(matches!(
        svc::send(&store, &ann, &id, "   ").await,
        Err(AppError::Validation(_))
    ));
    assert!(matches!(
        svc::send(&store, &ann, &id, &"x".repeat(MAX_MESSAGE + 1)).await,
        Err(AppError::Validation(_))
    ));

    // B: the list, newest first, with the last message and unread count.
    let (st, calls) = counted(&store);
    let list = db::list(&st, &ben.id, None, 20).await.unwrap();
    assert_eq!(calls.calls(), 1, "M1: one Query");
    assert_eq!(list.items.len(), 1);
    let row = &list.items[0];
    assert_eq!(
        (
            row.other.id.as_str(),
            row.last_message.as_str(),
            row.unread,
            row.last_from_me
        ),
        (ann.id.as_str(), "Are you there?", 2, false)
    );
    assert_eq!(db::unread_total(&store, &ben.id).await.unwrap(), 2);
    assert_eq!(
        db::list(&store, &ann.id, None, 20).await.unwrap().items[0].unread,
        0,
        "my own messages are not unread"
    );

    // A: reading the conversation shows it in order and marks it read.
    let (st, calls) = counted(&store);
    let page = db::page(&st, &id, &ben.id, None).await.unwrap();
    assert_eq!(
        calls.calls(),
        3,
        "M2: one Query, then marking it read and the reader's live signal"
    );
    assert_eq!(
        page.messages
            .iter()
            .map(|m| m.body.as_str())
            .collect::<Vec<_>>(),
        ["Hello Ben", "Are you there?"]
    );
    assert_eq!(page.other.id, ann.id);
    assert_eq!(db::unread_total(&store, &ben.id).await.unwrap(), 0);
    assert_eq!(
        db::list(&store, &ben.id, None, 20).await.unwrap().items[0].unread,
        0
    );
    let (st, calls) = counted(&store);
    db::page(&st, &id, &ben.id, None).await.unwrap();
    assert_eq!(calls.calls(), 1, "M2: nothing unread, one Query");

    // Newest activity first: a message in another conversation moves it to the top.
    let other = svc::start_with(&store, &cat, &ben.handle).await.unwrap();
    svc::send(&store, &cat, &other, "Lunch?").await.unwrap();
    let list = db::list(&store, &ben.id, None, 20).await.unwrap();
    assert_eq!(
        list.items.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [other.as_str(), id.as_str()]
    );
    svc::send(&store, &ann, &id, "Ping").await.unwrap();
    let list = db::list(&store, &ben.id, None, 20).await.unwrap();
    assert_eq!(list.items[0].id, id);
    assert_eq!(db::unread_total(&store, &ben.id).await.unwrap(), 2);

    // The live feed: what came after the last message shown.
    let last = page.messages.last().unwrap().id.clone();
    let fresh = db::since(&store, &id, &ben.id, &last).await.unwrap();
    assert_eq!(
        fresh.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["Ping"]
    );
    assert_eq!(
        db::unread_total(&store, &ben.id).await.unwrap(),
        1,
        "delivered live = read"
    );
}

/// The Cruddur IDOR: knowing a conversation's id is not enough to read or write it.
#[tokio::test]
async fn an_outsider_can_neither_read_nor_post() {
    let store = store().await;
    let (ann, ben, eve) = (
        user(&store, "ann").await,
        user(&store, "ben").await,
        user(&store, "eve").await,
    );
    let id = svc::start_with(&store, &ann, &ben.handle).await.unwrap();
    svc::send(&store, &ann, &id, "private").await.unwrap();

    assert_eq!(
        db::page(&store, &id, &eve.id, None).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        svc::send(&store, &eve, &id, "hi").await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        db::since(&store, &id, &eve.id, "0").await.unwrap_err(),
        AppError::NotFound
    );
    // A forged id that names the outsider: no such conversation, nothing written.
    let forged = db::pair_id(&eve.id, &ann.id);
    assert_eq!(
        svc::send(&store, &eve, &forged, "hi").await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        db::page(&store, &forged, &eve.id, None).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        db::page(&store, "garbage", &eve.id, None)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    let page = db::page(&store, &id, &ben.id, None).await.unwrap();
    assert_eq!(page.messages.len(), 1);
    assert_eq!(count_pk_prefix(&store, &format!("C#{forged}")).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_sends_all_land_in_order_and_summaries_show_the_last() {
    let store = store().await;
    let (ann, ben) = (user(&store, "ann").await, user(&store, "ben").await);
    let id = svc::start_with(&store, &ann, &ben.handle).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (store, id) = (store.clone(), id.clone());
        let who = if i % 2 == 0 { ann.clone() } else { ben.clone() };
        tasks.push(tokio::spawn(async move {
            svc::send(&store, &who, &id, &format!("m{i}")).await
        }));
    }
    let mut sent = Vec::new();
    for t in tasks {
        sent.push(t.await.unwrap().expect("every send succeeds"));
    }
    let page = db::page(&store, &id, &ann.id, None).await.unwrap();
    assert_eq!(page.messages.len(), 20, "all 20 are there");
    let ids: Vec<_> = page.messages.iter().map(|m| m.id.clone()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "in order");
    assert!(page
        .messages
        .windows(2)
        .all(|w| w[0].sent_at <= w[1].sent_at));
    let last = page.messages.last().unwrap();
    for who in [&ann, &ben] {
        let row = db::list(&store, &who.id, None, 20)
            .await
            .unwrap()
            .items
            .remove(0);
        assert_eq!(
            row.last_message, last.body,
            "every summary shows the last message"
        );
    }
    // Nobody read anything yet (the page above was Ann's, so hers is now read): every
    // message to Ben is counted, none twice, none lost.
    let to_ben = sent.iter().filter(|m| m.author.id == ann.id).count() as u32;
    assert_eq!(
        db::list(&store, &ben.id, None, 20).await.unwrap().items[0].unread,
        to_ben
    );
    assert_eq!(db::unread_total(&store, &ben.id).await.unwrap(), to_ben);
    assert_eq!(db::unread_total(&store, &ann.id).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_simultaneous_starts_make_one_conversation() {
    let store = store().await;
    let (ann, ben) = (user(&store, "ann").await, user(&store, "ben").await);
    let (s1, s2) = (store.clone(), store.clone());
    let (a, b) = (ann.clone(), ben.clone());
    let (x, y) = tokio::join!(
        tokio::spawn(async move { db::start(&s1, &session_person(&a), &session_person(&b)).await }),
        tokio::spawn(
            async move { db::start(&s2, &session_person(&ben), &session_person(&ann)).await }
        ),
    );
    let (x, y) = (x.unwrap().unwrap(), y.unwrap().unwrap());
    assert_eq!(x, y);
    assert_eq!(
        count_pk_prefix(&store, "C#").await,
        3,
        "one header and two participants"
    );
}

#[tokio::test]
async fn paging_returns_every_message_exactly_once() {
    let store = store().await;
    let (ann, ben) = (user(&store, "ann").await, user(&store, "ben").await);
    let id = svc::start_with(&store, &ann, &ben.handle).await.unwrap();
    for i in 0..60 {
        svc::send(&store, &ann, &id, &format!("n{i:02}"))
            .await
            .unwrap();
    }
    let mut pages = Vec::new();
    let mut older: Option<String> = None;
    loop {
        let (st, calls) = counted(&store);
        let page = db::page(&st, &id, &ben.id, older.as_deref()).await.unwrap();
        assert!(
            calls.calls() <= 3,
            "M2: at most 2 calls per page, and the live signal when it marks read"
        );
        pages.push(
            page.messages
                .iter()
                .map(|m| m.body.clone())
                .collect::<Vec<_>>(),
        );
        match page.older {
            Some(c) => older = Some(c),
            None => break,
        }
    }
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        [30, 30],
        "no empty last page"
    );
    for i in 60..75 {
        svc::send(&store, &ann, &id, &format!("n{i:02}"))
            .await
            .unwrap();
    }
    let mut pages = Vec::new();
    let mut older: Option<String> = None;
    loop {
        let page = db::page(&store, &id, &ben.id, older.as_deref())
            .await
            .unwrap();
        pages.push(
            page.messages
                .iter()
                .map(|m| m.body.clone())
                .collect::<Vec<_>>(),
        );
        match page.older {
            Some(c) => older = Some(c),
            None => break,
        }
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [30, 30, 15]);
    let all: Vec<String> = pages.into_iter().rev().flatten().collect();
    assert_eq!(all, (0..75).map(|i| format!("n{i:02}")).collect::<Vec<_>>());
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 75);
}
