pub mod auth;
pub mod home;
pub mod not_found;
pub mod people;
pub mod projects;
