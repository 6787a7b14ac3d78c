//! The Accounts pages: sign-in, sign-up, email confirmation, the people directory, a profile,
//! admin.

pub mod account;
pub mod admin;
pub mod confirm;
pub mod people;
pub mod reset;
pub mod sign_in;
