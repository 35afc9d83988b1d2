//! The CSV table parser (`etl::table::parse_table`): generated wide and long tables read back
//! as written; any bytes, or a valid table with bytes changed, give issues naming the file
//! instead of a panic.

use std::collections::BTreeMap;

use etl::table::{Form, Table, parse_table};
use geodata::Catalog;
use proptest::prelude::*;

const FILE: &str = "fuzz.csv";

/// A generated table: indicators (a subset of the catalogue's base ids, in order) and rows of
/// distinct codes (leading zeros kept) with a name and a count or an empty cell per indicator.
#[derive(Debug, Clone)]
struct Generated {
    long: bool,
    indicators: Vec<String>,
    rows: BTreeMap<String, (String, Vec<Option<i64>>)>,
}

fn generated() -> impl Strategy<Value = Generated> {
    let ids: Vec<String> = Catalog::builtin().base_ids().map(String::from).collect();
    (
        any::<bool>(),
        proptest::sample::subsequence(ids.clone(), 1..=ids.len()),
    )
        .prop_flat_map(|(long, indicators)| {
            let n = indicators.len();
            let row = (
                "[A-Z][a-z]{0,8}( [A-Z][a-z]{0,8}){0,2}",
                proptest::collection::vec(proptest::option::of(0i64..=2_000_000_000), n),
            );
            let rows = proptest::collection::btree_map("[0-9]{2,5}", row, 1..20);
            rows.prop_map(move |rows| Generated {
                long,
                indicators: indicators.clone(),
                rows,
            })
        })
}

/// The table as CSV text: wide (`code,name,ids...`) or long (`code,indicator,value`).
fn csv(g: &Generated) -> String {
    let cell = |v: &Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    if g.long {
        let mut out = String::from("code,indicator,value\n");
        for (code, (_, values)) in &g.rows {
            for (id, v) in g.indicators.iter().zip(values) {
                out.push_str(&format!("{code},{id},{}\n", cell(v)));
            }
        }
        out
    } else {
        let mut out = format!("code,name,{}\n", g.indicators.join(","));
        for (code, (name, values)) in &g.rows {
            let cells: Vec<String> = values.iter().map(cell).collect();
            out.push_str(&format!("{code},{name},{}\n", cells.join(",")));
        }
        out
    }
}

/// Every issue names the file and a rule and says something; a line, when given, is in the file.
fn issues_are_named(t: &Table, lines: usize) -> Result<(), TestCaseError> {
    for i in t.errors.iter().chain(&t.notes) {
        prop_assert_eq!(&i.file, FILE);
        prop_assert!(
            !i.rule.is_empty() && !i.message.trim().is_empty(),
            "{:?}",
            i
        );
        if let Some(line) = i.line {
            prop_assert!(line >= 1 && line as usize <= lines.max(1), "{:?}", i);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::config(300))]

    /// A generated table reads back with its form, codes, names and counts, and no issue.
    #[test]
    fn generated_tables_read_back(g in generated()) {
        let text = csv(&g);
        let t = parse_table(FILE, text.as_bytes(), &Catalog::builtin());
        prop_assert!(t.errors.is_empty(), "{:?}\n{}", t.errors, text);
        prop_assert_eq!(t.form, if g.long { Form::Long } else { Form::Wide });
        prop_assert_eq!(t.rows.len(), g.rows.len());
        for (row, (code, (name, values))) in t.rows.iter().zip(&g.rows) {
            prop_assert_eq!(&row.code, code);
            if !g.long {
                prop_assert_eq!(row.name.as_deref(), Some(name.as_str()));
            }
            for (id, v) in g.indicators.iter().zip(values) {
                prop_assert_eq!(row.values.get(id), Some(v), "{} of {}", id, code);
            }
        }
    }

    /// A generated table with bytes overwritten, inserted or cut: issues naming the file, no
    /// panic.
    #[test]
    fn damaged_tables_give_named_issues(
        g in generated(),
        edits in crate::edits(8),
    ) {
        let mut bytes = csv(&g).into_bytes();
        crate::damage(&mut bytes, &edits);
        let t = parse_table(FILE, &bytes, &Catalog::builtin());
        issues_are_named(&t, bytes.split(|b| *b == b'\n').count())?;
    }

    /// Any bytes: issues naming the file, no panic.
    #[test]
    fn any_bytes_give_named_issues(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let t = parse_table(FILE, &bytes, &Catalog::builtin());
        issues_are_named(&t, bytes.split(|b| *b == b'\n').count())?;
    }
}
