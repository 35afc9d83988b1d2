//! What each subcommand does: thin glue from arguments to the libraries.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use geodata::{Catalog, Store};

use etl::publish::{Options, PublishError};

use crate::cli::{Cli, Command, Crosswalk, H3Command, Import, Keys, ServeOptions, TableArgs};

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

/// The server settings from the command line and environment.
fn server_config(o: &ServeOptions, synthetic: bool) -> anyhow::Result<tileserver::ServerConfig> {
    let mut config = tileserver::ServerConfig {
        synthetic,
        public_url: o.public_url.clone(),
        cors: tileserver::CorsOrigins::parse(&o.cors)
            .map_err(|e| anyhow::anyhow!("--cors: {e}"))?,
        cache_bytes: o.cache_mb.saturating_mul(1 << 20),
        poll: (o.poll_seconds > 0).then(|| std::time::Duration::from_secs(o.poll_seconds)),
        admin_token_sha256: None,
        frame_ancestors: tileserver::CorsOrigins::parse(&o.frame_ancestors)
            .map_err(|e| anyhow::anyhow!("--frame-ancestors: {e}"))?,
        web_dir: o.web_dir.clone(),
        rate_per_key: tileserver::config::RateLimit {
            per_second: o.rate_key,
            burst: o.rate_key_burst,
        },
        rate_per_ip: tileserver::config::RateLimit {
            per_second: o.rate_ip,
            burst: o.rate_ip_burst,
        },
        disclosure: geodata::DisclosureRules {
            min_total: o.h3_min_population,
            min_numerator: o.h3_min_numerator,
            ..Default::default()
        },
    };
    if let Some(u) = &config.public_url
        && !(u.starts_with("http://") || u.starts_with("https://"))
    {
        anyhow::bail!("--public-url '{u}' must start with http:// or https://");
    }
    let token = match &o.admin_token_file {
        Some(f) => Some(
            std::fs::read_to_string(f)
                .with_context(|| format!("reading the admin token file {}", f.display()))?,
        ),
        None => std::env::var("POPMAP_ADMIN_TOKEN").ok(),
    };
    if let Some(t) = token {
        if t.trim().len() < 16 {
            anyhow::bail!("the admin token must be at least 16 characters");
        }
        config = config.with_admin_token(&t);
    }
    Ok(config)
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let catalog = Arc::new(Catalog::builtin());
    match cli.command {
        Command::Status => {
            let store = open(&cli.db).await?;
            status(&store).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys(k) => {
            let store = open(&cli.db).await?;
            keys(&store, k).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            listen,
            synthetic,
            options,
        } => {
            let config = server_config(&options, synthetic)?;
            let store = open(&cli.db).await?;
            let state = tileserver::AppState::new(store, catalog, config).await?;
            tileserver::serve(state, listen).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            period,
            format,
            min_zoom,
            max_zoom,
            fields,
            force,
            out,
        } => {
            let store = open(&cli.db).await?;
            let t = std::time::Instant::now();
            let opts = etl::export::ExportOptions {
                format: format.unwrap_or_else(|| etl::export::Format::from_path(&out)),
                period,
                min_zoom,
                max_zoom,
                fields,
                force,
            };
            let sum = match etl::export::export(&store, &catalog, &opts, &out).await {
                Ok(sum) => sum,
                // A refused export (bad period, zooms or existing output) exits 1 like a
                // refused publish; 2 stays for usage and environment errors.
                Err(e) => {
                    eprintln!("popmap: export refused: {e}");
                    return Ok(ExitCode::from(1));
                }
            };
            eprintln!(
                "popmap: exported {} revision {} on {}: {} tiles, {} bytes to {} in {:.1} s",
                sum.snapshot.period,
                sum.snapshot.revision,
                sum.snapshot.version,
                sum.tiles,
                sum.bytes,
                out.display(),
                t.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::H3(H3Command::Build {
            version_id,
            resolution,
            weights,
        }) => {
            let store = open(&cli.db).await?;
            let res = resolution_arg(resolution)?;
            let weights = match weights {
                Some(f) => etl::h3::Weights::File(f),
                None => etl::h3::Weights::Area,
            };
            let (info, rep) =
                etl::h3::build_and_store(&store, &version_id, res, &weights, progress_bar())
                    .await?;
            eprintln!(
                "popmap: built the H3 operator of {version_id} at r{resolution} from {}: {} units, {} cells, {} entries in {:.1} s{}",
                info.weights,
                rep.units,
                rep.cells,
                rep.entries,
                rep.seconds,
                if rep.points_outside > 0 {
                    format!(
                        "; {} points outside every unit were ignored",
                        rep.points_outside
                    )
                } else {
                    String::new()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::H3(H3Command::Apply { period }) => {
            let store = open(&cli.db).await?;
            let snap = store
                .latest_snapshot(&period)
                .await?
                .ok_or_else(|| anyhow::anyhow!("period {period} is not published"))?;
            let (info, op) = store.operator(&snap.version).await?.ok_or_else(|| {
                anyhow::anyhow!(
                    "no H3 operator for {} (run popmap h3 build --version {})",
                    snap.version,
                    snap.version
                )
            })?;
            let values = store.values(snap.id).await?;
            let ids: Vec<String> = catalog.base_ids().map(str::to_owned).collect();
            let t = std::time::Instant::now();
            let mut grid = geodata::Grid::apply(&op, &values, &ids)
                .with_context(|| format!("applying the H3 operator to {}", snap.period))?;
            let applied = t.elapsed().as_secs_f64();
            geodata::protect(&mut grid, &geodata::DisclosureRules::default());
            let protected = t.elapsed().as_secs_f64() - applied;
            out!(
                "{} r{} on {} (operator r{}, weights {}): {} base counts, apply {:.3} s, disclosure {:.3} s",
                snap.period,
                snap.revision,
                snap.version,
                u8::from(info.resolution),
                info.weights,
                ids.len(),
                applied,
                protected
            );
            for level in grid.levels() {
                let hidden = level.suppressed.iter().filter(|s| **s).count();
                out!(
                    "  r{:<2} {:>9} cells, {:>9} suppressed",
                    u8::from(level.resolution),
                    level.len(),
                    hidden
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate(args) => {
            let store = open(&cli.db).await?;
            table(&store, &catalog, args, false).await
        }
        Command::Publish(args) => {
            let store = open(&cli.db).await?;
            table(&store, &catalog, args, true).await
        }
        Command::Aggregate { to } => {
            let store = open(&cli.db).await?;
            let snap = etl::publish::aggregate(&store, &catalog, to).await?;
            eprintln!(
                "popmap: published {} revision {} on {} from {}",
                snap.period, snap.revision, snap.version, snap.source
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(Import::Boundaries {
            version_id,
            valid_from,
            replace,
            report,
            files,
        }) => {
            let store = open(&cli.db).await?;
            let t = std::time::Instant::now();
            let rep =
                etl::boundaries::import(&store, &version_id, valid_from, &files, replace, true)
                    .await?;
            for r in &rep.repairs {
                eprintln!("popmap: repaired {r}");
            }
            for w in &rep.warnings {
                eprintln!("popmap: warning: {w}");
            }
            if let Some(path) = report {
                std::fs::write(&path, serde_json::to_string_pretty(&rep)?)
                    .with_context(|| format!("cannot write the report to {}", path.display()))?;
            }
            let levels: Vec<String> = rep
                .levels
                .iter()
                .map(|l| format!("{} {}", l.units, l.level))
                .collect();
            eprintln!(
                "popmap: imported {version_id} from {valid_from}: {} ({:.0} km², {} repairs, {} names normalised to NFC) in {:.1} s",
                levels.join(", "),
                rep.total_area_km2,
                rep.repairs.len(),
                rep.names_normalised,
                t.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Crosswalk(Crosswalk::Build { from, to, mapping }) => {
            let store = open(&cli.db).await?;
            let report =
                etl::crosswalk::build_and_store(&store, &from, &to, mapping.as_deref()).await?;
            print_crosswalk_report(&report);
            Ok(ExitCode::SUCCESS)
        }
        Command::Crosswalk(Crosswalk::Harmonise { period, to }) => {
            let store = open(&cli.db).await?;
            let snap = store
                .latest_snapshot(&period)
                .await?
                .with_context(|| format!("period {period} is not published"))?;
            if snap.version == to {
                anyhow::bail!("period {period} is already on boundary version {to}");
            }
            // Timed in its three parts: a server pays the crosswalk load once per version
            // pair and the value read once per period (both cached), the move every time.
            let t = std::time::Instant::now();
            let old = store.values(snap.id).await?;
            let read = t.elapsed().as_secs_f64();
            let t = std::time::Instant::now();
            let harmoniser = geodata::Harmoniser::load(&store, &snap.version, &to).await?;
            let load = t.elapsed().as_secs_f64();
            let t = std::time::Instant::now();
            let h = harmoniser.harmonise(&catalog, &snap, &old);
            let moved = t.elapsed().as_secs_f64();
            let seconds = read + load + moved;
            let units = store.units(&to).await?;
            let roots = geodata::Hierarchy::new(&units).totals(&h.values);
            for (indicator, total) in &roots {
                out!("{indicator}\t{total}");
            }
            out!(
                "harmonised {period} (revision {}, {}) onto {to}: {} units with values, {} estimated, in {seconds:.3} s (read values {read:.3} s, load crosswalk and units {load:.3} s, move {moved:.3} s)",
                snap.revision,
                snap.version,
                h.values.len(),
                h.estimated.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => {
            if let Some(path) = cli.db.strip_prefix("sqlite://")
                && let Some(dir) = std::path::Path::new(path).parent()
            {
                std::fs::create_dir_all(dir)?;
            }
            let config = server_config(&args.options, true)?;
            let store = open(&cli.db).await?;
            crate::demo::prepare(&store, &catalog, &args).await?;
            if args.no_serve {
                return Ok(ExitCode::SUCCESS);
            }
            let state = tileserver::AppState::new(store, catalog, config).await?;
            tileserver::serve(state, args.listen).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints what a crosswalk build did: disagreements on stdout, one a line, then a summary.
pub fn print_crosswalk_report(report: &etl::crosswalk::BuildReport) {
    for d in &report.disagreements {
        out!("disagreement: {d}");
    }
    out!(
        "crosswalk {} → {}: {} old communes, {} rows, {} split, {} disagreements between mapping and geometry, built in {:.1} s ({})",
        report.meta.from,
        report.meta.to,
        report.old_units,
        report.rows,
        report.splits,
        report.meta.disagreements,
        report.seconds,
        report.meta.method
    );
}

/// `validate` (dry run) and `publish`: the report goes to stderr (and `--report` as JSON);
/// exit code 1 when the table is refused.
async fn table(
    store: &Store,
    catalog: &Catalog,
    args: TableArgs,
    write: bool,
) -> anyhow::Result<ExitCode> {
    let opts = Options {
        strict: args.strict,
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

/// An H3 resolution from the command line (7–10 for operators).
pub fn resolution_arg(r: u8) -> anyhow::Result<h3o::Resolution> {
    let res = h3o::Resolution::try_from(r)
        .map_err(|_| anyhow::anyhow!("--resolution {r}: not an H3 resolution"))?;
    geodata::check_resolution(res).map_err(|e| anyhow::anyhow!("--resolution: {e}"))?;
    Ok(res)
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {pos}/{len} units, {elapsed} (eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("H3 operator");
    bar
}

async fn open(url: &str) -> anyhow::Result<Store> {
    Store::open(url)
        .await
        .with_context(|| format!("cannot open the database {url}"))
}

async fn status(store: &Store) -> anyhow::Result<()> {
    let versions = store.versions().await?;
    out!("boundary versions: {}", versions.len());
    for v in &versions {
        let units = store.units(&v.id).await?;
        let levels: Vec<String> = v
            .levels
            .iter()
            .map(|l| format!("{} {}", units.iter().filter(|u| u.level == *l).count(), l))
            .collect();
        out!(
            "  {:<10} from {} to {}: {}",
            v.id,
            v.valid_from,
            v.valid_to
                .map(|d| d.to_string())
                .unwrap_or_else(|| "now".into()),
            levels.join(", ")
        );
    }
    for op in store.operators().await? {
        out!(
            "  {:<10} H3 operator r{}: {} cells, weights {}, built {}",
            op.version,
            u8::from(op.resolution),
            op.cells,
            op.weights,
            op.built_at.to_rfc3339()
        );
    }
    let published = tileserver::published::Published::load(store, 1).await?;
    let periods = tileserver::server::latest_periods(&published);
    out!("published periods: {}", periods.len());
    for p in &periods {
        out!(
            "  {:<8} rev {} on {} ({})",
            p.period,
            p.revision,
            p.version,
            p.source
        );
    }
    Ok(())
}

/// `popmap keys create|list|revoke`.
async fn keys(store: &Store, k: Keys) -> anyhow::Result<()> {
    match k {
        Keys::Create { name, admin } => {
            let (secret, hash) = tileserver::api::access::new_key();
            let key = store.create_key(&name, admin, &hash).await?;
            out!("{secret}");
            eprintln!(
                "created {}key {} '{}': the key above is shown once, only its hash is stored",
                if key.admin { "admin " } else { "" },
                key.id,
                key.name
            );
        }
        Keys::List => {
            out!("id\tadmin\tcreated_at\trevoked_at\tname");
            for k in store.keys().await? {
                out!(
                    "{}\t{}\t{}\t{}\t{}",
                    k.id,
                    k.admin,
                    k.created_at,
                    k.revoked_at.as_deref().unwrap_or("-"),
                    k.name
                );
            }
        }
        Keys::Revoke { id } => match store.revoke_key(id).await? {
            Some(k) => eprintln!(
                "key {id} revoked on {}",
                k.revoked_at.as_deref().unwrap_or("?")
            ),
            None => anyhow::bail!("no API key with id {id}"),
        },
    }
    Ok(())
}
