//! Messages: my conversations, one conversation (live), and starting one.

use crate::messages::api::*;
use crate::messages::model::*;
use crate::ui::context::Live;
use crate::ui::PageHead;
use crate::ui::SignedIn;
use crate::ui::{action_error, initials, ErrorView, FormError, Loading, LocalTime};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// My conversations, most recent first; refreshed whenever the live feed sees news.
#[component]
pub fn MessagesPage() -> impl IntoView {
    let live = expect_context::<Live>();
    let query = use_query_map();
    let cursor = move || query.read().get("cursor");
    let list = Resource::new(
        move || (cursor(), live.changes.get()),
        |(c, _)| list_conversations(c),
    );
    view! {
        <PageHead title="Messages" description="Your conversations, newest first."/>
        <section class="card">
            <div class="row-between">
                <h1>"Messages"</h1>
                <a href="/messages/new" class="button" data-testid="new-conversation">"New conversation"</a>
            </div>
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

/// One conversation: the newest page, older pages on demand, and new messages as they come.
#[component]
pub fn ConversationView() -> impl IntoView {
    let live = expect_context::<Live>();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let older = move || query.read().get("older");
    let page = Resource::new(
        move || (id.get(), older()),
        |(id, older)| get_conversation(id, older),
    );
    let send = ServerAction::<SendMessage>::new();
    let error = action_error(send.value());
    // Messages sent from this page or received live since it loaded.
    let extra = RwSignal::new(Vec::<Message>::new());
    let input = NodeRef::<leptos::html::Textarea>::new();

    let add = move |m: Message| {
        extra.update(|v| {
            if !v.iter().any(|x| x.id == m.id) {
                v.push(m);
                v.sort_by(|a, b| a.id.cmp(&b.id));
            }
        })
    };
    // The newest page opens the live feed of this conversation; an older page closes it.
    Effect::new(move |_| {
        if let Some(Ok(p)) = page.get() {
            extra.set(Vec::new());
            if older().is_none() {
                let last = p
                    .messages
                    .last()
                    .map(|m| m.id.clone())
                    .unwrap_or_else(|| "0".into());
                live.open.set(Some((p.id.clone(), last)));
            } else {
                live.open.set(None);
            }
        }
    });
    Effect::new(move |_| {
        let incoming = live.incoming.get();
        if !incoming.is_empty() {
            live.incoming.set(Vec::new());
            if older().is_none() {
                for m in incoming {
                    add(m);
                }
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(m)) = send.value().get() {
            // Shown at once, but the feed's position does not move past it: a message the
            // other person sent just before (still in flight) must not be skipped.
            add(m);
            if let Some(el) = input.get() {
                el.set_value("");
            }
        }
    });
    on_cleanup(move || live.open.set(None));

    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let shown: Vec<String> = p.messages.iter().map(|m| m.id.clone()).collect();
                        let other = p.other.clone();
                        let conversation = p.id.clone();
                        let older_link = p.older.clone().map(|c| format!("/messages/{}?older={}", p.id, crate::util::url_encode(&c)));
                        let newest_link = older().is_some().then(|| format!("/messages/{}", p.id));
                        let render = {
                            let other_id = other.id.clone();
                            move |m: &Message| {
                                let mine = m.author.id != other_id;
                                view! {
                                    <li class=if mine { "msg mine" } else { "msg" } data-testid="message">
                                        <p class="body">{m.body.clone()}</p>
                                        <p class="meta"><LocalTime at=m.sent_at/></p>
                                    </li>
                                }
                            }
                        };
                        // The page's messages and those the feed brought, in one time order
                        // (a late one goes where it belongs), none older than the page.
                        let page_messages = p.messages.clone();
                        let oldest = page_messages.first().map(|m| m.id.clone());
                        let thread = move || {
                            let mut all = page_messages.clone();
                            for m in extra.get() {
                                let after_oldest = oldest.as_ref().is_none_or(|o| m.id > *o);
                                if after_oldest && !shown.contains(&m.id) {
                                    all.push(m);
                                }
                            }
                            all.sort_by(|a, b| a.id.cmp(&b.id));
                            all.iter().map(render.clone()).collect_view()
                        };
                        view! {
                            <PageHead title=format!("{} · Messages", other.display_name) description=format!("Your conversation with {}.", other.display_name)/>
                            <section class="card conversation-page">
                                <header class="row-between">
                                    <h1><a href=format!("/u/{}", other.handle)>{other.display_name.clone()}</a>
                                        <span class="muted small">{format!(" @{}", other.handle)}</span></h1>
                                    <a href="/messages">"All conversations"</a>
                                </header>
                                {older_link.map(|href| view! { <p class="center"><a href=href data-testid="load-older">"Load older messages"</a></p> })}
                                <ol class="thread" data-testid="thread">{thread}</ol>
                                {newest_link.map(|href| view! { <p class="center"><a href=href>"Newest messages »"</a></p> })}
                                <ActionForm action=send attr:class="composer">
                                    <input type="hidden" name="conversation" value=conversation/>
                                    <label class="sr-only" for="body">"Message"</label>
                                    <textarea id="body" name="body" rows="2" required maxlength=MAX_MESSAGE.to_string()
                                        placeholder="Write a message" node_ref=input></textarea>
                                    <button type="submit" disabled=send.pending()>"Send"</button>
                                </ActionForm>
                                <FormError error/>
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

/// Start (or reopen) a conversation by handle, with a first message.
#[component]
pub fn NewConversationPage() -> impl IntoView {
    let query = use_query_map();
    let to = move || query.read().get("to").unwrap_or_default();
    let start = ServerAction::<StartConversation>::new();
    let error = action_error(start.value());
    view! { <SignedIn>
        <PageHead title="New conversation" description="Write to someone by their handle."/>
        <section class="card narrow-wide">
            <h1>"New conversation"</h1>
            <ActionForm action=start>
                <label>"To (handle)" <input type="text" name="handle" required maxlength="21" value=to placeholder="handle"/></label>
                <label>"Message" <textarea name="body" rows="4" maxlength=MAX_MESSAGE.to_string()></textarea></label>
                <p class="hint">"If you already talk with this person, the message goes into that conversation."</p>
                <FormError error/>
                <button type="submit" disabled=start.pending()>"Send"</button>
            </ActionForm>
        </section>
    </SignedIn> }
}
