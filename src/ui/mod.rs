//! Shared UI pieces: components every area's pages use, the page contexts, the 404 page.

pub mod context;
pub mod not_found;

use crate::error::AppError;
use crate::util::url_encode;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_location, use_query_map};

/// How a failed page load is shown: sign-in for 401, the 404 page, or a friendly message.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    match error {
        // A session that ended, or an account that was deactivated: back to the sign-in form.
        AppError::Unauthorized | AppError::Deactivated => {
            let loc = use_location();
            let search = loc.search.get_untracked();
            let here = if search.is_empty() {
                loc.pathname.get_untracked()
            } else {
                format!(
                    "{}?{}",
                    loc.pathname.get_untracked(),
                    search.trim_start_matches('?')
                )
            };
            view! { <Redirect path=format!("/signin?next={}", url_encode(&here))/> }.into_any()
        }
        AppError::NotFound => view! { <not_found::NotFound/> }.into_any(),
        other => {
            let title = match other {
                AppError::Unavailable | AppError::Network => "We are having trouble right now",
                AppError::Forbidden | AppError::Deactivated => "Not allowed",
                AppError::Internal => "Something went wrong",
                _ => "That did not work",
            };
            view! {
                <section class="card error-page" role="alert" data-testid="error-page">
                    <h1>{title}</h1>
                    <p>{other.to_string()}</p>
                    <p><a href="" class="button">"Try again"</a></p>
                </section>
            }
            .into_any()
        }
    }
}

/// The message of a failed form post: the server sends the browser back to the form with
/// `error=<message>&es=<seal>` in the query (`platform::respond`); only a message the app sealed
/// is shown, so a link cannot make the page say something. Forms enhanced by `public/shell.js`
/// show the message in the same place without leaving the page.
#[component]
pub fn FormError() -> impl IntoView {
    let query = use_query_map();
    #[cfg(feature = "ssr")]
    let seal = use_context::<crate::error::ErrorSeal>();
    // Pages render on the server only: the query is read once.
    let shown = query.with_untracked(|q| {
        let (message, sealed) = (q.get("error")?, q.get("es")?);
        #[cfg(feature = "ssr")]
        let shown = seal.as_ref()?.holds(&message, &sealed).then_some(message);
        #[cfg(not(feature = "ssr"))]
        let shown = {
            let _ = (message, sealed);
            None::<String>
        };
        shown
    });
    shown.map(|message| {
        view! { <p class="form-error" role="alert" data-testid="form-error" data-js-form-error="">{message}</p> }
    })
}

/// A fallback while a page's data loads (only seen on client-side navigation).
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-busy="true">"Loading…"</p> }
}

/// How a [`LocalTime`] is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeStyle {
    /// The time today, the date and time otherwise.
    #[default]
    Auto,
    /// "Sat May 1, 18:00".
    DayAndTime,
    /// "18:00".
    Time,
}

/// A time in the reader's time zone. The server writes UTC, labelled; in the browser,
/// `public/shell.js` rewrites every `<time data-js-local>` in local time (on load, and whenever
/// one is added to the page), with the offset its zone has at that instant.
#[component]
pub fn LocalTime(
    at: chrono::DateTime<chrono::Utc>,
    #[prop(optional)] style: TimeStyle,
) -> impl IntoView {
    let (utc, local) = match style {
        TimeStyle::Auto => ("%Y-%m-%d %H:%M UTC", "auto"),
        TimeStyle::DayAndTime => ("%a %b %-d, %H:%M UTC", "day"),
        TimeStyle::Time => ("%H:%M UTC", "time"),
    };
    // In the browser (a time an island adds) the text is left to shell.js: no formatting code
    // in the WebAssembly.
    #[cfg(not(feature = "hydrate"))]
    let text = at.format(utc).to_string();
    #[cfg(feature = "hydrate")]
    let text = {
        let _ = utc;
        String::new()
    };
    view! { <time datetime=at.to_rfc3339() class="time" data-js-local=local>{text}</time> }
}

/// The browser's offset from UTC, in minutes to add to a local time to get UTC (what
/// JavaScript's `getTimezoneOffset` gives), for the local date and time `local`
/// (`YYYY-MM-DDTHH:MM`), or for now when empty. `None` on the server.
pub fn browser_offset(local: &str) -> Option<i32> {
    #[cfg(feature = "hydrate")]
    {
        let date = if local.is_empty() {
            js_sys::Date::new_0()
        } else {
            js_sys::Date::new(&wasm_bindgen::JsValue::from_str(local))
        };
        let minutes = date.get_timezone_offset();
        (!minutes.is_nan()).then_some(minutes as i32)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = local;
        None
    }
}

/// "UTC+02:00" for an offset of -120 minutes (JavaScript's sign: UTC minus local).
///
/// ```
/// assert_eq!(minijira::ui::zone_label(-120), "UTC+02:00");
/// assert_eq!(minijira::ui::zone_label(210), "UTC-03:30");
/// assert_eq!(minijira::ui::zone_label(0), "UTC+00:00");
/// ```
pub fn zone_label(offset: i32) -> String {
    let east = -offset;
    let sign = if east < 0 { '-' } else { '+' };
    format!("UTC{sign}{:02}:{:02}", east.abs() / 60, east.abs() % 60)
}

/// A name's initials (an avatar's letters).
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

/// A page's title and its `<meta name="description">`.
#[component]
pub fn PageHead(#[prop(into)] title: String, #[prop(into)] description: String) -> impl IntoView {
    view! {
        <leptos_meta::Title text=title/>
        <leptos_meta::Meta name="description" content=description/>
    }
}

/// Shows `children` to a signed-in user; anyone else is sent to the sign-in form, and back here
/// afterwards (when the page is rendered on the server, by a redirect: no JavaScript needed).
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let auth = expect_context::<context::Auth>();
    view! {
        <Transition fallback=Loading>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(_)) => children().into_any(),
                        Ok(None) => view! { <ErrorView error=AppError::Unauthorized/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
