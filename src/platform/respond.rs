//! How a server function's result becomes a response: the error's status code (and its
//! message, percent-encoded, in `x-error` for the enhanced forms of `public/shell.js`), and
//! for a plain HTML form post (no JavaScript) a redirect back to the form with the message.

use crate::error::{set_status, AppError, ErrorSeal};
use crate::util::url_encode;
use http::request::Parts;
use http::{header, HeaderName, HeaderValue, Method, StatusCode};
use leptos::prelude::use_context;

/// Call on every server function's result.
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        if let Some(back) = use_context::<Parts>().and_then(|p| form_post_back(&p, err)) {
            leptos_axum::redirect(&back);
        } else {
            set_status(err.status());
            if let (Some(res), Ok(message)) = (
                use_context::<leptos_axum::ResponseOptions>(),
                HeaderValue::from_str(&url_encode(&err.to_string())),
            ) {
                res.insert_header(HeaderName::from_static("x-error"), message);
            }
        }
    }
    result
}

/// For a plain form post, the page it came from with `error=<message>` in its query.
fn form_post_back(parts: &Parts, err: &AppError) -> Option<String> {
    let accepts_html = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if parts.method != Method::POST || !accepts_html {
        return None;
    }
    let referer: http::Uri = parts
        .headers
        .get(header::REFERER)?
        .to_str()
        .ok()?
        .parse()
        .ok()?;
    // Keep only the path and query: the form is on this site.
    let (path, query) = (referer.path(), referer.query().unwrap_or(""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("error=") && !kv.starts_with("es="))
        .collect();
    let message = err.to_string();
    let seal = use_context::<ErrorSeal>()?.seal(&message);
    let encoded = format!("error={}&es={seal}", url_encode(&message));
    params.push(&encoded);
    Some(format!(
        "{}?{}",
        crate::util::safe_next(Some(path)),
        params.join("&")
    ))
}

/// For plain axum handlers and extractors: the status and the safe message.
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, self.to_string()).into_response()
    }
}
