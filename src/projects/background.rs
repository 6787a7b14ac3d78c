//! Projects' background work, run by the server's worker every round: the steps of a task
//! deletion or a sprint completion that an interrupted request left undone.

use super::store as projects;
use crate::db::Store;

pub async fn run(store: &Store) {
    resume_cleanups(store).await;
    resume_sprint_completions(store).await;
}

/// Finishes task deletions whose comment clean-up did not complete.
pub async fn resume_cleanups(store: &Store) {
    match projects::pending_cleanups(store, 10).await {
        Ok(tasks) => {
            for (key, number) in tasks {
                if let Err(e) = projects::delete_comments(store, &key, number).await {
                    tracing::warn!(task = %format!("{key}-{number}"), error = %e, "removing a deleted task's comments failed, will retry");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read pending comment clean-ups"),
    }
}

/// Finishes sprint completions whose tasks did not all move.
pub async fn resume_sprint_completions(store: &Store) {
    match projects::pending_completions(store, 10).await {
        Ok(pending) => {
            for (key, sprint, actor) in pending {
                if let Err(e) = projects::resume_completion(store, &key, sprint, &actor).await {
                    tracing::warn!(project = %key, sprint, error = ?e, "moving a completed sprint's tasks failed, will retry");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read pending sprint completions"),
    }
}
