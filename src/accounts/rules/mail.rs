//! The text of the mail the accounts area sends (an HTML part is made from it when it is sent).

use crate::accounts::store::{Issued, LinkToken, Purpose};
use crate::db::outbox::{Letter, OutboxMail, Recipient};
use chrono::{DateTime, Duration, Utc};

/// A link that confirms `email` as the address of the account `user_id`, valid for
/// `valid_for`, and the mail that carries it (to that address, whoever's it is).
pub fn confirmation(
    public_url: &str,
    user_id: &str,
    name: &str,
    email: &str,
    valid_for: Duration,
    now: DateTime<Utc>,
) -> Issued {
    let (raw, hash) = crate::accounts::password::new_link_token();
    let hours = valid_for.num_hours();
    let text = format!(
        "Hello {name},\n\n\
         Please confirm that {email} is your address for minijira: open this link within {hours} hours.\n\n\
         {public_url}/confirm?token={raw}\n\n\
         Until you do, minijira sends no other mail to this address: invitations and notices wait, \
         and go out once it is confirmed.\n\n\
         If you did not sign up for minijira, you can ignore this mail.\n\n\
         — minijira\n"
    );
    link(
        Purpose::Confirm,
        user_id,
        email,
        "Confirm your email address for minijira",
        text,
        hash,
        valid_for,
        now,
    )
}

/// A link that sets a new password for the account `user_id`, valid for `valid_for`, and the
/// mail that carries it to `email` (sent whether or not the address is confirmed: opening it
/// proves the address).
pub fn password_reset(
    public_url: &str,
    user_id: &str,
    name: &str,
    email: &str,
    valid_for: Duration,
    now: DateTime<Utc>,
) -> Issued {
    let (raw, hash) = crate::accounts::password::new_link_token();
    let minutes = valid_for.num_minutes();
    let text = format!(
        "Hello {name},\n\n\
         Someone asked to set a new password for the minijira account of {email}. If it was you, \
         open this link within {minutes} minutes and choose a new password:\n\n\
         {public_url}/reset?token={raw}\n\n\
         The link works once. Setting a new password signs the account out everywhere.\n\n\
         If it was not you, ignore this mail: your password stays as it is.\n\n\
         — minijira\n"
    );
    link(
        Purpose::Reset,
        user_id,
        email,
        "Set a new password for minijira",
        text,
        hash,
        valid_for,
        now,
    )
}

/// A link that makes `new_email` the address of `user`'s account, and the mail that carries it
/// to that new address.
pub fn email_change(
    public_url: &str,
    user: &crate::accounts::store::User,
    new_email: &str,
    valid_for: Duration,
    now: DateTime<Utc>,
) -> Issued {
    let (raw, hash) = crate::accounts::password::new_link_token();
    let hours = valid_for.num_hours();
    let text = format!(
        "Hello {name},\n\n\
         You asked to use {new_email} as the address of your minijira account (@{handle}). \
         Open this link within {hours} hours to confirm it:\n\n\
         {public_url}/confirm?token={raw}\n\n\
         Until you do, your account keeps its current address.\n\n\
         If you did not ask for this, ignore this mail.\n\n\
         — minijira\n",
        name = user.display_name,
        handle = user.handle,
    );
    link(
        Purpose::ChangeEmail,
        &user.id,
        new_email,
        "Confirm your new email address for minijira",
        text,
        hash,
        valid_for,
        now,
    )
}

/// The link token of `purpose` for account `user_id`, valid for `valid_for`, and the mail that
/// carries it (`text`, which holds the raw token) to `email`.
#[allow(clippy::too_many_arguments)]
fn link(
    purpose: Purpose,
    user_id: &str,
    email: &str,
    subject: &str,
    text: String,
    hash: String,
    valid_for: Duration,
    now: DateTime<Utc>,
) -> Issued {
    let letter = Letter {
        to: Recipient::Address(email.to_owned()),
        subject: subject.to_owned(),
        text,
    };
    Issued {
        hash,
        token: LinkToken {
            purpose,
            user_id: user_id.to_owned(),
            email: email.to_owned(),
            expires_at: (now + valid_for).timestamp(),
        },
        mail: OutboxMail::new(letter, None, now),
    }
}
