use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::error::set_status(404);
    view! {
        <Title text="Not found"/>
        <section class="card narrow" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing here, or it is not yours to see."</p>
            <p><a href="/" class="button">"Go home"</a></p>
        </section>
    }
}
