//! Issue 19's must-hold: the projection engine reproduces an independent implementation to the
//! person. tests/python/projection_ref.py (a Leslie matrix from the textbook formulas, numpy) is
//! run by `POPMAP_PYTHON` on the same provinces; every group, sex, year and variant of every
//! province and of the nation (= sum of the provinces) must be equal, and so must the fitted
//! rates (to 1e-9 relative). Twice: on 34 synthetic provinces spanning the shapes and flows, and
//! on the demo's 34 provinces as `popmap project` reads them (the age × sex of 2025-12, flows of
//! 2025-07 … 2025-12 on vn-2025 annualised × 2: the demo's newest year end).

use std::io::Write;
use std::process::{Command, Stdio};

use geodata::{AgeSex, Assumptions, GROUPS, Published, fit, project};
use serde_json::{Value, json};

/// Vietnam's national shape, males and females per 1,000 people by five-year group, rounded from
/// data/vn/age-sex-shape.csv (sources in data/vn/PROVENANCE.md); the provinces built on it are
/// synthetic.
const SHAPE_M: [f64; GROUPS] = [
    45.0, 43.0, 40.0, 35.0, 38.0, 44.0, 43.0, 39.0, 35.0, 33.0, 29.0, 25.0, 19.0, 13.0, 7.0, 5.0,
    6.0,
];
const SHAPE_F: [f64; GROUPS] = [
    40.0, 39.0, 36.0, 33.0, 36.0, 43.0, 42.0, 39.0, 35.0, 33.0, 30.0, 27.0, 22.0, 16.0, 10.0, 8.0,
    13.0,
];

/// 34 provinces, 0.4 to 9 million people, younger or older than the nation, with flows near
/// Vietnam's rates (CBR ~15 ‰, CDR ~6 ‰) and net migration from −1.5 % to +1 % over three years.
fn provinces() -> Vec<(String, AgeSex, Published)> {
    (0..34)
        .map(|i| {
            let people = 400_000.0 + 8_600_000.0 * ((i * 7919 % 34) as f64 / 33.0).powi(2);
            let tilt = (i as f64 - 16.5) / 16.5 * 0.25; // + older, − younger
            let mut base = AgeSex::default();
            for g in 0..GROUPS {
                let w = 1.0 + tilt * (g as f64 - 8.0) / 8.0;
                base.males[g] = (people / 1000.0 * SHAPE_M[g] * w).round() as i64;
                base.females[g] = (people / 1000.0 * SHAPE_F[g] * w).round() as i64;
            }
            let total = base.total() as f64;
            let births = (total * (0.0155 - tilt * 0.01)).round();
            let male = (births * (0.525 + (i % 5) as f64 * 0.002)).round();
            let deaths = (total * (0.0062 + tilt * 0.006)).round();
            let rate = -0.005 + 0.01 * ((i * 13 % 17) as f64 / 16.0) - 0.004;
            let net = (0..3)
                .map(|y| (total * rate * (1.0 + 0.1 * y as f64)).round())
                .collect();
            let published = Published {
                births,
                births_by_sex: (i % 9 != 0).then_some((male, births - male)),
                deaths,
                net_migration: net,
            };
            (format!("{:02}", i + 1), base, published)
        })
        .collect()
}

const VARIANTS: [&str; 3] = ["low", "medium", "high"];
const YEARS: usize = 10;

fn as_json(s: &AgeSex) -> Value {
    json!([s.males.to_vec(), s.females.to_vec()])
}

fn python(python: &str, request: &Value) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/projection_ref.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {python}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "projection_ref.py failed: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Compares engine and reference on `units`; returns the national structure of each variant's
/// years.
fn compare(py: &str, units: &[(String, AgeSex, Published)]) -> Vec<Vec<AgeSex>> {
    let a = Assumptions::standard();
    let request = json!({
        "assumptions": concat!(env!("CARGO_MANIFEST_DIR"), "/../data/projection/assumptions.toml"),
        "years": YEARS,
        "variants": VARIANTS,
        "units": units.iter().map(|(code, base, p)| json!({
            "code": code, "males": base.males.to_vec(), "females": base.females.to_vec(),
            "births": p.births, "births_male": p.births_by_sex.map(|b| b.0),
            "births_female": p.births_by_sex.map(|b| b.1), "deaths": p.deaths,
            "net": p.net_migration,
        })).collect::<Vec<_>>(),
    });
    let theirs = python(py, &request);
    let mut national = vec![vec![AgeSex::default(); YEARS]; VARIANTS.len()];
    let mut compared = 0;
    for (code, base, published) in units {
        let rates = fit(base, published, &a).unwrap();
        let r = &theirs["rates"][code];
        for (ours, key) in [
            (rates.tfr, "tfr"),
            (rates.srb, "srb"),
            (rates.alpha, "alpha"),
            (rates.net_migration, "net_migration"),
        ] {
            let t = r[key].as_f64().unwrap();
            assert!(
                (ours - t).abs() <= 1e-9 * t.abs().max(1.0),
                "{code} {key}: {ours} vs {t}"
            );
        }
        for (v, variant) in VARIANTS.iter().enumerate() {
            let years = project(
                base,
                &rates,
                |y| a.offset_in(variant, y).unwrap(),
                YEARS,
                &a,
            );
            for (y, s) in years.iter().enumerate() {
                assert_eq!(
                    as_json(s),
                    theirs["units"][code][variant][y],
                    "province {code}, {variant}, year {}",
                    y + 1
                );
                national[v][y] = national[v][y].plus(s);
                compared += 2 * GROUPS;
            }
        }
    }
    for (v, variant) in VARIANTS.iter().enumerate() {
        for (y, s) in national[v].iter().enumerate() {
            assert_eq!(
                as_json(s),
                theirs["national"][variant][y],
                "nation, {variant}, year {}",
                y + 1
            );
        }
    }
    assert_eq!(compared, units.len() * 3 * YEARS * 34);
    national
}

#[test]
fn projections_match_the_python_reference_to_the_person() {
    let Ok(py) = std::env::var("POPMAP_PYTHON") else {
        eprintln!("skipped: POPMAP_PYTHON is not set (scripts/test.sh sets it up with numpy)");
        return;
    };
    let national = compare(&py, &provinces());
    // The variants differ where fertility acts: the high variant has more children by year 5.
    let kids = |s: &AgeSex| s.males[0] + s.females[0];
    assert!(kids(&national[2][4]) > kids(&national[1][4]));
    assert!(kids(&national[1][4]) > kids(&national[0][4]));
}

/// The demo's provinces as `popmap project` reads them from a demo store.
fn demo_provinces() -> Vec<(String, AgeSex, Published)> {
    let inputs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/vn");
    let out = tempfile::tempdir().unwrap();
    etl::demo::generate(&inputs, out.path()).unwrap();
    let mut province_of = std::collections::BTreeMap::new();
    let mut r = csv::Reader::from_path(inputs.join("communes-2025.csv")).unwrap();
    for row in r.deserialize::<std::collections::BTreeMap<String, String>>() {
        let row = row.unwrap();
        province_of.insert(row["code"].clone(), row["province_code"].clone());
    }
    type Sums = std::collections::BTreeMap<String, std::collections::BTreeMap<String, i64>>;
    let read = |period: &str| -> Sums {
        let mut sums = Sums::new();
        let path = out.path().join(format!("tables/{period}.csv"));
        let mut r = csv::Reader::from_path(&path).unwrap();
        for row in r.deserialize::<std::collections::BTreeMap<String, String>>() {
            let row = row.unwrap();
            let province = sums.entry(province_of[&row["code"]].clone()).or_default();
            for (k, v) in &row {
                if let Ok(n) = v.parse::<i64>()
                    && k != "code"
                {
                    *province.entry(k.clone()).or_default() += n;
                }
            }
        }
        sums
    };
    let base = read("2025-12");
    let months: Vec<Sums> = (7..=12).map(|m| read(&format!("2025-{m:02}"))).collect();
    let year = |code: &str, ind: &str| -> f64 {
        months.iter().map(|t| t[code][ind]).sum::<i64>() as f64 * (12.0 / 6.0)
    };
    base.iter()
        .map(|(code, v)| {
            let mut s = AgeSex::default();
            for (sex, out) in [("males", &mut s.males), ("females", &mut s.females)] {
                for (g, c) in geodata::group_codes(sex).iter().enumerate() {
                    out[g] = v[c];
                }
            }
            let p = Published {
                births: year(code, "births"),
                births_by_sex: Some((year(code, "births_male"), year(code, "births_female"))),
                deaths: year(code, "deaths"),
                net_migration: vec![year(code, "in_migrants") - year(code, "out_migrants")],
            };
            (code.clone(), s, p)
        })
        .collect()
}

#[test]
fn the_demos_projections_match_the_python_reference_to_the_person() {
    let Ok(py) = std::env::var("POPMAP_PYTHON") else {
        eprintln!("skipped: POPMAP_PYTHON is not set (scripts/test.sh sets it up with numpy)");
        return;
    };
    let units = demo_provinces();
    assert_eq!(units.len(), 34);
    let national = compare(&py, &units);
    let start: i64 = units.iter().map(|u| u.1.total()).sum();
    let medium_2030 = national[1][4].total();
    // Vietnam-like growth: between 0 and 2 % a year.
    assert!(
        medium_2030 > start && medium_2030 < start * 110 / 100,
        "{start} → {medium_2030}"
    );
}
