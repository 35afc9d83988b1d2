//! The `popmap` command-line binary: import, validate, publish, aggregate, demo and serve.

mod cli;
mod commands;
mod demo;

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("POPMAP_LOG")
                .unwrap_or_else(|_| "warn,popmap::access=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = cli::Cli::parse();
    match commands::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("popmap: error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
