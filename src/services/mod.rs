//! Domain operations (server only): validation, authorisation and the database calls of one
//! use case. Server functions are thin wrappers around these; integration tests call them.

pub mod accounts;
pub mod messages;
pub mod projects;
pub mod sitters;
