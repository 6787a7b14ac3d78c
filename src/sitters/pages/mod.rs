//! The Sitters pages: hub, browse, post, job page, my profile.

use crate::accounts::model::AccountKind;
use crate::sitters::api::*;
use crate::sitters::model::*;
use crate::ui::context::Auth;
use crate::ui::PageHead;
use crate::ui::SignedIn;
use crate::ui::{browser_offset, zone_label, ErrorView, FormError, Loading, LocalTime, TimeStyle};
use crate::util::url_encode;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// When a job is, in the reader's time zone (UTC before hydration, labelled).
#[component]
fn When(job: Job) -> impl IntoView {
    view! {
        <span data-testid="job-when">
            <LocalTime at=job.starts_at style=TimeStyle::DayAndTime/>
            " → "
            <LocalTime at=job.ends_at style=TimeStyle::Time/>
        </span>
    }
}

#[component]
fn JobCard(job: Job) -> impl IntoView {
    view! {
        <li class="job" data-testid="job">
            <a href=format!("/sitters/jobs/{}", job.id) class="title">{job.job_type.clone()}</a>
            <span>{job.city.clone()}</span>
            <span class="muted small"><When job=job.clone()/></span>
            <span class="muted small">{format!("{} kid{} · {}", job.kids, if job.kids == 1 { "" } else { "s" }, format_money(job.cost_cents))}</span>
            <span class="muted small">{format!("{} application{}", job.application_count, if job.application_count == 1 { "" } else { "s" })}</span>
            <span class=format!("tag job-{}", job.status.label())>{job.status.label()}</span>
        </li>
    }
}

/// My corner of Sitters: my jobs (parent) or my applications (nanny).
#[component]
pub fn SittersHub() -> impl IntoView {
    let home = Resource::new(|| (), |_| sitters_home());
    view! {
        <PageHead title="Sitters" description="Your jobs or your applications on the sitters board."/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(h) => view! {
                        <section class="card">
                            <div class="row-between">
                                <h1>"Sitters"</h1>
                                <span class="actions">
                                    <a href="/sitters/jobs">"Browse open jobs"</a>
                                    {(h.kind == AccountKind::Parent).then(|| view! { <a href="/sitters/jobs/new" class="button" data-testid="post-job">"Post a job"</a> })}
                                    {(h.kind != AccountKind::Member).then(|| view! { <a href="/sitters/profile" class="button secondary">"My sitter profile"</a> })}
                                </span>
                            </div>
                            {match h.kind {
                                AccountKind::Parent => view! {
                                    <h2>"My jobs"</h2>
                                    {h.jobs.is_empty().then(|| view! { <p class="muted">"No jobs yet."</p> })}
                                    <ul class="jobs" data-testid="my-jobs">{h.jobs.into_iter().map(|job| view! { <JobCard job/> }).collect_view()}</ul>
                                }.into_any(),
                                AccountKind::Nanny => view! {
                                    <h2>"My applications"</h2>
                                    {h.applications.is_empty().then(|| view! { <p class="muted">"No applications yet: browse the open jobs."</p> })}
                                    <ul class="jobs" data-testid="my-applications">
                                        {h.applications.into_iter().map(|a| view! {
                                            <li class="job">
                                                <a href=format!("/sitters/jobs/{}", a.job_id) class="title">{a.job_type.clone()}</a>
                                                <span>{a.job_city.clone()}</span>
                                                <span class="muted small"><LocalTime at=a.job_starts_at style=TimeStyle::DayAndTime/></span>
                                                <span class=format!("tag app-{}", a.status.label()) data-testid="application-status">{a.status.label()}</span>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                                AccountKind::Member => view! {
                                    <p class="muted">"Sitters is for parents and nannies. Your account is a team member's: browse the jobs, or create a parent or nanny account to take part."</p>
                                }.into_any(),
                            }}
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Open jobs, newest first, by city.
#[component]
pub fn JobsBrowse() -> impl IntoView {
    let query = use_query_map();
    let city = move || query.read().get("city").unwrap_or_default();
    let cursor = move || query.read().get("cursor");
    let jobs = Resource::new(
        move || (city(), cursor()),
        |(c, cursor)| open_jobs(Some(c), cursor),
    );
    view! {
        <PageHead title="Open jobs" description="Open babysitting jobs, newest first, by city."/>
        <section class="card">
            <div class="row-between">
                <h1>"Open jobs"</h1>
                <a href="/sitters">"My Sitters page"</a>
            </div>
            <form method="get" action="/sitters/jobs" class="search" role="search">
                <input type="search" name="city" placeholder="City" value=city maxlength="60" aria-label="City"/>
                <button type="submit">"Filter"</button>
            </form>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match jobs.await {
                        Ok(page) => {
                            let next = page.next.clone().map(|n| format!("/sitters/jobs?city={}&cursor={}", url_encode(&city()), url_encode(&n)));
                            view! {
                                {page.items.is_empty().then(|| view! { <p class="muted">"No open jobs here right now."</p> })}
                                <ul class="jobs" data-testid="open-jobs">{page.items.into_iter().map(|job| view! { <JobCard job/> }).collect_view()}</ul>
                                {next.map(|href| view! { <p class="pager"><a href=href>"More jobs »"</a></p> })}
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn NewJobPage() -> impl IntoView {
    let post = ServerAction::<PostJob>::new();
    view! { <SignedIn>
        <PageHead title="Post a job" description="Post a babysitting job for nannies to apply to."/>
        <section class="card narrow-wide">
            <h1>"Post a job"</h1>
            <ActionForm action=post>
                <label>"Type of job" <input type="text" name="job_type" required maxlength="80" placeholder="Evening babysitting"/></label>
                <JobTimes/>
                <label>"Address (shown only to the nanny you book)" <input type="text" name="address" maxlength="200"/></label>
                <label>"City" <input type="text" name="city" required maxlength="60"/></label>
                <div class="two">
                    <label>"Latitude" <input type="text" name="lat" inputmode="decimal" placeholder="optional"/></label>
                    <label>"Longitude" <input type="text" name="lon" inputmode="decimal" placeholder="optional"/></label>
                </div>
                <div class="two">
                    <label>"Number of kids" <input type="number" name="kids" min="1" max="12" value="1" required/></label>
                    <label>"Pay (total)" <input type="text" name="cost" required inputmode="decimal" placeholder="45.00"/></label>
                </div>
                <label>"Description" <textarea name="description" rows="3" maxlength="2000"></textarea></label>
                <FormError/>
                <button type="submit">"Post the job"</button>
            </ActionForm>
        </section>
    </SignedIn> }
}

/// A job: details, the parent, and what the viewer can do (apply, book, cancel, review, talk).
#[component]
pub fn JobView() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let actions = JobActions {
        apply: ServerAction::<ApplyToJob>::new(),
        book: ServerAction::<BookNanny>::new(),
        cancel: ServerAction::<CancelJob>::new(),
        review: ServerAction::<ReviewJob>::new(),
    };
    let page = Resource::new(
        move || {
            (
                id.get(),
                actions.apply.version().get(),
                actions.book.version().get(),
                actions.cancel.version().get(),
                actions.review.version().get(),
            )
        },
        |(id, ..)| get_job_page(id),
    );
    // Set by the review's redirect back to this page.
    let reviewed = Signal::derive(move || query.read().get("reviewed").is_some());
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let me = auth.user.await.ok().flatten();
                match page.await {
                    Ok(p) => {
                        let is_nanny = me.as_ref().is_some_and(|m| m.kind == AccountKind::Nanny);
                        let mine = p.applications.iter().find(|a| me.as_ref().is_some_and(|m| m.id == a.nanny.id)).cloned();
                        let open = p.job.status == JobStatus::Open;
                        let job_id = p.job.id.clone();
                        view! {
                            <JobDetails p=p.clone()/>
                            {(is_nanny && open && mine.is_none()).then(|| view! { <ApplyCard job_id=job_id.clone() apply=actions.apply/> })}
                            {mine.filter(|_| !p.is_owner).map(|a| view! {
                                <section class="card">
                                    <p>"Your application: " <span class=format!("tag app-{}", a.status.label()) data-testid="my-status">{a.status.label()}</span></p>
                                </section>
                            })}
                            {p.is_owner.then(|| view! { <ApplicationsCard p=p.clone() actions/> })}
                            {p.can_review.then(|| view! { <ReviewCard job_id=job_id.clone() review=actions.review reviewed/> })}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The actions of a job's page.
#[derive(Clone, Copy)]
struct JobActions {
    apply: ServerAction<ApplyToJob>,
    book: ServerAction<BookNanny>,
    cancel: ServerAction<CancelJob>,
    review: ServerAction<ReviewJob>,
}

/// A job's facts, its parent's profile, and a way to message the parent.
#[component]
fn JobDetails(p: JobPage) -> impl IntoView {
    let job = p.job;
    view! {
        <PageHead title=job.job_type.clone() description=format!("{} in {}: a babysitting job.", job.job_type, job.city)/>
        <section class="card">
            <div class="row-between">
                <h1 data-testid="job-title">{job.job_type.clone()}</h1>
                <span class=format!("tag job-{}", job.status.label()) data-testid="job-status">{job.status.label()}</span>
            </div>
            <dl class="facts">
                <dt>"When"</dt><dd><When job=job.clone()/></dd>
                <dt>"Where"</dt><dd>{if job.address.is_empty() { job.city.clone() } else { format!("{}, {}", job.address, job.city) }}</dd>
                <dt>"Kids"</dt><dd>{job.kids}</dd>
                <dt>"Pay"</dt><dd>{format_money(job.cost_cents)}</dd>
                <dt>"Parent"</dt><dd>
                    <a href=format!("/u/{}", job.parent.handle)>{job.parent.display_name.clone()}</a>
                    {p.parent.as_ref().and_then(|s| s.average).map(|a| format!(" · {a:.1}/5"))}
                </dd>
                {job.accepted.clone().map(|n| view! { <dt>"Booked"</dt><dd><a href=format!("/u/{}", n.handle)>{n.display_name.clone()}</a></dd> })}
            </dl>
            {(!job.description.is_empty()).then(|| view! { <p class="description">{job.description.clone()}</p> })}
            {p.parent.clone().map(|s| view! {
                <div class="parent-card" data-testid="parent-profile">
                    <h2>{format!("About the family: {}", s.full_name)}</h2>
                    <p class="muted">{format!(
                        "{} · {} · {}",
                        s.city,
                        s.kids.map(|k| format!("{k} kid{}", if k == 1 { "" } else { "s" })).unwrap_or_default(),
                        s.average.map(|a| format!("rated {a:.1}/5 by {} nann{}", s.rating_count, if s.rating_count == 1 { "y" } else { "ies" })).unwrap_or_else(|| "no reviews yet".into())
                    )}</p>
                    {(!s.about.is_empty()).then(|| view! { <p>{s.about.clone()}</p> })}
                </div>
            })}
            {(!p.is_owner).then(|| view! {
                <p><a href=format!("/messages/new?to={}", job.parent.handle) class="button secondary">"Message the parent"</a></p>
            })}
            <FormError/>
        </section>
    }
}

/// A nanny's application to an open job.
#[component]
fn ApplyCard(job_id: String, apply: ServerAction<ApplyToJob>) -> impl IntoView {
    view! {
        <section class="card">
            <h2 id="apply-title">"Apply"</h2>
            <ActionForm action=apply attr:aria-labelledby="apply-title">
                <input type="hidden" name="job_id" value=job_id/>
                <label>"A note for the parent" <textarea name="message" rows="2" maxlength="1000"></textarea></label>
                <button type="submit" data-testid="apply">"Apply"</button>
            </ActionForm>
        </section>
    }
}

/// The owner's view of the applications: book one, or cancel the job.
#[component]
fn ApplicationsCard(p: JobPage, actions: JobActions) -> impl IntoView {
    let open = p.job.status == JobStatus::Open;
    let apps = p.applications;
    let job_id = p.job.id;
    view! {
        <section class="card">
            <h2 id="applications-title">{format!("Applications ({})", apps.len())}</h2>
            {apps.is_empty().then(|| view! { <p class="muted">"No applications yet."</p> })}
            <ul class="applications" data-testid="applications">
                {apps.into_iter().map(|a| {
                    let jid = job_id.clone();
                    let nid = a.nanny.id.clone();
                    view! {
                        <li data-testid="application">
                            <a href=format!("/u/{}", a.nanny.handle)>{a.nanny.display_name.clone()}</a>
                            <span class="muted small"><LocalTime at=a.applied_at/></span>
                            <span class="muted">{a.message.clone()}</span>
                            <span class=format!("tag app-{}", a.status.label())>{a.status.label()}</span>
                            <a href=format!("/messages/new?to={}", a.nanny.handle) class="small">"Message"</a>
                            {(open && a.status == ApplicationStatus::Pending).then(|| view! {
                                <ActionForm action=actions.book attr:aria-label=format!("Book {}", a.nanny.display_name)>
                                    <input type="hidden" name="job_id" value=jid/>
                                    <input type="hidden" name="nanny_id" value=nid/>
                                    <button type="submit" class="small" data-testid="book">"Book"</button>
                                </ActionForm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {open.then(|| view! {
                <ActionForm action=actions.cancel attr:aria-label="Cancel this job">
                    <input type="hidden" name="job_id" value=job_id.clone()/>
                    <button type="submit" class="secondary">"Cancel this job"</button>
                </ActionForm>
            })}
        </section>
    }
}

/// The review of a booked job that ended (once; then a thank-you).
#[component]
fn ReviewCard(
    job_id: String,
    review: ServerAction<ReviewJob>,
    reviewed: Signal<bool>,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2 id="review-title">"Review"</h2>
            <Show when=move || reviewed.get() fallback=move || { let id = job_id.clone(); view! {
                <ActionForm action=review attr:aria-labelledby="review-title">
                    <input type="hidden" name="job_id" value=id/>
                    <fieldset class="kinds">
                        <legend>"Rating"</legend>
                        {(1..=5).map(|r| view! {
                            <label class="radio"><input type="radio" name="rating" value=r.to_string() required/>{format!("{r}★")}</label>
                        }).collect_view()}
                    </fieldset>
                    <label class="radio"><input type="checkbox" name="punctual" value="yes"/>"Punctual"</label>
                    <label class="radio"><input type="checkbox" name="again" value="yes"/>"Would book again"</label>
                    <label>"A few words" <textarea name="text" rows="2" maxlength="1000"></textarea></label>
                    <FormError/>
                    <button type="submit" data-testid="submit-review">"Send review"</button>
                </ActionForm>
            }}>
                <p class="notice" data-testid="reviewed">"Thank you for your review."</p>
            </Show>
        </section>
    }
}

/// My sitter profile (parents and nannies), with the private details only I and admins see.
#[component]
pub fn SitterProfilePage() -> impl IntoView {
    let save = ServerAction::<SaveSitterProfile>::new();
    let current = Resource::new(|| (), |_| my_sitter_profile());
    view! {
        <PageHead title="My sitter profile" description="Your public sitter profile and your private details."/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match current.await {
                    Ok((kind, p, private)) => {
                        let n = p.nanny.clone().unwrap_or_default();
                        let coord = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
                        let rate = if n.hourly_rate_cents == 0 { String::new() } else { format_money(n.hourly_rate_cents) };
                        view! {
                            <section class="card narrow-wide">
                                <h1>"My sitter profile"</h1>
                                <ActionForm action=save>
                                    <label>"Full name" <input type="text" name="full_name" required maxlength="80" value=p.full_name.clone()/></label>
                                    <label>"City" <input type="text" name="city" required maxlength="60" value=p.city.clone()/></label>
                                    <div class="two">
                                        <label>"Latitude" <input type="text" name="lat" value=coord(p.lat)/></label>
                                        <label>"Longitude" <input type="text" name="lon" value=coord(p.lon)/></label>
                                    </div>
                                    {(kind == AccountKind::Parent).then(|| view! {
                                        <label>"Number of kids" <input type="number" name="kids" min="1" max="12" value=p.kids.unwrap_or(1).to_string()/></label>
                                    })}
                                    {(kind == AccountKind::Nanny).then(|| view! {
                                        <label>"Date of birth (only your age is shown)" <input type="date" name="date_of_birth" value=n.date_of_birth.map(|d| d.to_string()).unwrap_or_default()/></label>
                                        <label>"Gender" <input type="text" name="gender" maxlength="30" value=n.gender.clone()/></label>
                                        <label>"Languages (comma-separated)" <input type="text" name="languages" value=n.languages.join(", ")/></label>
                                        <label>"Hourly rate" <input type="text" name="hourly_rate" inputmode="decimal" value=rate/></label>
                                        <label>"Education" <input type="text" name="education" maxlength="200" value=n.education.clone()/></label>
                                        <label>"Activities offered (comma-separated)" <input type="text" name="activities" value=n.activities.join(", ")/></label>
                                        <label class="radio"><input type="checkbox" name="smokes" value="yes" checked=n.smokes/>"I smoke"</label>
                                        <label class="radio"><input type="checkbox" name="drinks" value="yes" checked=n.drinks/>"I drink alcohol"</label>
                                    })}
                                    <label>"About" <textarea name="about" rows="3" maxlength="2000">{p.about.clone()}</textarea></label>
                                    <fieldset>
                                        <legend>"Private: only you and administrators see these"</legend>
                                        <label>"Phone" <input type="tel" name="phone" maxlength="30" value=private.phone.clone()/></label>
                                        <label>"Identity document number" <input type="text" name="id_document" maxlength="40" value=private.id_document.clone()/></label>
                                    </fieldset>
                                    <FormError/>
                                    <button type="submit">"Save profile"</button>
                                </ActionForm>
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

/// A job's start and end, entered in the browser's time zone once hydrated (its offset for each
/// entered date goes with the form); in UTC without JavaScript, and labelled so. An island.
#[island]
fn JobTimes() -> impl IntoView {
    let zone = RwSignal::new("UTC".to_owned());
    let starts_offset = RwSignal::new(String::new());
    let ends_offset = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(now) = browser_offset("") {
            zone.set(format!("your time, {}", zone_label(now)));
            starts_offset.set(now.to_string());
            ends_offset.set(now.to_string());
        }
    });
    let follow = move |offset: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            if let Some(m) = browser_offset(&event_target_value(&ev)) {
                offset.set(m.to_string());
            }
        }
    };
    view! {
        <div class="two">
            <label>"Starts (" <span data-testid="zone">{move || zone.get()}</span> ")"
                <input type="datetime-local" name="starts_at" required on:input=follow(starts_offset)/></label>
            <label>"Ends (" {move || zone.get()} ")"
                <input type="datetime-local" name="ends_at" required on:input=follow(ends_offset)/></label>
            <input type="hidden" name="starts_offset" prop:value=move || starts_offset.get()/>
            <input type="hidden" name="ends_offset" prop:value=move || ends_offset.get()/>
        </div>
    }
}
