//! The one error type that crosses the server-function boundary.
//!
//! Every variant carries only text that is safe to show to a user. Internal causes are logged on
//! the server (see [`AppError::internal`]) and never serialised.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session: the user must sign in.
    #[error("Please sign in to continue.")]
    Unauthorized,
    /// Sign-in failed. Deliberately the same text whether or not the account exists.
    #[error("Wrong email or password.")]
    InvalidCredentials,
    #[error("This account has been deactivated. Contact an administrator.")]
    Deactivated,
    /// Signed in, but not allowed to do this.
    #[error("You are not allowed to do that.")]
    Forbidden,
    #[error("We could not find that page.")]
    NotFound,
    /// Bad input; the text says what to fix.
    #[error("{0}")]
    Validation(String),
    /// The request clashes with the current state (taken email, duplicate key, …).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// A dependency (DynamoDB, SES) is unreachable or overloaded.
    #[error("The service is temporarily unavailable. Please try again in a moment.")]
    Unavailable,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// Client side only: the server could not be reached.
    #[error("Could not reach the server. Check your connection and try again.")]
    Network,
}

impl AppError {
    pub fn validation(msg: impl Into<String>) -> Self {
        Self::Validation(msg.into())
    }

    pub fn conflict(msg: impl Into<String>) -> Self {
        Self::Conflict(msg.into())
    }

    /// A page link (cursor) that is not one this app made, or no longer fits.
    pub fn bad_page_link() -> Self {
        Self::validation("That page link is no longer valid. Start from the first page.")
    }

    /// Logs the cause (server side) and returns the generic internal error.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        tracing::error!(error = %cause, "internal error");
        #[cfg(not(feature = "ssr"))]
        let _ = cause;
        Self::Internal
    }

    /// Logs the cause (server side) and returns the "unavailable" error.
    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        tracing::warn!(error = %cause, "dependency unavailable");
        #[cfg(not(feature = "ssr"))]
        let _ = cause;
        Self::Unavailable
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized | Self::InvalidCredentials => 401,
            Self::Forbidden | Self::Deactivated => 403,
            Self::NotFound => 404,
            Self::Validation(_) => 400,
            Self::Conflict(_) => 409,
            Self::TooManyRequests(_) => 429,
            Self::Unavailable => 503,
            Self::Internal => 500,
            Self::Network => 502,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request did not carry the arguments the function expects: a client error.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                set_status(400);
                Self::Validation("Some fields are missing or invalid.".into())
            }
            ServerFnErrorErr::Request(_) => Self::Network,
            other => Self::internal(other),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Sets the HTTP status of the response being rendered (server side; nothing in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(status)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        res.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Seals the error message a plain form post is sent back to its page with (`?error=…&es=…`),
/// so that the page shows only messages the app wrote: a link with some other `?error=` text
/// shows nothing. The key is derived from the server's secret (every instance accepts every
/// other's seals).
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct ErrorSeal(ring::hmac::Key);

#[cfg(feature = "ssr")]
impl ErrorSeal {
    pub fn derive(secret: &[u8]) -> Self {
        Self(crate::util::derived_key(secret, b"minijira form errors v1"))
    }

    /// The seal of `message` (URL-safe).
    pub fn seal(&self, message: &str) -> String {
        use base64::Engine;
        let tag = ring::hmac::sign(&self.0, message.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag.as_ref())
    }

    /// Whether `seal` is this server's seal of `message` (compared in constant time).
    pub fn holds(&self, message: &str, seal: &str) -> bool {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(seal)
            .is_ok_and(|tag| ring::hmac::verify(&self.0, message.as_bytes(), &tag).is_ok())
    }
}

#[cfg(feature = "ssr")]
impl std::fmt::Debug for ErrorSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ErrorSeal(..)")
    }
}
