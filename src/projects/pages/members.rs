//! A project's members, and the manager's tools to change them.

use super::{key_param, ProjectHeader};
use crate::projects::api::{get_head, AddMember, MakeManager, RemoveMember};
use crate::projects::model::*;
use crate::ui::PageHead;
use crate::ui::{ErrorView, FormError, Loading};
use leptos::prelude::*;

#[component]
pub fn MembersPage() -> impl IntoView {
    let key = key_param();
    let add = ServerAction::<AddMember>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let promote = ServerAction::<MakeManager>::new();
    let board = Resource::new(
        move || {
            (
                key.get(),
                add.version().get(),
                remove.version().get(),
                promote.version().get(),
            )
        },
        |(key, ..)| get_head(key),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => {
                        let is_pm = b.my_role == ProjectRole::Manager;
                        let key = b.project.key.to_string();
                        let rows = b.members.iter().map(|m| {
                            let (k1, k2) = (key.clone(), key.clone());
                            let (uid1, uid2) = (m.person.id.clone(), m.person.id.clone());
                            let is_manager = m.role == ProjectRole::Manager;
                            view! {
                                <tr data-testid="member-row">
                                    <td><a href=format!("/u/{}", m.person.handle)>{m.person.display_name.clone()}</a>
                                        <span class="muted">{format!(" @{}", m.person.handle)}</span></td>
                                    <td>{m.role.label()}</td>
                                    <td data-testid="invitation">{match (is_pm, m.invitation) {
                                        (true, Some(d)) => d.label(),
                                        (true, None) => "—",
                                        (false, _) => "",
                                    }}</td>
                                    <td class="actions">
                                        {(is_pm && !is_manager).then(|| view! {
                                            <ActionForm action=promote>
                                                <input type="hidden" name="key" value=k1/>
                                                <input type="hidden" name="user_id" value=uid1/>
                                                <button type="submit" class="secondary small">"Make manager"</button>
                                            </ActionForm>
                                            <ActionForm action=remove>
                                                <input type="hidden" name="key" value=k2/>
                                                <input type="hidden" name="user_id" value=uid2/>
                                                <button type="submit" class="secondary small">"Remove"</button>
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <PageHead title=format!("Members · {}", b.project.name) description=format!("The members of project {} and their roles.", b.project.key)/>
                            <ProjectHeader board=b.clone() active="members"/>
                            <section class="card">
                                <table class="table">
                                    <thead><tr><th>"Person"</th><th>"Role"</th><th>{if is_pm { "Invitation email" } else { "" }}</th><th></th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                                <FormError/>
                                {is_pm.then(|| view! {
                                    <ActionForm action=add attr:class="inline-form">
                                        <input type="hidden" name="key" value=key.clone()/>
                                        <label>"Add a member by handle" <input type="text" name="handle" required maxlength="21" placeholder="handle"/></label>
                                        <button type="submit">"Add member"</button>
                                    </ActionForm>
                                })}
                            </section>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
