//! Types shared by the browser and the server, with their validation.

pub mod account;
pub mod message;
pub mod page;
pub mod project;
pub mod sitter;

pub use account::*;
pub use message::*;
pub use page::Page;
pub use project::*;
pub use sitter::*;
