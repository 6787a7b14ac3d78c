//! Server functions, one module per domain. Each one: parse input, take the user from the
//! verified session, call a service, and pass the result through `finish`.

pub mod auth;
pub mod messages;
pub mod people;
pub mod projects;
pub mod sitters;

/// Registers every server function explicitly, so that binaries whose linker dropped the
/// automatic registrations (integration tests) still route them.
#[cfg(feature = "ssr")]
pub fn register() {
    use leptos::server_fn::axum::register_explicit;
    register_explicit::<auth::SignUp>();
    register_explicit::<auth::SignIn>();
    register_explicit::<auth::SignOut>();
    register_explicit::<auth::CurrentUser>();
    register_explicit::<people::ListPeople>();
    register_explicit::<people::GetProfile>();
    register_explicit::<messages::ListConversations>();
    register_explicit::<messages::GetConversation>();
    register_explicit::<messages::SendMessage>();
    register_explicit::<messages::StartConversation>();
    register_explicit::<messages::Live>();
    register_explicit::<sitters::OpenJobs>();
    register_explicit::<sitters::SittersHome>();
    register_explicit::<sitters::GetJobPage>();
    register_explicit::<sitters::PostJob>();
    register_explicit::<sitters::ApplyToJob>();
    register_explicit::<sitters::BookNanny>();
    register_explicit::<sitters::CancelJob>();
    register_explicit::<sitters::ReviewJob>();
    register_explicit::<sitters::MySitterProfile>();
    register_explicit::<sitters::SaveSitterProfile>();
    register_explicit::<sitters::AdminAccounts>();
    register_explicit::<sitters::AdminSetStatus>();
    use projects::*;
    register_explicit::<Dashboard>();
    register_explicit::<CreateProject>();
    register_explicit::<GetBoard>();
    register_explicit::<CreateStory>();
    register_explicit::<CreateTask>();
    register_explicit::<GetTaskPage>();
    register_explicit::<EditTask>();
    register_explicit::<MoveTask>();
    register_explicit::<DeleteTask>();
    register_explicit::<AddComment>();
    register_explicit::<AddMember>();
    register_explicit::<RemoveMember>();
    register_explicit::<MakeManager>();
}
