//! Messages: direct conversations between two people, with a live feed.

pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod store;
