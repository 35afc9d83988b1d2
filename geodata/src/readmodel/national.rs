//! The national row (`level=country`): the country as one unit of a boundary version, code
//! [`NATIONAL_CODE`]. Its counts are the sums of the province counts of that version (each
//! indicator over the provinces that have it, the rule [`crate::Hierarchy::aggregate`] sums up
//! the tree by) and its area the sum of the province areas; derived indicators are recomputed
//! from these sums by the catalog like for any unit (a density over the summed area), never
//! averaged. No version stores a country unit, so every reader sums here, once.

use std::collections::BTreeMap;

use crate::model::level::Level;
use crate::model::snapshot::ValueTable;
use crate::model::unit::UnitInfo;

/// The code of the national row.
pub const NATIONAL_CODE: &str = "VN";
/// The Vietnamese name of the national row.
pub const NATIONAL_NAME: &str = "Việt Nam";
/// The English name of the national row.
pub const NATIONAL_NAME_EN: &str = "Viet Nam";

/// The country as one unit, with its counts.
#[derive(Debug, Clone)]
pub struct National {
    /// Code `VN`, name `Việt Nam`, level country, no parent, the provinces' summed area.
    pub unit: UnitInfo,
    /// Base indicator → the sum over the provinces that have it.
    pub counts: BTreeMap<String, i64>,
    /// How many provinces were summed.
    pub provinces: usize,
}

impl National {
    /// The counts as a value table of one row (`VN`), for code that reads tables.
    pub fn table(&self) -> ValueTable {
        ValueTable::from([(self.unit.code.clone(), self.counts.clone())])
    }
}

/// Sums the provinces among `units` (units of one version; other levels are ignored) and
/// their rows of `values` into the national row.
pub fn national<'a>(
    units: impl IntoIterator<Item = &'a UnitInfo>,
    values: &ValueTable,
) -> National {
    let mut area_km2 = 0.0;
    let mut provinces = 0;
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for u in units.into_iter().filter(|u| u.level == Level::Province) {
        provinces += 1;
        area_km2 += u.area_km2;
        for (ind, v) in values.get(&u.code).into_iter().flatten() {
            *counts.entry(ind.clone()).or_insert(0) += v;
        }
    }
    National {
        unit: UnitInfo {
            code: NATIONAL_CODE.to_owned(),
            name: NATIONAL_NAME.to_owned(),
            level: Level::Country,
            parent_code: None,
            area_km2,
        },
        counts,
        provinces,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, level: Level, area_km2: f64) -> UnitInfo {
        UnitInfo {
            code: code.into(),
            name: code.into(),
            level,
            parent_code: None,
            area_km2,
        }
    }

    #[test]
    fn the_country_sums_provinces_only() {
        let units = [
            unit("01", Level::Province, 10.0),
            unit("02", Level::Province, 5.5),
            unit("00001", Level::Commune, 3.0),
        ];
        let values = ValueTable::from([
            (
                "01".into(),
                BTreeMap::from([("population".into(), 7), ("births".into(), 1)]),
            ),
            ("02".into(), BTreeMap::from([("population".into(), 5)])),
            ("00001".into(), BTreeMap::from([("population".into(), 7)])),
        ]);
        let n = national(&units, &values);
        assert_eq!(n.unit.code, "VN");
        assert_eq!(n.unit.level, Level::Country);
        assert_eq!(n.unit.area_km2, 15.5);
        assert_eq!(n.provinces, 2);
        assert_eq!(n.counts["population"], 12);
        assert_eq!(n.counts["births"], 1);
        assert_eq!(n.table()["VN"]["population"], 12);
    }
}
