//! Accounts: sign-up, sign-in, sessions' users, the people directory, admins.

pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod background;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod throttle;
