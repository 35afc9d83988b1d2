//! Validation and aggregation of indicator tables: the bad-input corpus in
//! `tests/corpus/tables/` (each file with its exact expected findings) and the hierarchy sums.
//! Pure: a tiny boundary version is built in memory; no store.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::NaiveDate;
use etl::publish::{Checked, Options, check_bytes};
use etl::report::Issue;
use geodata::to_table;
use geodata::{BoundaryVersion, Catalog, Level, Period, UnitInfo};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/tables")
}

fn unit(code: &str, name: &str, level: Level, parent: Option<&str>) -> UnitInfo {
    UnitInfo {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        area_km2: 1.0,
    }
}

/// vn-2025 in miniature: one province, three wards.
fn tiny() -> (BoundaryVersion, Vec<UnitInfo>) {
    let v = BoundaryVersion {
        id: "vn-2025".into(),
        valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        valid_to: None,
        levels: vec![Level::Province, Level::Commune],
    };
    let units = vec![
        unit("01", "Thành phố Hà Nội", Level::Province, None),
        unit("00004", "Phường Ba Đình", Level::Commune, Some("01")),
        unit("00008", "Phường Ngọc Hà", Level::Commune, Some("01")),
        unit("00070", "Phường Hoàn Kiếm", Level::Commune, Some("01")),
    ];
    (v, units)
}

fn q3() -> Period {
    "2025-Q3".parse().unwrap()
}

/// The options corpus file `name` is checked with. Most cover one or two of the three wards to
/// show one rule each, so they are checked as partial; the `incomplete_*` files show the
/// coverage rule itself and are checked as a plain publish is.
pub(crate) fn corpus_options(name: &str) -> Options {
    Options {
        partial: !name.starts_with("incomplete_"),
        ..Options::default()
    }
}

/// Checks corpus file `name` with [`corpus_options`].
fn check(name: &str) -> Checked {
    let bytes = std::fs::read(corpus().join(name)).unwrap();
    let (v, units) = tiny();
    let opts = corpus_options(name);
    check_bytes(
        name,
        &bytes,
        q3(),
        &v,
        &units,
        None,
        &Catalog::builtin(),
        &opts,
    )
}

/// One finding as `SEVERITY rule line:column:code message`, "-" for absent parts.
fn line(sev: char, i: &Issue) -> String {
    let o = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    let l = i.line.map_or_else(|| "-".into(), |l| l.to_string());
    format!(
        "{sev} {} {l}:{}:{} {}",
        i.rule,
        o(&i.column),
        o(&i.code),
        i.message
    )
}

fn findings(c: &Checked) -> Vec<String> {
    let r = &c.report;
    r.errors
        .iter()
        .map(|i| line('E', i))
        .chain(r.warnings.iter().map(|i| line('W', i)))
        .chain(
            r.notes
                .iter()
                // Always there in this pure test (no previous period; partial corpus files).
                .filter(|i| i.rule != "change_check_skipped" && i.rule != "partial_table")
                .map(|i| line('N', i)),
        )
        .collect()
}

/// Every corpus file with the exact findings it must produce (`E` ones are refused; the store
/// test publishes each of those and checks that nothing changed).
pub(crate) const CORPUS: &[(&str, &[&str])] = &[
    (
        "age_groups_partial.csv",
        &[
            "E age_groups_partial 1:females_80p:- the table gives 33 of the 34 age × sex groups: give all of them or none (missing columns: females_80p)",
        ],
    ),
    (
        "age_groups_partial_long.csv",
        &[
            "E age_groups_partial 40:females_80p:00008 unit 00008 gives 33 of the 34 age × sex groups the table has: give all of them for every unit (missing: females_80p)",
        ],
    ),
    (
        "age_groups_sum.csv",
        &[
            "E age_groups_sum 2:males_0_4:00004 the groups males_0_4 … males_80p sum to 491 but males is 490",
        ],
    ),
    (
        "women_15_49_groups.csv",
        &[
            "E women_15_49_groups 2:females_15_19:00004 the groups females_15_19 … females_45_49 sum to 140 but women_15_49 is 145",
        ],
    ),
    (
        "ragged_row.csv",
        &["E ragged_row 3:-:- row has 4 fields; the header has 5"],
    ),
    (
        "bom.csv",
        &["N bom -:-:- file starts with a UTF-8 byte-order mark (ignored)"],
    ),
    (
        "semicolon_delimiter.csv",
        &["E delimiter 1:-:- file uses ';' as delimiter; expected ','"],
    ),
    (
        "tab_delimiter.csv",
        &["E delimiter 1:-:- file uses tab as delimiter; expected ','"],
    ),
    (
        "nfd_names.csv",
        &[
            "N nfd_text 2:-:- 2 name(s) are in decomposed Unicode (NFD), first on line 2; normalised to NFC",
        ],
    ),
    ("empty.csv", &["E empty_file -:-:- file is empty"]),
    (
        "header_only.csv",
        &["E no_data_rows 1:-:- no data rows (only a header)"],
    ),
    (
        "huge_number.csv",
        &[
            "E implausibly_large 2:population:00004 value '9999999999999999999' is implausibly large for a count (above 2^53)",
        ],
    ),
    (
        "commune_too_large.csv",
        &[
            "E implausibly_large 2:population:00004 value 12000000 is implausibly large for a commune (limit 10000000)",
        ],
    ),
    (
        "negative_count.csv",
        &[
            "E negative_count 3:births:00008 negative count '-5'",
            "N srb_unstable -:births:- sex ratio at birth rests on fewer than 100 births for 2 unit(s) (00004, 00008): shown as unstable",
        ],
    ),
    (
        "fractional_count.csv",
        &["E fractional_count 2:population:00004 count '1000.5' is not a whole number"],
    ),
    (
        "non_numeric.csv",
        &["E non_numeric 2:population:00004 value 'n/a' is not a number"],
    ),
    (
        "duplicate_code.csv",
        &["E duplicate_code 4:code:00004 code '00004' appears on lines 2 and 4"],
    ),
    (
        "unknown_code.csv",
        &["E unknown_code 3:code:99999 code '99999' is not a unit of vn-2025"],
    ),
    (
        "unknown_column.csv",
        &["E unknown_column 1:populaton:- unknown column 'populaton' (did you mean 'population'?)"],
    ),
    (
        "males_females_sum.csv",
        &["E males_females_sum 2:males:00004 males 490 + females 500 = 990 but population is 1000"],
    ),
    (
        "births_sex_sum.csv",
        &[
            "E births_sex_sum 2:births_male:00004 births_male 12 + births_female 10 = 22 but births is 20",
            "N srb_unstable -:births:- sex ratio at birth rests on fewer than 100 births for 1 unit(s) (00004): shown as unstable",
        ],
    ),
    (
        "contraception_exceeds.csv",
        &[
            "E contraception_exceeds_women 2:women_15_49_contraception:00004 women_15_49_contraception 300 exceeds women_15_49 250",
        ],
    ),
    (
        "urban_exceeds.csv",
        &[
            "E urban_exceeds_population 2:urban_population:00004 urban_population 1001 exceeds population 1000",
        ],
    ),
    (
        "residents_exceed.csv",
        &[
            "E residents_exceed_population 2:permanent_residents:00004 permanent_residents 900 + temporary_residents 200 = 1100 exceeds population 1000",
        ],
    ),
    (
        "leading_zeros.csv",
        &[
            "E code_leading_zeros 2:code:4 code '4' is not a unit of vn-2025; did you mean '00004'? codes keep their leading zeros (store the column as text)",
            "E code_leading_zeros 3:code:8.0 code '8.0' is not a unit of vn-2025; did you mean '00008'? codes keep their leading zeros (store the column as text)",
        ],
    ),
    (
        "long_unknown_indicator.csv",
        &[
            "E unknown_indicator 3:indicator:00004 unknown indicator 'birth' (did you mean 'births'?)",
        ],
    ),
    (
        "sex_ratio_warning.csv",
        &[
            "W sex_ratio_range 2:males:00004 sex ratio 150.0 males per 100 females is outside 80-130",
        ],
    ),
    (
        "missing_population.csv",
        &[
            "E missing_population 1:population:- the table has no 'population' column: every table must give the population of each unit it reports",
        ],
    ),
    (
        "names_shifted.csv",
        &[
            "W names_disagree 2:name:00004 code 00004 is 'Phường Ba Đình' in vn-2025, the table says 'Phường Ngọc Hà'",
            "W names_disagree 3:name:00008 code 00008 is 'Phường Ngọc Hà' in vn-2025, the table says 'Phường Hoàn Kiếm'",
            "W names_disagree 4:name:00070 code 00070 is 'Phường Hoàn Kiếm' in vn-2025, the table says 'Ba Đình'",
        ],
    ),
    (
        "incomplete_one_ward.csv",
        &[
            "E incomplete_table -:-:- the table covers 1 of the 3 units of vn-2025: missing 00008 Phường Ngọc Hà, 00070 Phường Hoàn Kiếm. Every unit must be reported (parent totals would be wrong); publish with --partial to store it as incomplete",
        ],
    ),
    (
        "total_mismatch_warning.csv",
        &[
            "W total_mismatch 2:females:01 reported total 1000 differs from the sum of its children 910 (2 of 3 children reported); the sum is stored",
            "W total_mismatch 2:males:01 reported total 1000 differs from the sum of its children 890 (2 of 3 children reported); the sum is stored",
            "W total_mismatch 2:population:01 reported total 2000 differs from the sum of its children 1800 (2 of 3 children reported); the sum is stored",
        ],
    ),
];

#[test]
fn corpus_files_give_their_exact_findings() {
    let mut failures = Vec::new();
    for (file, want) in CORPUS {
        let got = findings(&check(file));
        if got != *want {
            failures.push(format!("{file}:\n  want {want:#?}\n  got  {got:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn corpus_readme_and_test_table_list_every_file() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    // Checked against a store of two versions in publish_store.rs instead.
    let in_store_test = ["vn2025_table_in_2019_period.csv"];
    let in_test: BTreeSet<String> = CORPUS
        .iter()
        .map(|(f, _)| *f)
        .chain(in_store_test)
        .map(String::from)
        .collect();
    assert_eq!(on_disk, in_test);
    assert!(on_disk.len() >= 12);
    let readme = std::fs::read_to_string(corpus().join("README.md")).unwrap();
    for f in &on_disk {
        assert!(
            readme.contains(&format!("`{f}`")),
            "README.md does not list {f}"
        );
    }
}

#[test]
fn accepted_files_are_publishable_with_normalised_values() {
    for (file, pop) in [
        ("bom.csv", 1000),
        ("nfd_names.csv", 1800),
        ("sex_ratio_warning.csv", 1000),
    ] {
        let c = check(file);
        assert!(c.report.is_publishable(false), "{file}: {}", c.report);
        assert_eq!(c.report.totals["population"], pop, "{file}");
    }
    assert!(!check("sex_ratio_warning.csv").report.is_publishable(true));
    // the province row's own total is replaced by the sum of its wards, and flagged
    let c = check("total_mismatch_warning.csv");
    let t = to_table(&c.values);
    assert_eq!(t["01"]["population"], 1800);
    assert!(c.values.iter().any(|r| r.unit_code == "01" && !r.reported));
    assert!(
        c.values
            .iter()
            .any(|r| r.unit_code == "00004" && r.reported)
    );
}

/// A vn-2019-shaped version: 2 provinces × 2 districts × 3 communes, all 17 indicators.
#[test]
fn hierarchy_sums_equal_sum_of_communes_for_every_base_indicator() {
    let catalog = Catalog::builtin();
    let version = BoundaryVersion {
        id: "vn-2019".into(),
        valid_from: NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
        valid_to: Some(NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()),
        levels: vec![Level::Province, Level::District, Level::Commune],
    };
    let mut units = Vec::new();
    let mut communes = Vec::new();
    for p in 0..2 {
        let pc = format!("{:02}", p + 1);
        units.push(unit(&pc, &pc, Level::Province, None));
        for d in 0..2 {
            let dc = format!("{:03}", p * 2 + d + 1);
            units.push(unit(&dc, &dc, Level::District, Some(&pc)));
            for c in 0..3 {
                let cc = format!("{:05}", (p * 6 + d * 3 + c) * 3 + 1);
                units.push(unit(&cc, &cc, Level::Commune, Some(&dc)));
                communes.push((cc, dc.clone(), pc.clone()));
            }
        }
    }
    let ids: Vec<&str> = catalog.base_ids_except_ages().collect();
    let mut csv = format!("code,{}\n", ids.join(","));
    let mut expect: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (i, (cc, dc, pc)) in communes.iter().enumerate() {
        let i = i as i64;
        let p = 1000 + 137 * i;
        let males = p / 2 - i;
        let births = 10 + i;
        let bm = births / 2 + 1;
        let vals: BTreeMap<&str, i64> = [
            ("population", p),
            ("males", males),
            ("females", p - males),
            ("households", p / 4),
            ("permanent_residents", p - 50 - i),
            ("temporary_residents", 30 + i),
            ("births", births),
            ("births_male", bm),
            ("births_female", births - bm),
            ("deaths", 5 + i),
            ("marriages", 3 + i),
            ("divorces", i % 3),
            ("in_migrants", 20 + i),
            ("out_migrants", 15 + 2 * i),
            ("women_15_49", p / 4),
            ("women_15_49_contraception", p / 6),
            ("urban_population", p / 3),
        ]
        .into();
        assert_eq!(vals.len(), ids.len());
        let cells: Vec<String> = ids.iter().map(|id| vals[id].to_string()).collect();
        csv.push_str(&format!("{cc},{}\n", cells.join(",")));
        for (id, v) in &vals {
            for code in [cc, dc, pc, &"*".to_string()] {
                *expect.entry((code.clone(), id.to_string())).or_insert(0) += v;
            }
        }
    }
    let c = check_bytes(
        "all.csv",
        csv.as_bytes(),
        "2024-Q4".parse().unwrap(),
        &version,
        &units,
        None,
        &catalog,
        &Options::default(),
    );
    assert!(c.report.errors.is_empty(), "{}", c.report);
    assert!(c.report.warnings.is_empty(), "{}", c.report);
    let t = to_table(&c.values);
    assert_eq!(c.values.len(), units.len() * ids.len());
    for ((code, id), want) in &expect {
        if code == "*" {
            assert_eq!(c.report.totals[id], *want, "national {id}");
        } else {
            assert_eq!(t[code][id], *want, "{code} {id}");
        }
    }
    for r in &c.values {
        assert_eq!(r.reported, r.unit_code.len() == 5, "{r:?}");
    }
    assert_eq!(c.report.units, units.len());
    assert_eq!(c.report.rows, communes.len());
}
