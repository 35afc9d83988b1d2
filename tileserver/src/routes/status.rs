//! The status page served at `/status`: what the store holds.

use geodata::{BoundaryVersion, Catalog};

use crate::state::published::PeriodEntry;

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders the status page.
pub fn page(
    versions: &[BoundaryVersion],
    periods: &[PeriodEntry],
    catalog: &Catalog,
    synthetic: bool,
) -> String {
    let mut v_rows = String::new();
    for v in versions {
        let levels: Vec<&str> = v.levels.iter().map(|l| l.as_str()).collect();
        v_rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&v.id),
            v.valid_from,
            v.valid_to
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
            levels.join(", ")
        ));
    }
    let mut p_rows = String::new();
    for p in periods {
        p_rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.period),
            p.revision,
            esc(&p.version),
            esc(&p.published_at),
            esc(&p.source)
        ));
    }
    let synthetic = if synthetic {
        "<p class=warn><b>Synthetic demo data.</b> The indicator values are generated, not \
         official statistics; unit codes and names are real.</p>"
    } else {
        ""
    };
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>popmap</title>
<style>body{{font:15px system-ui,sans-serif;margin:2rem;max-width:60rem}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}}.warn{{background:#fff3cd;padding:.5rem}}</style>
</head><body><h1>popmap — bản đồ dân số điện tử / electronic population map</h1>{synthetic}
<p>The web map is at <a href="/">/</a>; styles at <a href="/styles/index.json">/styles/index.json</a>. JSON:
<a href="/api/v1/versions">/api/v1/versions</a>, <a href="/api/v1/periods">/api/v1/periods</a>.</p>
<h2>Boundary versions</h2><table><tr><th>version</th><th>valid from</th><th>valid to</th><th>levels</th></tr>{v_rows}</table>
<h2>Published periods ({n} periods, {k} indicators in the catalog)</h2>
<table><tr><th>period</th><th>revision</th><th>version</th><th>published</th><th>source</th></tr>{p_rows}</table>
</body></html>"#,
        n = periods.len(),
        k = catalog.base.len() + catalog.derived.len(),
    )
}
