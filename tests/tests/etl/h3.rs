//! Building H3 operators from weight files: point weights put people where the points are,
//! cell weights are split between units by area, units without weight fall back to area, and
//! bad rows are refused naming the file and line.

use std::collections::BTreeMap;
use std::io::Write;

use etl::h3::{H3Error, Weights, build};
use geo_types::{MultiPolygon, polygon};
use geodata::Grid;
use geodata::ValueTable;
use geodata::{Level, Unit};
use h3o::{CellIndex, LatLng, Resolution};
use indicatif::ProgressBar;

const R9: Resolution = Resolution::Nine;

fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![
        (x: x, y: y), (x: x + size, y: y), (x: x + size, y: y + size), (x: x, y: y + size), (x: x, y: y)
    ]])
}

fn units() -> Vec<Unit> {
    let unit = |code: &str, level, g: MultiPolygon<f64>| Unit {
        code: code.into(),
        name: code.into(),
        level,
        parent_code: (level == Level::Commune).then(|| "01".into()),
        area_km2: etl::geometry::geodesic_area_km2(&g),
        geometry: g,
    };
    vec![
        unit("01", Level::Province, square(105.80, 21.0, 0.04)),
        unit("00004", Level::Commune, square(105.80, 21.0, 0.02)),
        unit("00008", Level::Commune, square(105.82, 21.0, 0.02)),
    ]
}

fn csv(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

#[test]
fn points_in_one_cell_give_it_the_whole_population() {
    let centre = LatLng::new(21.011, 105.811).unwrap().to_cell(R9);
    let c = LatLng::from(centre);
    let mut text = String::from("lon,lat,weight\n");
    for (dx, dy, w) in [(0.0, 0.0, 3.0), (1e-5, -1e-5, 1.0), (-1e-5, 2e-5, 0.5)] {
        text.push_str(&format!("{},{},{w}\n", c.lng() + dx, c.lat() + dy));
    }
    text.push_str("2.35,48.85,7\n"); // Paris: in no unit
    let file = csv(&text);
    let (op, report) = build(
        &units(),
        R9,
        &Weights::File(file.path().into()),
        &ProgressBar::hidden(),
    )
    .unwrap();
    assert_eq!(op.unit("00004"), Some([(centre, 1.0)].as_slice()));
    assert_eq!(report.points_outside, 1);
    // No point in 00008: it falls back to area and still sums to 1.
    assert_eq!(report.area_fallback, ["00008"]);
    let shares: f64 = op.unit("00008").unwrap().iter().map(|(_, s)| s).sum();
    assert!((shares - 1.0).abs() < 1e-12);
    assert!(op.unit("01").is_none(), "only the finest level is mapped");
    assert!(report.weights.starts_with("points:"), "{}", report.weights);

    let values: ValueTable = BTreeMap::from([
        (
            "00004".to_owned(),
            BTreeMap::from([("population".to_owned(), 1234)]),
        ),
        (
            "00008".to_owned(),
            BTreeMap::from([("population".to_owned(), 50)]),
        ),
    ]);
    let grid = Grid::apply(&op, &values, &["population".to_owned()]).expect("grid");
    let fine = grid.level(R9).unwrap();
    let i = fine.find(centre).unwrap();
    assert_eq!(fine.row(i), [1234]);
}

#[test]
fn cell_weights_are_split_between_units_by_area() {
    // A cell on the border of the two communes, and one inside 00004 only.
    let border = LatLng::new(21.01, 105.82).unwrap().to_cell(R9);
    let inside = LatLng::new(21.01, 105.805).unwrap().to_cell(R9);
    // A finer (r10) child row is summed into its r9 parent.
    let child: CellIndex = inside.center_child(Resolution::Ten).unwrap();
    let file = csv(&format!(
        "cell,weight\n{border},10\n{inside},4\n{child},1\n"
    ));
    let (op, report) = build(
        &units(),
        R9,
        &Weights::File(file.path().into()),
        &ProgressBar::hidden(),
    )
    .unwrap();
    assert!(
        report.area_fallback.is_empty(),
        "{:?}",
        report.area_fallback
    );
    let a = op.unit("00004").unwrap();
    let b = op.unit("00008").unwrap();
    assert_eq!(
        b,
        [(border, 1.0)].as_slice(),
        "00008 only has the border cell's weight"
    );
    assert_eq!(a.len(), 2);
    let share = |cells: &[(CellIndex, f64)], c| cells.iter().find(|(x, _)| *x == c).unwrap().1;
    // 00004 holds part of the border cell (by area) and all of the inside cell (weight 5).
    let border_part = share(a, border);
    assert!(border_part > 0.0 && border_part < 1.0);
    assert!((share(a, inside) + border_part - 1.0).abs() < 1e-12);
}

#[test]
fn bad_weight_files_name_the_file_and_line() {
    let cases = [
        (
            "lon,lat,weight\n105.8,21.0,1\n105.8,abc,1\n",
            "line 3",
            "lat 'abc' is not a number",
        ),
        (
            "lon,lat,weight\n105.8,21.0,-1\n",
            "line 2",
            "weight -1 is negative",
        ),
        ("lon,lat\n200,21.0\n", "line 2", "is not a coordinate"),
        (
            "lon,lat,weight\n105.8,21.0\n",
            "line 2",
            "2 fields, the header has 3",
        ),
        (
            "cell,weight\nnope,1\n",
            "line 2",
            "cell 'nope' is not an H3 cell index",
        ),
        ("x,y\n1,2\n", "line 1", "the header must name"),
    ];
    for (text, line, rule) in cases {
        let file = csv(text);
        let err = build(
            &units(),
            R9,
            &Weights::File(file.path().into()),
            &ProgressBar::hidden(),
        )
        .unwrap_err();
        assert!(matches!(err, H3Error::Weights(_)), "{err}");
        let msg = err.to_string();
        let name = file.path().display().to_string();
        assert!(
            msg.contains(&name) && msg.contains(line) && msg.contains(rule),
            "{msg}"
        );
    }
    let coarse = LatLng::new(21.01, 105.805)
        .unwrap()
        .to_cell(Resolution::Five);
    let file = csv(&format!("cell,weight\n{coarse},1\n"));
    let err = build(
        &units(),
        R9,
        &Weights::File(file.path().into()),
        &ProgressBar::hidden(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("line 2") && err.contains("coarser than the operator's r9"),
        "{err}"
    );
    let err = build(
        &units(),
        Resolution::Eleven,
        &Weights::Area,
        &ProgressBar::hidden(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("outside the allowed range"), "{err}");
}
