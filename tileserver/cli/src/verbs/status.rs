//! `popmap status`: boundary versions, H3 operators and published periods.

use std::process::ExitCode;

use geodata::Store;

use super::out;

/// Prints what the store holds.
pub async fn run(store: &Store) -> anyhow::Result<ExitCode> {
    status(store).await?;
    Ok(ExitCode::SUCCESS)
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
    let published = tileserver::state::published::Published::load(store, 1).await?;
    let periods = tileserver::state::published::latest_periods(&published);
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
