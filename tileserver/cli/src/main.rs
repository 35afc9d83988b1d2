//! The `popmap` command-line binary: import, validate, publish, aggregate, demo and serve.

mod args;
mod verbs;

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Log lines (one per request: the access log) are written by a background thread, so a
    // request never waits on stderr; the guard flushes what is queued when main returns.
    // Lossy off: under a burst the queue blocks rather than dropping access-log lines.
    let (writer, _flush_on_exit) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("POPMAP_LOG")
                .unwrap_or_else(|_| "warn,popmap::access=info".into()),
        )
        .with_writer(writer)
        // Colours only for a person at a terminal: escape codes in a log file are noise, and
        // colouring cost the access log a third of a cached tile's instructions.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = args::Cli::parse();
    match verbs::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("popmap: error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
