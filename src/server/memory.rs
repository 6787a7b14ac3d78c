//! Keeping the server's resident memory near what it actually holds.
//!
//! glibc's allocator gives each thread that allocates under contention an arena of its own
//! (up to eight per core) and keeps freed memory in them for reuse: after a burst of large
//! pages the process stays at its peak long after the pages are gone. Two arenas are plenty
//! for a server whose request work is short, and a periodic `malloc_trim` hands the freed
//! pages back. Neither changes what the server holds: the page cache and the session guard are
//! bounded on their own.

use std::time::Duration;

/// How often freed memory is handed back to the system.
pub const TRIM_EVERY: Duration = Duration::from_secs(10);

/// At most two allocator arenas. Call before the runtime starts its threads.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Hands freed memory back to the system every [`TRIM_EVERY`].
pub fn spawn_trimmer() {
    tokio::spawn(async {
        let mut tick = tokio::time::interval(TRIM_EVERY);
        loop {
            tick.tick().await;
            trim();
        }
    });
}

fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused pages of the allocator's heaps to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}
