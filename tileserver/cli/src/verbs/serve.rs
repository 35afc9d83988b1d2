//! `popmap serve`: the server settings from the command line and environment, then serve.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use geodata::Catalog;

use tileserver::http::connections::ConnectionLimits;

use crate::args::ServeOptions;

/// Serves the store at `db` until Ctrl-C.
pub async fn run(
    db: &str,
    catalog: Arc<Catalog>,
    listen: SocketAddr,
    synthetic: bool,
    options: &ServeOptions,
) -> anyhow::Result<ExitCode> {
    let config = server_config(options, synthetic)?;
    let limits = connection_limits(options)?;
    let store = super::open(db).await?;
    serve(store, catalog, config, listen, limits).await
}

/// Serves `store` with `config` within `limits` until Ctrl-C or SIGTERM.
pub async fn serve(
    store: geodata::Store,
    catalog: Arc<Catalog>,
    config: tileserver::ServerConfig,
    listen: SocketAddr,
    limits: ConnectionLimits,
) -> anyhow::Result<ExitCode> {
    let state = tileserver::AppState::new(store, catalog, config).await?;
    tileserver::serve(state, listen, limits).await?;
    Ok(ExitCode::SUCCESS)
}

/// The connection limits from the command line, with the total kept below the limit of open
/// files (whose soft limit is raised to the hard one first, where the system allows).
pub fn connection_limits(o: &ServeOptions) -> anyhow::Result<ConnectionLimits> {
    if o.head_timeout_secs == 0 {
        anyhow::bail!("--head-timeout-secs must be at least 1");
    }
    if o.max_connections == 0 || o.max_connections_per_address == 0 {
        anyhow::bail!("--max-connections and --max-connections-per-address must be at least 1");
    }
    let limits = ConnectionLimits {
        head_timeout: std::time::Duration::from_secs(o.head_timeout_secs),
        per_address: o.max_connections_per_address,
        total: o.max_connections,
        ..ConnectionLimits::default()
    };
    // rlimit wraps getrlimit/setrlimit, so no unsafe here. A system that refuses keeps the
    // soft limit it had, which then bounds the total.
    let files = rlimit::increase_nofile_limit(u64::MAX)
        .or_else(|_| rlimit::Resource::NOFILE.get().map(|(soft, _)| soft))
        .unwrap_or(1024);
    let within = limits.within_fd_limit(files);
    if within.total < limits.total {
        tracing::info!(
            "at most {} connections at once: the limit of open files is {files}",
            within.total
        );
    }
    Ok(within)
}

/// The server settings from the command line and environment.
pub fn server_config(
    o: &ServeOptions,
    synthetic: bool,
) -> anyhow::Result<tileserver::ServerConfig> {
    let mut config = tileserver::ServerConfig {
        synthetic,
        public_url: o.public_url.clone(),
        cors: tileserver::CorsOrigins::parse(&o.cors)
            .map_err(|e| anyhow::anyhow!("--cors: {e}"))?,
        memory: tileserver::state::budget::MemoryBudget::new(
            o.memory_mb.saturating_mul(1 << 20),
            o.cache_mb.map(|m| m.saturating_mul(1 << 20)),
        )
        .map_err(|e| anyhow::anyhow!("--memory-mb: {e}"))?,
        poll: (o.poll_seconds > 0).then(|| std::time::Duration::from_secs(o.poll_seconds)),
        admin_token_sha256: None,
        frame_ancestors: tileserver::CorsOrigins::parse(&o.frame_ancestors)
            .map_err(|e| anyhow::anyhow!("--frame-ancestors: {e}"))?,
        web_dir: o.web_dir.clone(),
        rate_per_key: tileserver::state::config::RateLimit {
            per_second: o.rate_key,
            burst: o.rate_key_burst,
        },
        rate_per_ip: tileserver::state::config::RateLimit {
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
