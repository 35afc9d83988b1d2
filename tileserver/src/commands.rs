//! What each subcommand does: thin glue from arguments to the libraries.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use geodata::{Catalog, Store};

use crate::cli::{Cli, Command};

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let catalog = Arc::new(Catalog::builtin());
    match cli.command {
        Command::Status => {
            let store = open(&cli.db).await?;
            status(&store).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { listen } => {
            let store = open(&cli.db).await?;
            let state = tileserver::AppState { store, catalog };
            tileserver::serve(state, listen).await?;
            Ok(ExitCode::SUCCESS)
        }
        other => anyhow::bail!("{other:?}: not wired yet"),
    }
}

async fn open(url: &str) -> anyhow::Result<Store> {
    Store::open(url)
        .await
        .with_context(|| format!("cannot open the database {url}"))
}

async fn status(store: &Store) -> anyhow::Result<()> {
    let versions = store.versions().await?;
    println!("boundary versions: {}", versions.len());
    for v in &versions {
        let units = store.units(&v.id).await?;
        let levels: Vec<String> = v
            .levels
            .iter()
            .map(|l| format!("{} {}", units.iter().filter(|u| u.level == *l).count(), l))
            .collect();
        println!(
            "  {:<10} from {} to {}: {}",
            v.id,
            v.valid_from,
            v.valid_to
                .map(|d| d.to_string())
                .unwrap_or_else(|| "now".into()),
            levels.join(", ")
        );
    }
    let periods = tileserver::server::latest_periods(store).await?;
    println!("published periods: {}", periods.len());
    for p in &periods {
        println!(
            "  {:<8} rev {} on {} ({})",
            p.period, p.revision, p.version, p.source
        );
    }
    Ok(())
}
