//! Projects: a miniature Jira — dashboard, projects with a manager and members, the scrum page
//! with stories, tasks and comments, the board.

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
