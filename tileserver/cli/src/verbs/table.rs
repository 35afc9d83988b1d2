//! `popmap validate` (dry run) and `popmap publish` of an indicator table.

use std::process::ExitCode;

use anyhow::Context;
use etl::publish::{Options, PublishError};
use geodata::{Catalog, Store};

use crate::args::TableArgs;

/// `validate` (dry run) and `publish`: the report goes to stderr (and `--report` as JSON);
/// exit code 1 when the table is refused.
pub async fn run(
    store: &Store,
    catalog: &Catalog,
    args: TableArgs,
    write: bool,
) -> anyhow::Result<ExitCode> {
    let opts = Options {
        strict: args.strict,
        partial: args.partial,
        max_table_mb: args.max_table_mb,
        ..Options::default()
    };
    let (report, outcome) = if write {
        match etl::publish::publish(store, catalog, args.period, &args.file, &opts).await {
            Ok((report, snap)) => (report, Some(Ok(snap))),
            Err(PublishError::Refused { report, strict }) => {
                let msg = PublishError::Refused {
                    report: report.clone(),
                    strict,
                }
                .to_string();
                (*report, Some(Err(msg)))
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        let report = etl::publish::validate(store, catalog, args.period, &args.file, &opts).await?;
        (report, None)
    };
    eprint!("{report}");
    if let Some(path) = &args.report {
        std::fs::write(path, report.to_json())
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
    }
    let ok = report.is_publishable(opts.strict);
    match outcome {
        Some(Ok(snap)) => eprintln!(
            "popmap: published {} revision {} on {} ({} rows)",
            snap.period, snap.revision, snap.version, report.rows
        ),
        Some(Err(msg)) => eprintln!("popmap: {msg}"),
        None if ok => eprintln!(
            "popmap: {} would be accepted (dry run, nothing written)",
            args.file.display()
        ),
        None => eprintln!("popmap: {} would be refused (dry run)", args.file.display()),
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
