//! Messages: my conversations, one conversation (live), and starting one.

use crate::messages::api::*;
use crate::messages::model::*;
use crate::ui::PageHead;
use crate::ui::SignedIn;
use crate::ui::{initials, ErrorView, FormError, Loading, LocalTime};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// My conversations, most recent first. The list is a `data-js-live-refresh` region: the page's
/// live feed (`public/shell.js`) fetches the page again and swaps it in when the unread total
/// moves.
#[component]
pub fn MessagesPage() -> impl IntoView {
    let query = use_query_map();
    let cursor = move || query.read().get("cursor");
    let list = Resource::new(cursor, list_conversations);
    view! {
        <PageHead title="Messages" description="Your conversations, newest first."/>
        <section class="card">
            <div class="row-between">
                <h1>"Messages"</h1>
                <a href="/messages/new" class="button" data-testid="new-conversation">"New conversation"</a>
            </div>
            <div data-js-swap="conversations" data-js-live-refresh="">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(page) if page.items.is_empty() && cursor().is_none() => view! {
                            <p class="muted">"No conversations yet. Start one with anyone in the directory."</p>
                        }
                        .into_any(),
                        Ok(page) => view! {
                            <ul class="conversations" data-testid="conversations">
                                {page.items.into_iter().map(|c| view! { <ConversationRow c/> }).collect_view()}
                            </ul>
                            {page.next.map(|n| view! {
                                <p class="pager"><a href=format!("/messages?cursor={}", crate::util::url_encode(&n))>"Older conversations »"</a></p>
                            })}
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
            </div>
        </section>
    }
}

#[component]
fn ConversationRow(c: ConversationSummary) -> impl IntoView {
    let preview = if c.last_message.is_empty() {
        "No messages yet".to_owned()
    } else if c.last_from_me {
        format!("You: {}", c.last_message)
    } else {
        c.last_message.clone()
    };
    view! {
        <li class={if c.unread > 0 { "conversation unread" } else { "conversation" }} data-testid="conversation">
            <a href=format!("/messages/{}", c.id)>
                <span class="avatar" aria-hidden="true">{initials(&c.other.display_name)}</span>
                <span class="who">
                    <span class="name">{c.other.display_name.clone()}</span>
                    <span class="handle">{format!("@{}", c.other.handle)}</span>
                </span>
                <span class="preview">{preview}</span>
                <LocalTime at=c.last_at/>
                {(c.unread > 0).then(|| view! { <span class="badge-count" data-testid="unread">{c.unread}</span> })}
            </a>
        </li>
    }
}

/// One conversation: the newest page (older pages by link), and new messages as they come.
#[component]
pub fn ConversationView() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let older = move || query.read().get("older");
    let page = Resource::new(
        move || (id(), older()),
        |(id, older)| get_conversation(id, older),
    );
    let send = ServerAction::<SendMessage>::new();
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let newest = older().is_none();
                        let older_link = p.older.clone().map(|c| format!("/messages/{}?older={}", p.id, crate::util::url_encode(&c)));
                        let newest_link = (!newest).then(|| format!("/messages/{}", p.id));
                        // The live feed follows the newest page from its last message.
                        let after = newest.then(|| p.messages.last().map(|m| m.id.clone()).unwrap_or_else(|| "0".into()));
                        let other = p.other.clone();
                        let (conversation, followed) = (p.id.clone(), newest.then(|| p.id.clone()));
                        view! {
                            <PageHead title=format!("{} · Messages", other.display_name) description=format!("Your conversation with {}.", other.display_name)/>
                            <section class="card conversation-page" data-js-conversation=followed data-js-after=after>
                                <header class="row-between">
                                    <h1><a href=format!("/u/{}", other.handle)>{other.display_name.clone()}</a>
                                        <span class="muted small">{format!(" @{}", other.handle)}</span></h1>
                                    <a href="/messages">"All conversations"</a>
                                </header>
                                {older_link.map(|href| view! { <p class="center"><a href=href data-testid="load-older">"Load older messages"</a></p> })}
                                <Thread other=other.id.clone() messages=p.messages live=newest/>
                                // A plain form: without JavaScript the server sends the browser
                                // back here; with it, shell.js posts it and hands the sent
                                // message to the thread (`data-js-on-success`), like the live
                                // feed's.
                                <ActionForm action=send attr:class="composer" attr:data-js-on-success="minijira:message">
                                    <input type="hidden" name="conversation" value=conversation/>
                                    <label class="sr-only" for="body">"Message"</label>
                                    <textarea id="body" name="body" rows="2" required maxlength=MAX_MESSAGE.to_string()
                                        placeholder="Write a message"></textarea>
                                    <button type="submit">"Send"</button>
                                </ActionForm>
                                <FormError/>
                                {newest_link.map(|href| view! { <p class="center"><a href=href>"Newest messages »"</a></p> })}
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

/// The messages (an island: the only part of the page with code in the browser). New ones —
/// the live feed's and those sent from this page — come from `public/shell.js` as
/// `minijira:message` events (and `window.minijiraInbox`, for an island that hydrates after
/// they came); each goes where its id puts it, once.
#[island]
fn Thread(
    other: String,
    messages: Vec<Message>,
    /// The newest page: new messages are added.
    live: bool,
) -> impl IntoView {
    let oldest = messages.first().map(|m| m.id.clone());
    let all = RwSignal::new(messages);
    if live {
        inbox::follow(move |m: Message| {
            let after_oldest = oldest.as_ref().is_none_or(|o| m.id > *o);
            all.update(|v| {
                if after_oldest && !v.iter().any(|x| x.id == m.id) {
                    v.push(m);
                    v.sort_by(|a, b| a.id.cmp(&b.id));
                }
            })
        });
    }
    view! {
        <ol class="thread" data-testid="thread">
            <For each=move || all.get() key=|m| m.id.clone() let:m>
                <li class=if m.author.id != other { "msg mine" } else { "msg" } data-testid="message">
                    <p class="body">{m.body.clone()}</p>
                    <p class="meta"><LocalTime at=m.sent_at/></p>
                </li>
            </For>
        </ol>
    }
}

/// The browser side of the hand-over from `public/shell.js`.
mod inbox {
    use super::Message;

    #[cfg(feature = "hydrate")]
    pub fn follow(add: impl Fn(Message) + 'static) {
        use wasm_bindgen::{closure::Closure, JsCast};
        let Some(window) = web_sys::window() else {
            return;
        };
        let take = move |data: wasm_bindgen::JsValue| {
            if let Some(m) = data
                .as_string()
                .and_then(|d| serde_json::from_str::<Message>(&d).ok())
            {
                add(m);
            }
        };
        // Those that came before this island woke up.
        if let Ok(inbox) = js_sys::Reflect::get(&window, &"minijiraInbox".into()) {
            if let Some(inbox) = inbox.dyn_ref::<js_sys::Array>() {
                inbox.for_each(&mut |d, _, _| take(d));
            }
        }
        let on_message =
            Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
                take(e.detail())
            });
        let _ = window.add_event_listener_with_callback(
            "minijira:message",
            on_message.as_ref().unchecked_ref(),
        );
        // One listener for the life of the page.
        on_message.forget();
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn follow(add: impl Fn(Message) + 'static) {
        let _ = add;
    }
}

/// Start (or reopen) a conversation by handle, with a first message.
#[component]
pub fn NewConversationPage() -> impl IntoView {
    let query = use_query_map();
    let to = move || query.read().get("to").unwrap_or_default();
    let start = ServerAction::<StartConversation>::new();
    view! { <SignedIn>
        <PageHead title="New conversation" description="Write to someone by their handle."/>
        <section class="card narrow-wide">
            <h1>"New conversation"</h1>
            <ActionForm action=start>
                <label>"To (handle)" <input type="text" name="handle" required maxlength="21" value=to placeholder="handle"/></label>
                <label>"Message" <textarea name="body" rows="4" maxlength=MAX_MESSAGE.to_string()></textarea></label>
                <p class="hint">"If you already talk with this person, the message goes into that conversation."</p>
                <FormError/>
                <button type="submit">"Send"</button>
            </ActionForm>
        </section>
    </SignedIn> }
}
