#[tokio::main]
async fn main() -> std::process::ExitCode {
    minijira::platform::cli::main().await
}
