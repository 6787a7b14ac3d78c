//! Authentication (server only): password hashing, session tokens, the session middleware and
//! the `AuthUser` extractor.

pub mod password;
pub mod session;
pub mod token;

pub use session::{AuthUser, MaybeAuthUser};
pub use token::{Claims, TokenKeys};
