//! The demo conversations.

use super::{rules as messages, store as conversations};
use crate::accounts::model::{Handle, PersonRef};
use crate::accounts::store::{self as users, User};
use crate::db::{Refusal, Store};
use crate::error::AppError;

/// Conversations between the demo accounts; Alice and Bob's is long enough to page.
pub async fn load(store: &Store) -> Result<(), AppError> {
    let send = |id: String, from: &PersonRef, to: &PersonRef, text: String| {
        let (from, to) = (from.clone(), to.clone());
        async move {
            conversations::send(store, &id, &from, &to.id, &text)
                .await
                .map(|_| ())
                .map_err(Refusal::unexpected)
        }
    };

    let handles: Vec<Handle> = ["alice", "bob", "carol", "paula", "nina"]
        .iter()
        .map(|h| Handle::parse(h))
        .collect::<Result<_, _>>()?;
    let people = users::by_handles(store, &handles).await?;
    let who = |h: &str| {
        people
            .get(h)
            .map(User::person)
            .ok_or_else(|| AppError::internal("demo accounts missing"))
    };
    let (alice, bob, carol, paula, nina) = (
        who("alice")?,
        who("bob")?,
        who("carol")?,
        who("paula")?,
        who("nina")?,
    );

    let (a, b) = (alice.clone(), bob.clone());
    let id = messages::start(store, &a, &b).await?;
    if messages::list(store, &a.id, None, 1)
        .await?
        .items
        .first()
        .is_some_and(|c| !c.last_message.is_empty())
    {
        return Ok(()); // loaded before
    }
    let lines = [
        "Morning! Did the payment provider answer?",
        "Yes, sandbox keys arrived last night.",
        "Great. Can you wire up the card form today?",
        "On it. I'll push a draft before lunch.",
    ];
    for i in 0..44 {
        let (from, to) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let text = format!("{} ({})", lines[i % 4], i + 1);
        send(id.clone(), from, to, text).await?;
    }
    send(id, &b, &a, "Draft is up: DEMO-2 is in review.".into()).await?;

    let id = messages::start(store, &carol, &alice).await?;
    for (from, to, text) in [
        (
            &carol,
            &alice,
            "The finance team sent the invoice template.",
        ),
        (&alice, &carol, "Perfect, thanks! Attach it to DEMO-3."),
        (&carol, &alice, "Done."),
    ] {
        send(id.clone(), from, to, text.into()).await?;
    }

    let id = messages::start(store, &paula, &nina).await?;
    for (from, to, text) in [
        (&paula, &nina, "Hi Nina, are you free Saturday evening?"),
        (&nina, &paula, "Yes, from 6 pm. How old are the kids?"),
        (&paula, &nina, "Four and seven. They love board games."),
    ] {
        send(id.clone(), from, to, text.into()).await?;
    }
    Ok(())
}
