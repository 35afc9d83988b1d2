//! One module per subcommand; [`run`] dispatches a parsed command line to them. Each verb is
//! thin glue from arguments to the libraries (etl for the data side, tileserver to serve).

mod aggregate;
mod crosswalk;
mod demo;
mod export;
mod h3;
mod import;
mod keys;
mod project;
mod serve;
mod status;
mod table;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use geodata::{Catalog, Store};

use crate::args::{Cli, Command, Crosswalk, H3Command, Import};

/// `println!` that ends the process quietly (exit 0) when stdout is closed early, as in
/// `popmap h3 apply … | head -1`, where `println!` panics on the broken pipe.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("popmap: cannot write to standard output: {e}");
            std::process::exit(2);
        }
    }};
}

pub(crate) use out;

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let catalog = Arc::new(Catalog::builtin());
    let db = cli.db;
    match cli.command {
        Command::Status => status::run(&open(&db).await?).await,
        Command::Project { from, to, variants } => {
            let opts = etl::project::ProjectOptions { from, to, variants };
            project::run(&open(&db).await?, &opts).await
        }
        Command::Keys(k) => keys::run(&open(&db).await?, k).await,
        Command::Serve {
            listen,
            synthetic,
            options,
        } => serve::run(&db, catalog, listen, synthetic, &options).await,
        Command::Export {
            period,
            format,
            min_zoom,
            max_zoom,
            fields,
            force,
            threads,
            out,
        } => {
            let opts = etl::export::ExportOptions {
                format: format.unwrap_or_else(|| etl::export::Format::from_path(&out)),
                period,
                min_zoom,
                max_zoom,
                fields,
                force,
                threads,
            };
            export::run(&open(&db).await?, &catalog, &opts, &out).await
        }
        Command::H3(H3Command::Build {
            version_id,
            resolution,
            weights,
        }) => h3::build(&open(&db).await?, &version_id, resolution, weights).await,
        Command::H3(H3Command::Apply { period }) => {
            h3::apply(&open(&db).await?, &catalog, period).await
        }
        Command::Validate(args) => table::run(&open(&db).await?, &catalog, args, false).await,
        Command::Publish(args) => table::run(&open(&db).await?, &catalog, args, true).await,
        Command::Aggregate { to } => aggregate::run(&open(&db).await?, &catalog, to).await,
        Command::Import(Import::Boundaries {
            version_id,
            valid_from,
            replace,
            report,
            files,
        }) => {
            let store = open(&db).await?;
            import::run(&store, &version_id, valid_from, replace, report, &files).await
        }
        Command::Crosswalk(Crosswalk::Build { from, to, mapping }) => {
            crosswalk::build(&open(&db).await?, &from, &to, mapping.as_deref()).await
        }
        Command::Crosswalk(Crosswalk::Harmonise { period, to }) => {
            crosswalk::harmonise(&open(&db).await?, &catalog, period, &to).await
        }
        Command::Demo(args) => demo::run(&db, catalog, &args).await,
    }
}

/// Opens the store at `url`, naming it when it cannot.
pub(crate) async fn open(url: &str) -> anyhow::Result<Store> {
    Store::open(url)
        .await
        .with_context(|| format!("cannot open the database {url}"))
}
