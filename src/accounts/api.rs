//! Server functions of Accounts: sign-up, sign-in, sign-out, the people directory, and the
//! admins' account list.
//!
//! Layer rule (every area's `api`): parse the input, take the user from the verified session
//! (never from the request), call `rules`, and pass the result through `finish`. A server
//! function never calls a store.

use crate::accounts::model::{
    AccountPage, AccountRow, EmailForm, NameForm, PasswordForm, PersonSummary, SessionUser,
    SignInForm, SignUpForm,
};
use crate::error::AppError;
use crate::model::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::accounts::rules;
#[cfg(feature = "ssr")]
use crate::platform::context::serve;

/// People per page of the directory.
pub const DIRECTORY_PAGE: i32 = 12;

/// Creates an account and signs it in, then goes to `next` (a local path) or home.
#[server]
pub async fn sign_up(#[server(flatten)] form: SignUpForm) -> Result<(), AppError> {
    serve(|cx| async move {
        let user = rules::sign_up(&cx.store, &cx.kit.settings.public_url, &form).await?;
        cx.start_session(&user.session(), &user.state()).await?;
        leptos_axum::redirect(&crate::util::safe_next(form.next.as_deref()));
        Ok(())
    })
    .await
}

#[server]
pub async fn sign_in(#[server(flatten)] form: SignInForm) -> Result<(), AppError> {
    serve(|cx| async move {
        let user =
            rules::sign_in_from(&cx.store, &cx.client_addr(), &form.email, &form.password).await?;
        cx.start_session(&user.session(), &user.state()).await?;
        leptos_axum::redirect(&crate::util::safe_next(form.next.as_deref()));
        Ok(())
    })
    .await
}

#[server]
pub async fn sign_out() -> Result<(), AppError> {
    serve(|cx| async move {
        cx.end_session();
        if let Some(me) = cx.maybe_user() {
            rules::sign_out(&cx.store, &me.id, cx.sid().as_deref()).await?;
            cx.kit.sessions.end(&me.id);
        }
        leptos_axum::redirect("/signin");
        Ok(())
    })
    .await
}

/// Confirms an email address by the link mailed to it (in any browser, signed in or not);
/// a browser signed in to that account gets a session that says so (the banner goes).
#[server]
pub async fn confirm_email(token: String) -> Result<(), AppError> {
    serve(|cx| async move {
        let user = rules::confirm_email(&cx.store, &token).await?;
        cx.kit.sessions.forget(&user.id);
        if cx.maybe_user().is_some_and(|me| me.id == user.id) {
            cx.renew_session(&user.session(), &user.state()).await?;
        }
        leptos_axum::redirect("/confirm?done=1");
        Ok(())
    })
    .await
}

/// Mails the signed-in person a new confirmation link.
#[server]
pub async fn resend_confirmation() -> Result<(), AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        rules::resend_confirmation(&cx.store, &cx.kit.settings.public_url, &me).await
    })
    .await
}

/// Mails a link to set a new password, if an account uses `email`; the answer is the same
/// either way (the page says what it always says).
#[server]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    serve(|cx| async move {
        rules::forgot_password(
            &cx.store,
            cx.store.detached(),
            &cx.kit.settings.public_url,
            &cx.client_addr(),
            &email,
        )
        .await?;
        leptos_axum::redirect("/forgot?sent=1");
        Ok(())
    })
    .await
}

/// Sets a new password by the mailed link; every session of the account ends (this browser's
/// too), and the person signs in with the new password.
#[server]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    serve(|cx| async move {
        let id = rules::reset_password(&cx.store, &token, &password).await?;
        cx.kit.sessions.end(&id);
        cx.end_session();
        leptos_axum::redirect("/signin?reset=1");
        Ok(())
    })
    .await
}

/// My account as `/account` shows it.
#[server]
pub async fn get_account() -> Result<AccountPage, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        rules::account_page(&cx.store, &me, cx.sid().as_deref()).await
    })
    .await
}

/// Changes my display name (my session shows it at once).
#[server]
pub async fn change_name(#[server(flatten)] form: NameForm) -> Result<(), AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let user = rules::change_name(&cx.store, &me, &form).await?;
        cx.renew_session(&user.session(), &user.state()).await?;
        leptos_axum::redirect("/account?saved=name");
        Ok(())
    })
    .await
}

/// Asks to change my email address: a link goes to the new one.
#[server]
pub async fn change_email(#[server(flatten)] form: EmailForm) -> Result<(), AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        rules::ask_email_change(&cx.store, &cx.kit.settings.public_url, &me, &form).await?;
        leptos_axum::redirect("/account?saved=email");
        Ok(())
    })
    .await
}

/// Changes my password: every other session of mine ends (on every instance); this one goes
/// on with a new token.
#[server]
pub async fn change_password(#[server(flatten)] form: PasswordForm) -> Result<(), AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let user = rules::change_password(&cx.store, &me, cx.sid().as_deref(), &form).await?;
        cx.kit.sessions.end(&user.id);
        cx.renew_session(&user.session(), &user.state()).await?;
        leptos_axum::redirect("/account?saved=password");
        Ok(())
    })
    .await
}

/// Ends one of my sessions (another browser's; this one signs out instead).
#[server]
pub async fn end_session(sid: String) -> Result<(), AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        rules::end_my_session(&cx.store, &me, &sid).await?;
        cx.kit.sessions.end(&me.id);
        leptos_axum::redirect("/account?saved=session");
        Ok(())
    })
    .await
}

/// Ends every session of mine but this one.
#[server]
pub async fn end_other_sessions() -> Result<(), AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        rules::end_my_other_sessions(&cx.store, &me, cx.sid().as_deref()).await?;
        cx.kit.sessions.end(&me.id);
        leptos_axum::redirect("/account?saved=sessions");
        Ok(())
    })
    .await
}

/// The signed-in user, read from the verified session token (no database call).
#[server]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    serve(|cx| async move { Ok(cx.maybe_user()) }).await
}

/// The people directory, by handle prefix, one page at a time (signed-in users only).
#[server]
pub async fn list_people(
    q: String,
    cursor: Option<String>,
) -> Result<Page<PersonSummary>, AppError> {
    serve(|cx| async move {
        cx.user()?;
        rules::directory(&cx.store, &q, cursor.as_deref(), DIRECTORY_PAGE).await
    })
    .await
}

/// Accounts by status (admins only).
#[server]
pub async fn admin_accounts(
    status: String,
    cursor: Option<String>,
) -> Result<Page<AccountRow>, AppError> {
    serve(|cx| async move {
        let page =
            rules::accounts_by_status(&cx.store, &cx.user()?, &status, cursor.as_deref()).await?;
        Ok(Page {
            items: page
                .items
                .iter()
                .map(|u| AccountRow {
                    person: u.summary(),
                    email_confirmed: u.email_confirmed,
                })
                .collect(),
            next: page.next,
        })
    })
    .await
}

#[server]
pub async fn admin_set_status(user_id: String, status: String) -> Result<(), AppError> {
    serve(|cx| async move {
        rules::set_status(&cx.store, &cx.user()?, &user_id, &status).await?;
        // At once on this instance; the others see it at their next check.
        cx.kit.sessions.end(&user_id);
        Ok(())
    })
    .await
}

/// Registers this area's server functions (see `server::areas`).
#[cfg(feature = "ssr")]
pub fn register() {
    use leptos::server_fn::axum::register_explicit;
    register_explicit::<SignUp>();
    register_explicit::<SignIn>();
    register_explicit::<SignOut>();
    register_explicit::<CurrentUser>();
    register_explicit::<ConfirmEmail>();
    register_explicit::<ResendConfirmation>();
    register_explicit::<ForgotPassword>();
    register_explicit::<ResetPassword>();
    register_explicit::<GetAccount>();
    register_explicit::<ChangeName>();
    register_explicit::<ChangeEmail>();
    register_explicit::<ChangePassword>();
    register_explicit::<EndSession>();
    register_explicit::<EndOtherSessions>();
    register_explicit::<ListPeople>();
    register_explicit::<AdminAccounts>();
    register_explicit::<AdminSetStatus>();
}
