//! The `popmap` command-line binary: import, validate, publish, aggregate, demo and serve.

mod alloc;
mod args;
mod logformat;
mod logwriter;
mod verbs;

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = args::Cli::parse();
    alloc::tune(match cli.command {
        args::Command::Serve { .. } | args::Command::Demo(_) => alloc::SERVER_DECAY_MS,
        _ => alloc::BATCH_DECAY_MS,
    });
    // Log lines (one per request: the access log) are written in batches by a background
    // thread, so a request never waits on stderr; the guard writes what is queued when main
    // returns. Never lossy: under a burst a logger waits rather than dropping a line.
    let (writer, _flush_on_exit) = match logwriter::spawn(std::io::stderr()) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("popmap: error: cannot start the log writer thread: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("POPMAP_LOG")
                .unwrap_or_else(|_| "warn,popmap::access=info".into()),
        )
        .with_writer(writer)
        // Colours only for a person at a terminal: escape codes in a log file are noise, and
        // colouring cost the access log a third of a cached tile's instructions.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        // The default format, with the access log's lines written by a shorter path.
        .event_format(logformat::LineFormat::default())
        .init();
    match verbs::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            // The driver's own words (SQL, constraint names) are for the operator's log at
            // debug level, never the message (geodata's store::failure).
            tracing::debug!(error = ?e, "the error in full");
            eprintln!("popmap: error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
