//! The text of the mail a project sends: the invitation of a new member.

use crate::accounts::model::PersonRef;
use crate::accounts::store::User;
use crate::db::outbox::{Letter, OutboxMail, Recipient};
use crate::projects::model::*;
use crate::projects::store;
use chrono::{DateTime, Utc};

/// The mail that tells `to` they were added to a project; its delivery state is mirrored on
/// their member item.
pub fn invitation(
    public_url: &str,
    to: &User,
    actor: &PersonRef,
    key: &ProjectKey,
    name: &str,
    manager: &PersonRef,
    at: DateTime<Utc>,
) -> OutboxMail {
    let text = format!(
        "Hello {to_name},\n\nYou have been added to project {name} ({key}) by {actor_name} (@{actor_handle}).\n\
         The project manager is {pm_name} (@{pm_handle}).\n\nOpen the project: {public_url}/p/{key}\n\n— minijira\n",
        to_name = to.display_name,
        actor_name = actor.display_name,
        actor_handle = actor.handle,
        pm_name = manager.display_name,
        pm_handle = manager.handle,
    );
    let letter = Letter {
        // To the account: it waits while the address is not confirmed.
        to: Recipient::Account(to.id.clone()),
        subject: format!("You have been added to project {name}"),
        text,
    };
    OutboxMail::new(letter, Some(store::member_track(key, &to.id)), at)
}
