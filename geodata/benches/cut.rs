//! The cold cut of admin tiles on a real store, tile by tile: what a server spends on a tile it
//! has not cached (R-tree query, clip, snap rounding, MVT encoding, and the gzip it stores).
//!
//! It reads a version's stored generalisation the way the server does
//! ([`TileSource::from_stored_bands`]), then cuts a fixed tile list with the server's default
//! (compact) fields, `POPMAP_CUT_REPEAT` times each, and reports per zoom the p50 / p99 / max of
//! each tile's fastest cut (µs), with the raw and gzip bytes. The fastest of several cuts is the
//! figure least disturbed by other processes on a shared machine; instruction counts are steadier
//! still: run it under callgrind with `--toggle-collect='cut::cut_all*'` (only the cuts are
//! counted, not the load).
//!
//! ```text
//! POPMAP_CUT_DB=sqlite:///tmp/t-nat.db cargo bench -p geodata --bench cut
//! ```
//!
//! Environment:
//! - `POPMAP_CUT_DB` (required; without it the bench says so and does nothing): the store URL.
//! - `POPMAP_CUT_VERSION` (default `vn-2019`): the boundary version; its newest snapshot gives
//!   the values.
//! - `POPMAP_CUT_TILES` (default `target/national/results/tiles.txt` of
//!   `scripts/national/bench.sh`): lines `z x y`; `POPMAP_CUT_ONLY=8/203/112,12/…` cuts only
//!   those tiles, `POPMAP_CUT_ZOOMS=8,12` only those zooms.
//! - `POPMAP_CUT_REPEAT` (default 5): cuts per tile.
//! - `POPMAP_CUT_GZIP` (default 2, the server's level): the gzip level of the stored bytes, with
//!   one compressor reset per tile (as the server's tile cache keeps them); `fresh2` makes a new
//!   encoder per tile (the server before); `none` leaves gzip out of the timing.
//! - `POPMAP_CUT_DIGESTS=<file>`: writes `z/x/y raw-bytes digest` per tile, to show that a change
//!   cuts the same bytes (compare two files with `diff`).

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::time::Instant;

use geodata::{Catalog, FieldSet, Store, TileId, TileSource, ValueTable, admin_tile};

/// Everything one cut needs besides the tile id.
struct Input {
    src: TileSource,
    catalog: Catalog,
    fields: FieldSet,
    values: ValueTable,
    months: u32,
}

/// What one tile gave: its fastest cut and its sizes.
struct Measured {
    id: TileId,
    best_us: f64,
    raw: usize,
    gzip: usize,
    digest: u64,
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn main() {
    let Ok(db) = std::env::var("POPMAP_CUT_DB") else {
        eprintln!("cut: set POPMAP_CUT_DB=<store url> to run this benchmark (see its header)");
        return;
    };
    let version = env_or("POPMAP_CUT_VERSION", "vn-2019");
    let repeat: usize = env_or("POPMAP_CUT_REPEAT", "5")
        .parse()
        .expect("POPMAP_CUT_REPEAT: a count");
    let gzip = match env_or("POPMAP_CUT_GZIP", "2").as_str() {
        "none" => None,
        l => {
            let (fresh, level) = l.strip_prefix("fresh").map_or((false, l), |n| (true, n));
            let level = level
                .parse()
                .expect("POPMAP_CUT_GZIP: 0–9, fresh0–9 or none");
            Some(Gzip::new(level, fresh))
        }
    };
    let tiles = tile_list();
    let t = Instant::now();
    let input = load(&db, &version);
    eprintln!(
        "cut: {version} loaded in {:.2} s; {} tiles × {repeat}, gzip {gzip:?}",
        t.elapsed().as_secs_f64(),
        tiles.len()
    );
    let cpu0 = cpu_seconds();
    let measured = cut_all(&input, &tiles, repeat, gzip);
    let cpu = cpu_seconds() - cpu0;
    report(&measured, cpu, repeat);
    if let Ok(path) = std::env::var("POPMAP_CUT_DIGESTS") {
        let mut f = std::fs::File::create(&path).expect("POPMAP_CUT_DIGESTS: a writable file");
        for m in &measured {
            writeln!(f, "{} {} {:016x}", m.id, m.raw, m.digest).expect("writing digests");
        }
        eprintln!("cut: digests in {path}");
    }
}

/// The tiles to cut: `POPMAP_CUT_TILES`' lines, narrowed by `POPMAP_CUT_ONLY` / `_ZOOMS`.
fn tile_list() -> Vec<TileId> {
    let path = env_or("POPMAP_CUT_TILES", "target/national/results/tiles.txt");
    // Cargo runs a bench in its package's folder; the default path is the workspace's.
    let text = std::fs::read_to_string(&path)
        .or_else(|_| std::fs::read_to_string(format!("../{path}")))
        .unwrap_or_else(|e| panic!("POPMAP_CUT_TILES {path}: {e}"));
    let parse = |z: u32, x: u32, y: u32| TileId::new(z, x, y).expect("a valid tile");
    let only: Option<Vec<TileId>> = std::env::var("POPMAP_CUT_ONLY").ok().map(|s| {
        s.split(',')
            .map(|t| {
                let v: Vec<u32> = t.split('/').map(|n| n.parse().expect("z/x/y")).collect();
                parse(v[0], v[1], v[2])
            })
            .collect()
    });
    if let Some(only) = only {
        return only;
    }
    let zooms: Option<Vec<u8>> = std::env::var("POPMAP_CUT_ZOOMS")
        .ok()
        .map(|s| s.split(',').map(|z| z.parse().expect("a zoom")).collect());
    text.lines()
        .filter_map(|l| {
            let v: Vec<u32> = l
                .split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect();
            (v.len() == 3).then(|| parse(v[0], v[1], v[2]))
        })
        .filter(|t| zooms.as_ref().is_none_or(|z| z.contains(&t.z)))
        .collect()
}

/// The version's tile source (from its stored generalisation, as the server reads it) and the
/// values of its newest snapshot.
fn load(db: &str, version: &str) -> Input {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let store = Store::open(db).await.expect("POPMAP_CUT_DB: a store");
        let head = store
            .generalisation_head(version)
            .await
            .expect("reading the generalisation")
            .expect("the version has a stored generalisation (imported by this build)");
        let infos = store.units(version).await.expect("reading the units");
        let mut bands = Vec::new();
        for b in 0..head.bands.len() {
            let band = store.generalisation_band(version, b).await.expect("a band");
            bands.push(band.expect("every band stored"));
        }
        let src =
            TileSource::from_stored_bands(infos, &head, |b| Ok(std::mem::take(&mut bands[b])))
                .expect("the stored generalisation reads back");
        let snap = store
            .snapshots()
            .await
            .expect("reading the snapshots")
            .into_iter()
            .filter(|s| s.version == version)
            .max_by_key(|s| (s.period, s.revision))
            .expect("a snapshot published on the version");
        let values = store.values(snap.id).await.expect("reading the values");
        Input {
            src,
            catalog: Catalog::builtin(),
            fields: FieldSet::compact(),
            values,
            months: snap.period.month_count(),
        }
    })
}

/// Cuts every tile `repeat` times (and gzips it at `gzip` when given), keeping the fastest.
#[inline(never)]
fn cut_all(
    input: &Input,
    tiles: &[TileId],
    repeat: usize,
    mut gzip: Option<Gzip>,
) -> Vec<Measured> {
    tiles
        .iter()
        .map(|&id| {
            let mut best = f64::INFINITY;
            let (mut raw, mut gz) = (Vec::new(), 0);
            for _ in 0..repeat.max(1) {
                let t = Instant::now();
                raw = admin_tile(
                    &input.src,
                    id,
                    &input.catalog,
                    &input.fields,
                    &input.values,
                    input.months,
                );
                if let Some(g) = gzip.as_mut().filter(|_| !raw.is_empty()) {
                    gz = g.len(&raw);
                }
                best = best.min(t.elapsed().as_secs_f64() * 1e6);
            }
            let mut h = DefaultHasher::new();
            raw.hash(&mut h);
            Measured {
                id,
                best_us: best,
                raw: raw.len(),
                gzip: gz,
                digest: h.finish(),
            }
        })
        .collect()
}

/// gzip at one level, by one compressor reset per tile or (`fresh`) a new encoder per tile.
#[derive(Debug)]
struct Gzip {
    level: flate2::Compression,
    reused: Option<flate2::Compress>,
}

impl Gzip {
    fn new(level: u32, fresh: bool) -> Gzip {
        let level = flate2::Compression::new(level);
        Gzip {
            level,
            reused: (!fresh).then(|| flate2::Compress::new_gzip(level, 15)),
        }
    }

    /// The gzip length of `raw`.
    #[inline(never)]
    fn len(&mut self, raw: &[u8]) -> usize {
        let mut out = Vec::with_capacity(raw.len() / 2 + 64);
        let Some(c) = self.reused.as_mut() else {
            let mut gz = flate2::write::GzEncoder::new(out, self.level);
            gz.write_all(raw).expect("writing to a Vec cannot fail");
            return gz.finish().expect("writing to a Vec cannot fail").len();
        };
        c.reset();
        loop {
            let done = c.total_in() as usize;
            let status = c
                .compress_vec(&raw[done..], &mut out, flate2::FlushCompress::Finish)
                .expect("deflate of a whole buffer");
            if status == flate2::Status::StreamEnd {
                return out.len();
            }
            out.reserve(out.capacity().max(1024));
        }
    }
}

/// The process's user + system CPU seconds (from `/proc/self/stat`; 0 where there is none).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Clock ticks are 100 per second on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

/// The nearest-rank percentile `p` (0–100) of sorted `v`.
fn percentile(v: &[f64], p: f64) -> f64 {
    let k = ((p / 100.0 * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[k - 1]
}

/// Per zoom: tiles, p50 / p99 / max of the fastest cuts, raw and gzip bytes; then the slowest
/// tile and the process CPU time.
fn report(measured: &[Measured], cpu: f64, repeat: usize) {
    let mut by_zoom: BTreeMap<u8, Vec<&Measured>> = BTreeMap::new();
    for m in measured {
        by_zoom.entry(m.id.z).or_default().push(m);
    }
    println!("zoom tiles p50_us p99_us max_us raw_bytes gzip_bytes");
    for (z, ms) in &by_zoom {
        let mut t: Vec<f64> = ms.iter().map(|m| m.best_us).collect();
        t.sort_by(f64::total_cmp);
        let raw: usize = ms.iter().map(|m| m.raw).sum();
        let gz: usize = ms.iter().map(|m| m.gzip).sum();
        println!(
            "{z:>4} {:>5} {:>6.0} {:>6.0} {:>6.0} {raw:>9} {gz:>10}",
            ms.len(),
            percentile(&t, 50.0),
            percentile(&t, 99.0),
            t[t.len() - 1],
        );
    }
    if let Some(m) = measured
        .iter()
        .max_by(|a, b| a.best_us.total_cmp(&b.best_us))
    {
        println!(
            "slowest {}: {:.0} us, {} raw bytes, {} gzip bytes",
            m.id, m.best_us, m.raw, m.gzip
        );
    }
    let fastest: f64 = measured.iter().map(|m| m.best_us).sum::<f64>() / 1e3;
    println!("sum of fastest cuts {fastest:.1} ms; process CPU {cpu:.2} s over {repeat} rounds");
}
