//! The Accounts pages: sign-in, sign-up, the people directory, a profile, admin.

pub mod admin;
pub mod people;
pub mod sign_in;
