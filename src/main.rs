#[tokio::main]
async fn main() -> std::process::ExitCode {
    minijira::server::cli::main().await
}
