//! A project's members: add (with the invitation mail), remove, hand over the manager role.

use super::{refused, MemberItem, Refused};
use crate::db::keys::*;
use crate::db::outbox::{self, OutboxMail};
use crate::db::{n, s, value, Expr, Outcome, Refusal, Store, Tx};
use crate::projects::model::*;

/// The check that `actor` manages the project (named "manager").
fn as_manager(tx: &mut Tx, key: &ProjectKey, actor: &str) {
    tx.check(
        "manager",
        &project_pk(key),
        PROJECT_META_SK,
        Expr::condition("manager.id = :me").value(":me", s(actor)),
    );
}

/// Runs a manager's transaction: "manager" failing is [`Refused::NotManager`], "other" (the
/// other person's member item) failing is `other`.
async fn run_as_manager(store: &Store, tx: &Tx, other: Refused) -> Outcome<(), Refused> {
    match tx.run(store).await {
        Ok(()) => Ok(()),
        Err(e) if e.failed("manager") => refused(Refused::NotManager),
        Err(e) if e.failed("other") => refused(other),
        Err(e) => Err(Refusal::Db(e.into())),
    }
}

/// Adds a member (the project manager's act) with their invitation mail.
pub async fn add_member(
    store: &Store,
    key: &ProjectKey,
    actor: &str,
    member: Member,
    mail: &OutboxMail,
) -> Outcome<(), Refused> {
    let mut tx = Tx::new(store);
    as_manager(&mut tx, key, actor);
    tx.create_value("other", &MemberItem::new(key, member));
    outbox::queue(&mut tx, mail);
    run_as_manager(store, &tx, Refused::AlreadyMember).await
}

/// Removes a member (the project manager's act).
pub async fn remove_member(
    store: &Store,
    key: &ProjectKey,
    actor: &str,
    user_id: &str,
) -> Outcome<(), Refused> {
    let mut tx = Tx::new(store);
    as_manager(&mut tx, key, actor);
    tx.delete(
        "other",
        &project_pk(key),
        &member_sk(user_id),
        Expr::exists(),
    );
    run_as_manager(store, &tx, Refused::OtherNotMember).await
}

/// Hands the project manager role from `actor` to another member.
pub async fn transfer_manager(
    store: &Store,
    key: &ProjectKey,
    actor: &str,
    new_manager: &Member,
) -> Outcome<(), Refused> {
    if new_manager.person.id == actor {
        return Ok(());
    }
    let pk = project_pk(key);
    let role = |r: ProjectRole| {
        Expr::set("SET #r = :role")
            .when("attribute_exists(pk)")
            .name("#r", "role")
            .value(":role", s(r.as_str()))
    };
    let mut tx = Tx::new(store);
    tx.update(
        "manager",
        &pk,
        PROJECT_META_SK,
        Expr::set("SET manager = :m, version = version + :one")
            .when("manager.id = :me")
            .value(":m", value(&new_manager.person)?)
            .value(":me", s(actor))
            .value(":one", n(1)),
    )
    .update("me", &pk, &member_sk(actor), role(ProjectRole::Member))
    .update(
        "other",
        &pk,
        &member_sk(&new_manager.person.id),
        role(ProjectRole::Manager),
    );
    run_as_manager(store, &tx, Refused::OtherNotMember).await
}
