pub mod auth;
pub mod home;
pub mod messages;
pub mod not_found;
pub mod people;
pub mod projects;
pub mod sitters;
