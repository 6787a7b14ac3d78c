//! Sitters: a nanny jobs board — profiles, jobs, applications, bookings, reviews.

pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod background;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod store;
