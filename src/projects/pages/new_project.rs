//! The new-project form.

use crate::projects::api::CreateProject;
use crate::ui::FormError;
use crate::ui::PageHead;
use crate::ui::SignedIn;
use leptos::prelude::*;

#[component]
pub fn NewProjectPage() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    view! { <SignedIn>
        <PageHead title="New project" description="Create a project with a key, a manager and its members."/>
        <section class="card narrow-wide">
            <h1>"New project"</h1>
            <ActionForm action=create>
                <label>"Key" <input type="text" name="key" required minlength="2" maxlength="10" pattern="[A-Za-z][A-Za-z0-9]{1,9}"
                    placeholder="e.g. SHOP" autocomplete="off" title="2–10 letters or digits, starting with a letter"/></label>
                <label>"Name" <input type="text" name="name" required maxlength="80"/></label>
                <label>"Description" <textarea name="description" rows="3" maxlength="2000"></textarea></label>
                <label>"Project manager"
                    <input type="text" name="manager" placeholder="Leave empty to manage it yourself, or type a handle" maxlength="21"/>
                </label>
                <label>"Members"
                    <input type="text" name="members" placeholder="Handles, separated by commas (find them under People)"/>
                </label>
                <p class="hint">"Each member gets an email telling them they were added."</p>
                <FormError/>
                <button type="submit">"Create project"</button>
            </ActionForm>
        </section>
    </SignedIn> }
}
