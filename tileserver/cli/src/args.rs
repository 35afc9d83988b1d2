//! Command-line arguments.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use geodata::Period;

/// popmap — the electronic population map.
///
/// Imports administrative boundaries, checks and publishes indicator tables per commune, and
/// serves the published snapshots.
#[derive(Debug, Parser)]
#[command(name = "popmap", version)]
pub struct Cli {
    /// Database: sqlite://FILE (the embedded default, created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "POPMAP_DB",
        default_value = "sqlite://data/popmap.db",
        global = true
    )]
    pub db: String,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import data into the store (boundaries).
    #[command(subcommand)]
    Import(Import),
    /// Crosswalks between boundary versions.
    #[command(subcommand)]
    Crosswalk(Crosswalk),
    /// Check an indicator table without publishing it (dry run); exit code 1 when it would be refused.
    Validate(TableArgs),
    /// Validate an indicator table and publish it as a new snapshot: all rows or none.
    Publish(TableArgs),
    /// Build a quarter or a year from its published months (flows summed, stocks at period end).
    Aggregate {
        /// The quarter (2025-Q3) or year (2025) to build.
        #[arg(long)]
        to: Period,
    },
    /// Project every province's population by age and sex (cohort-component, yearly) from a
    /// published year and publish the projected years as projection periods (2030-medium, …),
    /// all in one transaction; a rerun publishes new revisions. Assumptions:
    /// data/projection/assumptions.toml.
    Project {
        /// The base year (default: the newest published year with age × sex).
        #[arg(long)]
        from: Option<Period>,
        /// The last projected year.
        #[arg(long, default_value_t = 2035)]
        to: i32,
        /// Comma-separated variants: low, medium, high.
        #[arg(long, value_delimiter = ',', default_value = "low,medium,high", value_parser = parse_variant)]
        variants: Vec<geodata::Variant>,
    },
    /// List the boundary versions and published periods in the store.
    Status,
    /// The H3 population grid.
    #[command(subcommand)]
    H3(H3Command),
    /// Prepare the demo database from the real inputs in data/vn (resumable; a prepared database
    /// is reused) and serve it. The indicator values are synthetic.
    Demo(DemoArgs),
    /// Write the admin tiles of a published period into a PMTiles v3 or MBTiles archive (static
    /// hosting).
    Export {
        /// A published period (2025-06) or `latest`.
        #[arg(long)]
        period: String,
        /// pmtiles or mbtiles (default: from OUT's extension, .mbtiles → mbtiles, else pmtiles).
        #[arg(long)]
        format: Option<etl::export::Format>,
        /// Lowest zoom written.
        #[arg(long, default_value_t = 0)]
        min_zoom: u8,
        /// Highest zoom written (at most 16).
        #[arg(long)]
        max_zoom: u8,
        /// Indicators the tiles carry: comma-separated ids, or `all` for every public one
        /// (default: none, compact tiles with codes and names, like the server's default).
        #[arg(long)]
        fields: Option<String>,
        /// Replace OUT if it exists.
        #[arg(long)]
        force: bool,
        /// Threads cutting tiles (default or 0: one per core); the archive is the same either way.
        #[arg(long, value_parser = clap::value_parser!(usize))]
        threads: Option<usize>,
        /// The archive to write (.pmtiles or .mbtiles).
        out: PathBuf,
    },
    /// Manage API keys: restricted indicators and /admin/* need one.
    #[command(subcommand)]
    Keys(Keys),
    /// Serve the published data over HTTP.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Label every page as showing synthetic values (for demo databases).
        #[arg(long)]
        synthetic: bool,
        /// Server settings.
        #[command(flatten)]
        options: ServeOptions,
    },
}

/// Settings of a serving process (`serve` and `demo`).
#[derive(Debug, Args)]
pub struct ServeOptions {
    /// Base URL clients reach the server at, for TileJSON behind a proxy
    /// (e.g. https://map.example.gov.vn/popmap); default: from the request's Host header.
    #[arg(long, env = "POPMAP_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Origins allowed to read the server from a browser (CORS): `*` or a comma-separated list.
    #[arg(long, env = "POPMAP_CORS", default_value = "*")]
    pub cors: String,
    /// Memory budget of the process in MiB (at least 256): 128 for the process itself, the
    /// rest split into byte shares for each cache (values 30 %, tile sources 17.6 %, H3 grids
    /// 12.8 %, crosswalks and H3 operators 12.4 %, tiles 10 %, API answers 6.4 %, harmonised
    /// values 4.8 %, fonts 3.2 %, unit lists 2.8 %; /metrics shows each share and what
    /// it holds). A national server with one period stays near 120 MiB; a tile source, H3
    /// operator or grid larger than its share is made for every request and the log says so:
    /// raise the budget then (an r9 grid of Vietnam, ~0.5 GB, needs an estimated 4,000).
    #[arg(long, env = "POPMAP_MEMORY_MB", default_value_t = tileserver::state::budget::DEFAULT_MEMORY_MB)]
    pub memory_mb: u64,
    /// Deprecated (use --memory-mb): the tile cache's size in MiB (compressed bytes count)
    /// instead of its share; the budget grows or shrinks by the difference.
    #[arg(long)]
    pub cache_mb: Option<u64>,
    /// Seconds between checks for newly published snapshots; 0 turns polling off.
    #[arg(long, default_value_t = 2)]
    pub poll_seconds: u64,
    /// File holding the admin token that guards /admin/* (or set POPMAP_ADMIN_TOKEN);
    /// without one the admin endpoints answer 403.
    #[arg(long)]
    pub admin_token_file: Option<PathBuf>,
    /// Origins of the portals allowed to frame /embed in an iframe (CSP frame-ancestors):
    /// `*` or a comma-separated list of scheme://host[:port].
    #[arg(long, env = "POPMAP_FRAME_ANCESTORS", default_value = "*")]
    pub frame_ancestors: String,
    /// Folder of the built web map (default: web-map/dist); `make demo` builds it.
    #[arg(long, env = "POPMAP_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// Requests per second allowed from one client address without a key (0: no limit).
    #[arg(long, env = "POPMAP_RATE_IP", default_value_t = 50)]
    pub rate_ip: u32,
    /// Burst allowed above --rate-ip.
    #[arg(long, default_value_t = 200)]
    pub rate_ip_burst: u32,
    /// Requests per second allowed per API key (0: no limit).
    #[arg(long, env = "POPMAP_RATE_KEY", default_value_t = 200)]
    pub rate_key: u32,
    /// Burst allowed above --rate-key.
    #[arg(long, default_value_t = 400)]
    pub rate_key_burst: u32,
    /// H3 cells with fewer people than this show their total only (sex split and other counts
    /// suppressed, with complementary suppression against differencing).
    #[arg(long, default_value_t = 10)]
    pub h3_min_population: i64,
    /// H3 rates whose numerator is below this are flagged `<id>_unstable`.
    #[arg(long, default_value_t = 20.0)]
    pub h3_min_numerator: f64,
    /// Seconds a connection has to send a complete request head, from its opening or from its
    /// previous answer; slow clients and idle keep-alive connections are closed after it.
    #[arg(long, env = "POPMAP_HEAD_TIMEOUT_SECS", default_value_t = 15)]
    pub head_timeout_secs: u64,
    /// Open connections allowed from one client address (behind a reverse proxy every client
    /// has the proxy's address: raise it there); more are closed at once.
    #[arg(
        long,
        env = "POPMAP_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256
    )]
    pub max_connections_per_address: usize,
    /// Open connections allowed in total; lowered at start below the process's limit of open
    /// files (whose soft limit is first raised to the hard one) less 128 for the store and logs.
    #[arg(long, env = "POPMAP_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
}

/// `popmap keys`: API keys (stored as SHA-256 hashes; a key is shown once, at creation).
#[derive(Debug, Subcommand)]
pub enum Keys {
    /// Create a key and print it (only its hash is stored).
    Create {
        /// Who or what the key is for.
        #[arg(long, default_value = "")]
        name: String,
        /// The key also authorises /admin/* (reload, cache purge).
        #[arg(long)]
        admin: bool,
    },
    /// List keys (ids, names, admin flag, created and revoked dates; never the keys).
    List,
    /// Revoke a key by id.
    Revoke {
        /// The key's id (see `popmap keys list`).
        id: i64,
    },
}

/// What `popmap import` can import.
#[derive(Debug, Subcommand)]
pub enum Import {
    /// Import one boundary version from GeoJSON or FlatGeobuf files (all units in one transaction).
    Boundaries {
        /// Version id, e.g. vn-2025.
        #[arg(long = "version")]
        version_id: String,
        /// First day the version is in force (YYYY-MM-DD).
        #[arg(long, value_parser = parse_day)]
        valid_from: NaiveDate,
        /// Replace the version if it exists and has no published snapshots.
        #[arg(long)]
        replace: bool,
        /// Write the import report as JSON to this file.
        #[arg(long)]
        report: Option<PathBuf>,
        /// GeoJSON (.geojson, .json) or FlatGeobuf (.fgb) files; properties code, name, level, parent_code.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// What `popmap crosswalk` can do.
#[derive(Debug, Subcommand)]
pub enum Crosswalk {
    /// Build and store the commune crosswalk between two imported boundary versions.
    Build {
        /// Source version id, e.g. vn-2019.
        #[arg(long)]
        from: String,
        /// Target version id, e.g. vn-2025.
        #[arg(long)]
        to: String,
        /// Official mapping table (CSV: old_code,new_code,split); without it every old commune is
        /// assigned by geometry.
        #[arg(long)]
        mapping: Option<PathBuf>,
    },
    /// Express a published period on another boundary version through the stored crosswalk and
    /// print its national totals (a dry run: nothing is written).
    Harmonise {
        /// The period (its latest revision), e.g. 2025-06.
        #[arg(long)]
        period: geodata::Period,
        /// Target version id, e.g. vn-2025.
        #[arg(long)]
        to: String,
    },
}

/// What `popmap h3` can do.
#[derive(Debug, Subcommand)]
pub enum H3Command {
    /// Build and store the H3 operator of a boundary version (replaces an existing one).
    Build {
        /// Boundary version id, e.g. vn-2025.
        #[arg(long = "version")]
        version_id: String,
        /// H3 resolution of the operator, 7 to 10.
        #[arg(long, default_value_t = 9)]
        resolution: u8,
        /// Weights CSV: points `lon,lat[,weight]` or cells `cell,weight` (default: cell areas).
        #[arg(long)]
        weights: Option<PathBuf>,
    },
    /// Apply the stored operator to a published period and report the grid (cells per
    /// resolution, suppressed cells, time); writes nothing.
    Apply {
        /// A published period (its newest revision).
        #[arg(long)]
        period: Period,
    },
}

/// Arguments of `validate` and `publish`.
#[derive(Debug, Args)]
pub struct TableArgs {
    /// The period the table reports: a month 2025-10, a quarter 2025-Q3 or a year 2025.
    #[arg(long)]
    pub period: Period,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Accept a table that misses some communes: its snapshot is stored incomplete, its parent
    /// totals are marked incomplete wherever they are served, and `latest` never moves to it.
    /// Without it such a table is refused.
    #[arg(long)]
    pub partial: bool,
    /// Largest table file accepted, in MiB; a larger file is refused before it is read.
    #[arg(long, default_value_t = etl::publish::DEFAULT_MAX_TABLE_MB)]
    pub max_table_mb: u64,
    /// Write the full report as JSON to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// The CSV file: wide (code, name, one column per indicator) or long (code,indicator,value).
    pub file: PathBuf,
}

/// Arguments of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder with the extracted real inputs.
    #[arg(long, default_value = "data/vn")]
    pub inputs: PathBuf,
    /// Folder for the generated boundary files and tables.
    #[arg(long, default_value = "data/build/demo")]
    pub out: PathBuf,
    /// H3 resolution of the demo's operators (7 to 10).
    #[arg(long, default_value_t = 8)]
    pub h3_resolution: u8,
    /// Prepare the database and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Server settings.
    #[command(flatten)]
    pub options: ServeOptions,
}

/// A calendar day written YYYY-MM-DD, with a message that says which rule failed (chrono's
/// own reads "input is out of range" for 2031-02-30).
fn parse_day(text: &str) -> Result<NaiveDate, String> {
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape {
        return Err(format!("'{text}' is not a day written YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a day of the calendar"))
}

/// A projection variant named on the command line.
fn parse_variant(text: &str) -> Result<geodata::Variant, String> {
    geodata::Variant::parse(text)
        .ok_or_else(|| format!("'{text}' is not a variant: use low, medium or high"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        // clap's own checks: no clashing flags (e.g. `import boundaries --version`).
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "popmap",
            "import",
            "boundaries",
            "--version",
            "vn-2025",
            "--valid-from",
            "2025-07-01",
            "a.geojson",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Command::Import(Import::Boundaries { ref version_id, .. }) if version_id == "vn-2025"
        ));
        let err = Cli::try_parse_from(["popmap", "publish", "--period", "2025-13", "x.csv"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid period '2025-13'"), "{err}");
        for (day, says) in [
            ("2031-02-30", "'2031-02-30' is not a day of the calendar"),
            ("2025-7-1", "'2025-7-1' is not a day written YYYY-MM-DD"),
        ] {
            let err = Cli::try_parse_from([
                "popmap",
                "import",
                "boundaries",
                "--version",
                "vn-x",
                "--valid-from",
                day,
                "a.fgb",
            ])
            .unwrap_err()
            .to_string();
            assert!(err.contains("--valid-from") && err.contains(says), "{err}");
        }
        assert_eq!(
            parse_day("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29).ok_or(String::new())
        );
    }
}
