use crate::ui::PageHead;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::error::set_status(404);
    view! {
        <PageHead title="Not found" description="This page does not exist, or it is not yours to see."/>
        <section class="card narrow" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing here, or it is not yours to see."</p>
            <p><a href="/" class="button">"Go home"</a></p>
        </section>
    }
}
