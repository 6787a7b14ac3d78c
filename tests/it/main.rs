//! The integration tests: one binary, a module per area, against the DynamoDB Local and the
//! SES emulator that `make test` starts (see `common`).

mod common;

mod account_mail;
mod account_settings;
mod accounts;
mod deploy;
mod faults;
mod faulty;
mod fuzz;
mod hardening;
mod http;
mod instances;
mod layers;
mod live_streams;
mod messages;
mod operate;
mod projects;
mod review;
mod scrum;
mod sitters;
