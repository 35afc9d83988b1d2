//! The demo dataset generator on the real inputs in `data/vn/`: counts, exact geometry, and the rules of
//! the synthetic tables. `generate` runs once per test binary (shared through a OnceLock).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use etl::demo::{
    DemoManifest, GridPoly, VN_2025_FROM_2019, dissolve_exact, generate, intersection_area,
    planar_area, to_geo,
};
use geo::{Area, GeodesicArea};
use geodata::Catalog;

struct Run {
    _dir: tempfile::TempDir,
    out: PathBuf,
    manifest: DemoManifest,
}

fn inputs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/vn")
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_path_buf();
        let t = Instant::now();
        let manifest = generate(&inputs(), &out).unwrap();
        eprintln!("generate took {:?}", t.elapsed());
        Run {
            _dir: dir,
            out,
            manifest,
        }
    })
}

struct Feature {
    code: String,
    level: String,
    parent: Option<String>,
    poly: GridPoly,
}

fn grid(v: &serde_json::Value) -> i64 {
    (v.as_f64().unwrap() * 1e7).round() as i64
}

fn read_features(rel: &str) -> Vec<Feature> {
    let text = std::fs::read_to_string(run().out.join(rel)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            assert_eq!(f["geometry"]["type"], "MultiPolygon");
            let poly = f["geometry"]["coordinates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|poly| {
                    poly.as_array()
                        .unwrap()
                        .iter()
                        .map(|ring| {
                            let mut r: Vec<(i64, i64)> = ring
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|c| (grid(&c[0]), grid(&c[1])))
                                .collect();
                            assert_eq!(r.first(), r.last(), "{rel}: ring not closed");
                            r.pop();
                            r
                        })
                        .collect()
                })
                .collect();
            Feature {
                code: p["code"].as_str().unwrap().to_string(),
                level: p["level"].as_str().unwrap().to_string(),
                parent: p["parent_code"].as_str().map(str::to_string),
                poly,
            }
        })
        .collect()
}

fn geodesic_km2(gp: &GridPoly) -> f64 {
    to_geo(gp).geodesic_area_unsigned() / 1e6
}

#[test]
fn counts_levels_and_parents() {
    let r = run();
    let c19 = read_features("boundaries/vn-2019/communes.geojson");
    let d19 = read_features("boundaries/vn-2019/districts.geojson");
    let p19 = read_features("boundaries/vn-2019/provinces.geojson");
    let c25 = read_features("boundaries/vn-2025/communes.geojson");
    let p25 = read_features("boundaries/vn-2025/provinces.geojson");
    assert_eq!((p19.len(), d19.len(), c19.len()), (63, 696, 10_040));
    assert_eq!((p25.len(), c25.len()), (34, 3_321));
    for (fs, level) in [
        (&c19, "commune"),
        (&d19, "district"),
        (&p19, "province"),
        (&c25, "commune"),
        (&p25, "province"),
    ] {
        assert!(fs.iter().all(|f| f.level == level && !f.poly.is_empty()));
    }
    assert!(p19.iter().chain(&p25).all(|f| f.parent.is_none()));
    let dcodes: Vec<&str> = d19.iter().map(|d| d.code.as_str()).collect();
    assert!(
        c19.iter()
            .all(|c| dcodes.contains(&c.parent.as_deref().unwrap()))
    );
    let pcodes: Vec<&str> = p25.iter().map(|d| d.code.as_str()).collect();
    assert!(
        c25.iter()
            .all(|c| pcodes.contains(&c.parent.as_deref().unwrap()))
    );
    assert_eq!(
        r.manifest.dissolve_fallbacks, 0,
        "every dissolve should be exact"
    );
    assert_eq!(
        r.manifest.versions[1].version.valid_from.to_string(),
        "2025-07-01"
    );
    assert_eq!(r.manifest.tables.len(), 33);
}

/// Sum of parts equals the dissolved whole (geodesic, 1e-6), and the country is about 331,000 km².
fn check_areas(
    communes: &[Feature],
    parents: &[Feature],
    parent_of: impl Fn(&Feature) -> String,
) -> f64 {
    let mut sums: BTreeMap<String, f64> = BTreeMap::new();
    for c in communes {
        *sums.entry(parent_of(c)).or_default() += geodesic_km2(&c.poly);
    }
    for p in parents {
        let (a, s) = (geodesic_km2(&p.poly), sums[&p.code]);
        assert!(
            (a - s).abs() <= 1e-6 * s,
            "province {}: area {a} km² vs communes {s} km²",
            p.code
        );
    }
    let total: f64 = sums.values().sum();
    let polys: Vec<&GridPoly> = communes.iter().map(|c| &c.poly).collect();
    let country = dissolve_exact(&polys).expect("all communes dissolve exactly into the country");
    // A T-junction (a vertex one neighbour lacks) would leave a sliver ring in the dissolved country.
    for ring in country.iter().flatten() {
        let a = planar_area(&vec![vec![ring.clone()]]).abs();
        assert!(
            a > 1e-9,
            "sliver ring of {a} deg² near {:?}: neighbours do not share vertices",
            ring[0]
        );
    }
    let ca = geodesic_km2(&country);
    assert!(
        (ca - total).abs() <= 1e-6 * total,
        "country {ca} km² vs sum of communes {total} km²"
    );
    assert!((ca / 331_000.0 - 1.0).abs() < 0.02, "country area {ca} km²");
    total
}

#[test]
fn areas_add_up_in_both_versions() {
    let c19 = read_features("boundaries/vn-2019/communes.geojson");
    let d19 = read_features("boundaries/vn-2019/districts.geojson");
    let p19 = read_features("boundaries/vn-2019/provinces.geojson");
    let dist_prov: HashMap<String, String> = d19
        .iter()
        .map(|d| (d.code.clone(), d.parent.clone().unwrap()))
        .collect();
    let a19 = check_areas(&c19, &d19, |c| c.parent.clone().unwrap());
    let a19p = check_areas(&c19, &p19, |c| {
        dist_prov[c.parent.as_ref().unwrap()].clone()
    });
    assert!((a19 - a19p).abs() < 1e-6 * a19);
    let c25 = read_features("boundaries/vn-2025/communes.geojson");
    let p25 = read_features("boundaries/vn-2025/provinces.geojson");
    check_areas(&c25, &p25, |c| c.parent.clone().unwrap());
}

/// Cells neither overlap nor leave gaps: the planar areas of the cells that lie in the outline add up to the
/// outline's area, and neighbours (cells sharing an edge) intersect in zero area.
#[test]
fn cells_tile_the_outline_without_overlap() {
    let text = std::fs::read_to_string(inputs().join("vietnam-outline.geojson")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut outline_area = 0.0;
    for poly in json["features"][0]["geometry"]["coordinates"]
        .as_array()
        .unwrap()
    {
        let rings: Vec<geo::LineString<f64>> = poly
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                    .collect()
            })
            .collect();
        outline_area += geo::Polygon::new(rings[0].clone(), rings[1..].to_vec()).unsigned_area();
    }
    let m = &run().manifest;
    let island_area = |version: &str| -> f64 {
        let cells = read_features(&format!("boundaries/{version}/communes.geojson"));
        cells
            .iter()
            .filter(|c| m.island_cells[version].contains(&c.code))
            .map(|c| planar_area(&c.poly))
            .sum()
    };
    // When vn-2025 is built from the 2019 cells it inherits their island squares.
    let from_2019 = m.vn_2025_geometry == VN_2025_FROM_2019;
    for version in ["vn-2019", "vn-2025"] {
        let rel = &format!("boundaries/{version}/communes.geojson");
        let cells = read_features(rel);
        let islands = island_area(if from_2019 { "vn-2019" } else { version });
        let sum: f64 = cells.iter().map(|c| planar_area(&c.poly)).sum();
        let expected = outline_area + islands;
        assert!(
            (sum - expected).abs() < 1e-6 * expected,
            "{rel}: cells {sum} deg² vs outline + islands {expected} deg²"
        );
        let mut by_edge: HashMap<Edge, usize> = HashMap::new();
        for (i, c) in cells.iter().enumerate() {
            for r in c.poly.iter().flatten() {
                for k in 0..r.len() {
                    by_edge.insert((r[k], r[(k + 1) % r.len()]), i);
                }
            }
        }
        let mut pairs: Vec<(usize, usize)> = by_edge
            .iter()
            .filter_map(|((a, b), &i)| by_edge.get(&(*b, *a)).map(|&j| (i.min(j), i.max(j))))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        assert!(
            pairs.len() > cells.len() * 2,
            "{rel}: only {} neighbour pairs share an edge exactly",
            pairs.len()
        );
        for &(i, j) in pairs.iter().step_by(40) {
            let overlap = intersection_area(&cells[i].poly, &cells[j].poly);
            let small = planar_area(&cells[i].poly).min(planar_area(&cells[j].poly));
            assert!(
                overlap <= 1e-9 * small,
                "{rel}: {} and {} overlap by {overlap} deg²",
                cells[i].code,
                cells[j].code
            );
        }
    }
}

/// A directed edge in grid units.
type Edge = ((i64, i64), (i64, i64));

type Table = Vec<(String, Vec<u64>)>;

fn read_table(period: &str) -> (Vec<String>, Table) {
    let path = run().out.join(format!("tables/{period}.csv"));
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{period}: BOM");
    let mut rdr = csv::Reader::from_reader(&bytes[..]);
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let rows = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                r.iter()
                    .skip(2)
                    .map(|v| v.parse::<u64>().unwrap())
                    .collect(),
            )
        })
        .collect();
    (header, rows)
}

#[test]
fn tables_follow_the_rules_and_are_plausible() {
    let m = &run().manifest;
    let catalog = Catalog::builtin();
    let mut expected = vec!["code".to_string(), "name".to_string()];
    expected.extend(catalog.base_ids_except_ages().map(str::to_string));
    // December tables (the annual report) also carry the 34 age × sex groups, after the rest.
    let mut with_ages = expected.clone();
    with_ages.extend(catalog.age_groups().map(|b| b.id.clone()));
    let ix = |id: &str| with_ages.iter().position(|h| h == id).unwrap() - 2;
    let (male_groups, female_groups): (Vec<usize>, Vec<usize>) = (
        geodata::MALE_GROUPS.map(ix).to_vec(),
        geodata::FEMALE_GROUPS.map(ix).to_vec(),
    );
    let [
        pop,
        males,
        females,
        hh,
        perm,
        temp,
        births,
        bm,
        bf,
        deaths,
        inm,
        outm,
        women,
        contra,
        urban,
    ] = [
        "population",
        "males",
        "females",
        "households",
        "permanent_residents",
        "temporary_residents",
        "births",
        "births_male",
        "births_female",
        "deaths",
        "in_migrants",
        "out_migrants",
        "women_15_49",
        "women_15_49_contraception",
        "urban_population",
    ]
    .map(ix);
    let mut prev: Option<(String, HashMap<String, Vec<u64>>)> = None;
    let mut national: Vec<(String, Vec<u64>)> = Vec::new();
    for t in &m.tables {
        let (header, rows) = read_table(&t.period);
        let december = t.period.ends_with("-12");
        assert_eq!(t.ages, december, "{}: ages in December only", t.period);
        let want = if december { &with_ages } else { &expected };
        assert_eq!(&header, want, "{}: header", t.period);
        assert_eq!(
            rows.len(),
            if t.period.as_str() < "2025-07" {
                10_040
            } else {
                3_321
            },
            "{}",
            t.period
        );
        assert_eq!(
            t.version,
            if t.period.as_str() < "2025-07" {
                "vn-2019"
            } else {
                "vn-2025"
            }
        );
        let mut tot = vec![0u64; header.len() - 2];
        for (code, v) in &rows {
            let at = format!("{} commune {code}", t.period);
            assert_eq!(v[males] + v[females], v[pop], "{at}: males + females");
            assert_eq!(v[bm] + v[bf], v[births], "{at}: births by sex");
            assert!(v[contra] <= v[women], "{at}: contraception <= women 15-49");
            assert!(v[urban] <= v[pop], "{at}: urban <= population");
            assert_eq!(v[perm] + v[temp], v[pop], "{at}: permanent + temporary");
            assert!(v[hh] <= v[pop] && v[women] <= v[females], "{at}");
            if december {
                let sum = |ks: &[usize]| ks.iter().map(|&k| v[k]).sum::<u64>();
                assert_eq!(sum(&male_groups), v[males], "{at}: male groups");
                assert_eq!(sum(&female_groups), v[females], "{at}: female groups");
                assert_eq!(sum(&female_groups[3..10]), v[women], "{at}: women 15–49");
            }
            for (k, x) in v.iter().enumerate() {
                tot[k] += x;
            }
        }
        let cur: HashMap<String, Vec<u64>> = rows.into_iter().collect();
        if let Some((pp, prev_rows)) = &prev {
            for (code, v) in &cur {
                let Some(p) = prev_rows.get(code) else {
                    continue;
                };
                let expect = p[pop] as i64 + v[births] as i64 - v[deaths] as i64 + v[inm] as i64
                    - v[outm] as i64;
                if t.version == "vn-2019" {
                    assert_eq!(
                        v[pop] as i64, expect,
                        "{} commune {code}: stock identity",
                        t.period
                    );
                } else if pp.as_str() >= "2025-07" {
                    // Split pieces are rounded month by month: the identity holds up to that rounding.
                    assert!(
                        (v[pop] as i64 - expect).abs() <= 10,
                        "{} commune {code}: {} vs {expect}",
                        t.period,
                        v[pop]
                    );
                }
            }
        }
        assert_eq!(tot[pop], t.population);
        if december {
            // A plausible national structure (2019 census: 24.3 % under 15, 7.7 % aged 65+).
            let share = |ks: &[usize]| -> f64 {
                ks.iter().map(|&k| tot[k]).sum::<u64>() as f64 / tot[pop] as f64
            };
            let young: Vec<usize> = [&male_groups[..3], &female_groups[..3]].concat();
            let old: Vec<usize> = [&male_groups[13..], &female_groups[13..]].concat();
            let (y, o) = (share(&young), share(&old));
            assert!(
                (0.22..0.27).contains(&y) && (0.065..0.10).contains(&o),
                "{}: {y} {o}",
                t.period
            );
        }
        tot.truncate(expected.len() - 2);
        national.push((t.period.clone(), tot));
        prev = Some((t.period.clone(), cur));
    }
    for (period, tot) in &national {
        let p = tot[pop] as f64;
        assert!((96e6..=103.5e6).contains(&p), "{period}: population {p}");
        let sr = tot[males] as f64 / tot[females] as f64 * 100.0;
        assert!((98.0..=100.0).contains(&sr), "{period}: sex ratio {sr}");
        let hs = p / tot[hh] as f64;
        assert!((3.2..=3.8).contains(&hs), "{period}: household size {hs}");
        let cpr = tot[contra] as f64 / tot[women] as f64;
        assert!(
            (0.55..=0.72).contains(&cpr) && (0.23..=0.27).contains(&(tot[women] as f64 / p)),
            "{period}"
        );
        let cbr = tot[births] as f64 * 12.0 / p * 1000.0;
        let cdr = tot[deaths] as f64 * 12.0 / p * 1000.0;
        assert!(
            (14.0..=16.0).contains(&cbr) && (6.0..=7.0).contains(&cdr),
            "{period}: cbr {cbr} cdr {cdr}"
        );
    }
    for w in national.windows(2) {
        let (a, b) = (w[0].1[pop] as f64, w[1].1[pop] as f64);
        assert!(
            (b / a - 1.0).abs() < 0.002,
            "{} -> {}: {a} -> {b}",
            w[0].0,
            w[1].0
        );
    }
    let year_births: u64 = national.iter().take(12).map(|n| n.1[births]).sum();
    let year_boys: u64 = national.iter().take(12).map(|n| n.1[bm]).sum();
    let srb = year_boys as f64 / (year_births - year_boys) as f64 * 100.0;
    assert!((109.0..=113.0).contains(&srb), "2024 SRB {srb}");
    let growth = national[12].1[pop] as f64 / national[0].1[pop] as f64 - 1.0;
    assert!(
        (0.006..=0.012).contains(&growth),
        "2024-01 -> 2025-01 growth {growth}"
    );
}

#[test]
fn generation_is_deterministic() {
    let first = run();
    let dir = tempfile::tempdir().unwrap();
    generate(&inputs(), dir.path()).unwrap();
    for rel in [
        "boundaries/vn-2019/communes.geojson",
        "boundaries/vn-2025/communes.geojson",
        "boundaries/vn-2025/provinces.geojson",
        "tables/2024-01.csv",
        "tables/2026-09.csv",
        "manifest.json",
    ] {
        let a = std::fs::read(first.out.join(rel)).unwrap();
        let b = std::fs::read(dir.path().join(rel)).unwrap();
        assert!(a == b, "{rel} differs between two runs");
    }
}
