//! The vn-2019 → vn-2025 crosswalk on the demo data: built from the official mapping, every old
//! commune mapped, every new commune fed, counts conserved exactly when a vn-2019 period is
//! harmonised onto vn-2025, and no artificial jump across the July 2025 reorganisation.

use std::collections::{BTreeMap, BTreeSet};

use etl::publish::Options;
use geodata::Hierarchy;
use geodata::ValueTable;
use geodata::{Catalog, Level, Period, Store};

fn p(s: &str) -> Period {
    s.parse().unwrap()
}

async fn snapshot_of(store: &Store, period: &str) -> geodata::Snapshot {
    store.latest_snapshot(&p(period)).await.unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_crosswalk_conserves_counts_and_keeps_series_smooth() {
    let demo = popmap_tests::DemoStore::boundaries().await;
    let store = demo.store.clone();
    let catalog = Catalog::builtin();
    for m in ["2025-06", "2025-07"] {
        let path = demo.path(&format!("tables/{m}.csv"));
        etl::publish::publish(&store, &catalog, p(m), &path, &Options::default())
            .await
            .unwrap();
    }

    // Harmonising before a crosswalk exists is a clear error.
    let june = snapshot_of(&store, "2025-06").await;
    assert_eq!(june.version, "vn-2019");
    let err = geodata::harmonise(&store, &catalog, &june, "vn-2025")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("no crosswalk from vn-2019 to vn-2025"),
        "{err}"
    );

    let report = etl::crosswalk::build_and_store(
        &store,
        "vn-2019",
        "vn-2025",
        Some(&demo.inputs.join("mapping-2025.csv")),
    )
    .await
    .unwrap();
    println!(
        "built: {} old, {} rows, {} splits, {} disagreements",
        report.old_units,
        report.rows,
        report.splits,
        report.disagreements.len()
    );
    assert_eq!(report.meta.disagreements, report.disagreements.len() as i64);
    let cw = store
        .crosswalk("vn-2019", "vn-2025")
        .await
        .unwrap()
        .unwrap();

    // Every old commune mapped with shares summing to 1; every new commune fed.
    let u2019 = store.units("vn-2019").await.unwrap();
    let u2025 = store.units("vn-2025").await.unwrap();
    let communes = |units: &[geodata::UnitInfo]| -> BTreeSet<String> {
        units
            .iter()
            .filter(|u| u.level == Level::Commune)
            .map(|u| u.code.clone())
            .collect()
    };
    let (old, new) = (communes(&u2019), communes(&u2025));
    assert_eq!(old.len(), 10_040);
    assert_eq!(new.len(), 3_321);
    assert_eq!(cw.rows.keys().cloned().collect::<BTreeSet<_>>(), old);
    let mut fed = BTreeSet::new();
    for (code, parts) in &cw.rows {
        let sum: f64 = parts.iter().map(|p| p.share).sum();
        assert!((sum - 1.0).abs() <= 1e-9, "{code}: shares sum to {sum}");
        fed.extend(parts.iter().map(|p| p.new_code.clone()));
    }
    assert_eq!(fed, new);
    assert!(report.splits > 400, "the real mapping splits ~490 communes");

    // Conservation: the harmonised period's national total and every new province's total.
    let h = geodata::harmonise(&store, &catalog, &june, "vn-2025")
        .await
        .unwrap();
    let reported: ValueTable = store.values(june.id).await.unwrap();
    let province_of: BTreeMap<&str, &str> = u2025
        .iter()
        .filter_map(|u| Some((u.code.as_str(), u.parent_code.as_deref()?)))
        .collect();
    let provinces: Vec<&str> = u2025
        .iter()
        .filter(|u| u.level == Level::Province)
        .map(|u| u.code.as_str())
        .collect();
    assert_eq!(provinces.len(), 34);
    let mut checked = 0;
    for indicator in catalog.base_ids() {
        let old_national: i64 = old
            .iter()
            .filter_map(|c| reported.get(c).and_then(|r| r.get(indicator)))
            .sum();
        let new_national: i64 = provinces
            .iter()
            .filter_map(|c| h.values.get(*c).and_then(|r| r.get(indicator)))
            .sum();
        assert_eq!(new_national, old_national, "{indicator}: national total");
        // Per province: the sum of the old communes' contributions, computed here from the
        // shares (exact for whole merges, within one person per split part).
        let mut expected: BTreeMap<&str, f64> = BTreeMap::new();
        let mut slack: BTreeMap<&str, f64> = BTreeMap::new();
        for (code, parts) in &cw.rows {
            let Some(v) = reported.get(code).and_then(|r| r.get(indicator)) else {
                continue;
            };
            for part in parts {
                let prov = province_of[part.new_code.as_str()];
                *expected.entry(prov).or_default() += *v as f64 * part.share;
                if !part.exact {
                    *slack.entry(prov).or_default() += 1.0;
                }
            }
        }
        for prov in &provinces {
            let got = h.values.get(*prov).and_then(|r| r.get(indicator)).copied();
            let Some(want) = expected.get(prov) else {
                assert_eq!(got, None);
                continue;
            };
            let got = got.unwrap_or_else(|| panic!("{prov} {indicator}: no value")) as f64;
            let tolerance = slack.get(prov).copied().unwrap_or(0.0) + 1e-6;
            assert!(
                (got - want).abs() <= tolerance,
                "{prov} {indicator}: {got} vs contributions {want} (±{tolerance})"
            );
            let communes_sum: i64 = h
                .values
                .iter()
                .filter(|(c, _)| province_of.get(c.as_str()) == Some(prov))
                .filter_map(|(_, r)| r.get(indicator))
                .sum();
            assert_eq!(
                got as i64, communes_sum,
                "{prov} {indicator}: sum of communes"
            );
            checked += 1;
        }
    }
    assert!(checked > 34 * 5, "only {checked} province totals checked");

    // Estimated flags: exactly the new communes fed by a split, plus their provinces.
    let split_fed: BTreeSet<String> = cw
        .rows
        .values()
        .flatten()
        .filter(|p| !p.exact)
        .map(|p| p.new_code.clone())
        .collect();
    let h_communes: BTreeSet<String> = h
        .estimated
        .iter()
        .filter(|c| new.contains(*c))
        .cloned()
        .collect();
    assert_eq!(h_communes, split_fed);
    let hier = Hierarchy::new(&u2025);
    for c in &split_fed {
        let prov = hier.unit(c).unwrap().parent_code.clone().unwrap();
        assert!(h.estimated.contains(&prov), "{prov} holds estimated {c}");
    }

    // One unit read from its predecessors alone (what a harmonised series does) gives the
    // same integers and flag as the whole period, for every commune and province.
    let harmoniser = geodata::Harmoniser::new(cw.clone(), &u2025);
    let indicators: Vec<&str> = catalog.base_ids().collect();
    for u in &u2025 {
        let sources = harmoniser.sources(&u.code);
        assert!(!sources.is_empty(), "{}: no sources", u.code);
        let only: ValueTable = sources
            .iter()
            .filter_map(|c| Some((c.to_string(), reported.get(*c)?.clone())))
            .collect();
        let one = harmoniser.unit_counts(&u.code, &only, &indicators);
        let whole = h.values.get(&u.code).cloned().unwrap_or_default();
        assert_eq!(one.counts, whole, "{}: counts", u.code);
        assert_eq!(one.estimated, h.estimated.contains(&u.code), "{}", u.code);
    }
    assert!(harmoniser.sources("nope").is_empty());

    // No artificial jump: merged communes' harmonised June vs as-reported July population.
    // Communes built from whole merges only carry exact counts: the change is the month's own.
    // Communes fed by a split rest on the people-weight estimate (area weights on r9 cells
    // until the stored H3 operator lands), so most, not all, must be as smooth.
    let july = store
        .values(snapshot_of(&store, "2025-07").await.id)
        .await
        .unwrap();
    let (mut exact, mut estimated) = (Vec::new(), Vec::new());
    for code in &new {
        if cw.predecessors(code).len() < 2 {
            continue;
        }
        let before = h.values[code]["population"] as f64;
        let after = july[code]["population"] as f64;
        let change = (after - before).abs() / before;
        if h.estimated.contains(code) {
            estimated.push((change, code.clone()));
        } else {
            exact.push((change, code.clone()));
        }
    }
    exact.sort_by(|a, b| a.0.total_cmp(&b.0));
    estimated.sort_by(|a, b| a.0.total_cmp(&b.0));
    let worst = exact.last().unwrap();
    let p90 = &estimated[estimated.len() * 9 / 10];
    println!(
        "merged communes: {} exact (worst {:.3}% at {}), {} estimated (median {:.3}%, p90 {:.3}%, worst {:.3}% at {})",
        exact.len(),
        worst.0 * 100.0,
        worst.1,
        estimated.len(),
        estimated[estimated.len() / 2].0 * 100.0,
        p90.0 * 100.0,
        estimated.last().unwrap().0 * 100.0,
        estimated.last().unwrap().1,
    );
    assert!(exact.len() > 1_500, "{} exact merged communes", exact.len());
    assert!(
        worst.0 < 0.02,
        "{}: population jumps {:.2}%",
        worst.1,
        worst.0 * 100.0
    );
    assert!(
        p90.0 < 0.02,
        "90th percentile of estimated communes jumps {:.2}%",
        p90.0 * 100.0
    );

    // A snapshot already on the target version comes back unchanged.
    let same = geodata::harmonise(
        &store,
        &catalog,
        &snapshot_of(&store, "2025-07").await,
        "vn-2025",
    )
    .await
    .unwrap();
    assert_eq!(same.values, july);
    assert!(same.estimated.is_empty());
}
