//! The database layer's errors: [`DbError`] (what callers tell apart), how an SDK error becomes
//! one, and [`Refusal`] / [`Outcome`] (a write refused for an area's reason, or a failure).

use crate::error::AppError;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

/// What callers need to tell apart; everything else is an internal failure.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A condition expression of a single-item write failed.
    #[error("condition failed")]
    ConditionFailed,
    /// A page link that this table did not make (tampered, truncated, or another list's).
    #[error("bad cursor")]
    BadCursor,
    /// The database could not be reached or is throttling.
    #[error("dynamodb unavailable: {0}")]
    Unavailable(String),
    #[error("dynamodb error: {0}")]
    Other(String),
    #[error("item decoding failed: {0}")]
    Decode(String),
}

impl DbError {
    pub(super) fn from_sdk<E>(err: SdkError<E>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match &err {
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
                Self::Unavailable(error_chain(&err))
            }
            SdkError::ServiceError(service) => {
                let code = service.err().code().unwrap_or_default();
                match code {
                    "ConditionalCheckFailedException" => Self::ConditionFailed,
                    "ProvisionedThroughputExceededException"
                    | "ThrottlingException"
                    | "RequestLimitExceeded"
                    | "InternalServerError"
                    | "ServiceUnavailable" => Self::Unavailable(code.to_owned()),
                    _ => Self::Other(format!(
                        "{code}: {}",
                        service.err().message().unwrap_or_default()
                    )),
                }
            }
            SdkError::ResponseError(_) => Self::Unavailable(error_chain(&err)),
            _ => Self::Other(error_chain(&err)),
        }
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

impl From<DbError> for AppError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Unavailable(cause) => AppError::unavailable(cause),
            DbError::BadCursor => AppError::bad_page_link(),
            other => AppError::internal(other),
        }
    }
}

/// What an area's store reports when a write is refused: one of the area's named outcomes
/// (`R`), or a database failure. The area's rules turn `R` into the user's [`AppError`].
#[derive(Debug)]
pub enum Refusal<R> {
    Refused(R),
    Db(DbError),
}

impl<R: std::fmt::Debug> Refusal<R> {
    /// For a caller that expects no refusal (the demo data): the database's error as it is,
    /// a refusal as an internal error that names it (logged, never shown).
    pub fn unexpected(self) -> AppError {
        match self {
            Refusal::Db(e) => e.into(),
            Refusal::Refused(r) => AppError::internal(format!("unexpected refusal: {r:?}")),
        }
    }
}

impl<R> From<DbError> for Refusal<R> {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

/// A store result whose refusals are the area's outcomes `R`.
pub type Outcome<T, R> = Result<T, Refusal<R>>;
