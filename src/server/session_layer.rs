//! The middleware that verifies the session cookie once per request and renews it.

use crate::accounts::store as accounts;
use crate::platform::session::{
    clear_cookie, cookie_name, cookie_values, session_cookie, DeactivatedSession, Session,
};
use crate::platform::session_guard::Verdict;
use crate::platform::Kit;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::SET_COOKIE;

/// Verifies the session cookie, then asks the session guard whether the session still holds
/// (the account may have signed out elsewhere or been deactivated: see `session_guard`). A token
/// past half its life is renewed; renewal re-reads the account, so that a changed name or
/// admin grant reaches the token.
pub async fn session_layer(State(kit): State<Kit>, mut req: Request, next: Next) -> Response {
    let now = crate::model::wall_clock().timestamp();
    let secure = kit.settings.secure_cookies;
    let cookies = cookie_values(req.headers(), cookie_name(secure));
    if cookies.len() > 1 {
        // One of them was put there by someone else (cookie tossing): which one is the
        // person's own cannot be told, so neither is used.
        let mut res = (
            http::StatusCode::BAD_REQUEST,
            "Your browser sent two session cookies. Clear this site's cookies, then sign in again.",
        )
            .into_response();
        res.headers_mut().append(SET_COOKIE, clear_cookie(secure));
        return res;
    }
    let claims = cookies.first().and_then(|t| kit.tokens.verify(t, now));
    let mut set_cookie = None;
    let clear = || Some(clear_cookie(kit.settings.secure_cookies));
    let claims = match claims {
        None => None,
        Some(c) => {
            let store = kit.store_for(req.extensions());
            // A token due for renewal is judged on a fresh read of its account (which the
            // renewal needs anyway); any other on the session guard's cached view. A token
            // that shows the address unconfirmed while the account's is confirmed (on this
            // browser or another) is renewed too: the banner goes.
            let due = kit.tokens.needs_refresh(&c, now);
            let cached = if due {
                None
            } else {
                Some(kit.sessions.check(&store, &c.sub, c.epoch, &c.sid).await)
            };
            let stale = cached == Some(Verdict::Good)
                && !c.ec
                && kit.sessions.email_confirmed(&c.sub) == Some(true);
            let (verdict, fresh_user) = match cached {
                Some(verdict) if !stale => (verdict, None),
                _ => match accounts::get(&store, &c.sub).await {
                    Ok(Some(u)) => (kit.sessions.judge(&u.state(), c.epoch, &c.sid), Some(u)),
                    Ok(None) => (Verdict::Ended, None),
                    // The database is down: keep the still-valid session; renewal waits.
                    Err(_) => (Verdict::Good, None),
                },
            };
            let claims = match (verdict, fresh_user) {
                (Verdict::Ended, _) => {
                    set_cookie = clear();
                    None
                }
                (Verdict::Deactivated, _) => {
                    set_cookie = clear();
                    req.extensions_mut().insert(DeactivatedSession);
                    None
                }
                (Verdict::Good, Some(u)) => {
                    let fresh = kit.tokens.issue(&u.session(), u.session_epoch, &c.sid, now);
                    set_cookie = fresh.as_deref().map(|t| {
                        session_cookie(t, kit.tokens.ttl_secs(), kit.settings.secure_cookies)
                    });
                    fresh.and_then(|t| kit.tokens.verify(&t, now))
                }
                (Verdict::Good, None) => Some(c),
            };
            // The session's "last seen", written at most every few minutes per instance, off
            // the request's path.
            if let Some(c) = &claims {
                if kit.sessions.touch(&c.sid) {
                    let (store, user, sid) = (store.detached(), c.sub.clone(), c.sid.clone());
                    tokio::spawn(async move {
                        if let Err(e) =
                            crate::db::account_state::touch_session(&store, &user, &sid, now).await
                        {
                            tracing::debug!(error = %e, "could not record a session as seen");
                        }
                    });
                }
            }
            claims
        }
    };
    if let Some(c) = claims {
        req.extensions_mut().insert(Session(c));
    }
    let mut res = next.run(req).await;
    if let Some(cookie) = set_cookie {
        if !res.headers().contains_key(SET_COOKIE) {
            res.headers_mut().append(SET_COOKIE, cookie);
        }
    }
    res
}
