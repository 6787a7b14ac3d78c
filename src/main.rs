/// The server's runtime: Tokio's multi-threaded scheduler with 8 MB worker stacks (rendering a
/// large page in a debug build nests deeply; a release build needs a fraction of this).
fn main() -> std::process::ExitCode {
    const STACK: usize = 8 * 1024 * 1024;
    minijira::server::memory::limit_arenas();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(STACK)
        .build()
    {
        Ok(rt) => rt.block_on(minijira::server::cli::main()),
        Err(e) => {
            eprintln!("minijira: cannot start the runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
