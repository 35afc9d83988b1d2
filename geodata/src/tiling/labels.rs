//! Label points of administrative units: where a unit's name is drawn, its short and English
//! forms, and its collision priority.
//!
//! - **Point**: the pole of inaccessibility of the unit's largest polygon (the interior point
//!   farthest from the boundary, by the `polylabel` crate), never the centroid, which falls
//!   outside crescent- and C-shaped units. It is computed in Web Mercator metres, the plane the
//!   map is drawn in, so "farthest from the edge" is measured as a reader sees it on screen (in
//!   degrees a longitude unit is only cos φ as long as a latitude unit: 0.92–0.99 in Vietnam),
//!   on the generalised geometry of the finest zoom the level is shown at (capped at z12), to
//!   [`TOLERANCE_M`]: a quarter of a pixel at z12. Should polylabel fail or land outside
//!   (degenerate input), geo's `InteriorPoint` stands in.
//! - **Short name** ([`short_name`]): the name without its leading type word ("Thành phố Hà
//!   Nội" → "Hà Nội", "Phường Bến Nghé" → "Bến Nghé"); numbered units keep it ("Phường 5").
//! - **English form** ([`english_name`], provinces only): the short name folded to ASCII with its
//!   capitals kept ("Đà Nẵng" → "Da Nang"); the centrally-run city of Hồ Chí Minh is "Ho Chi
//!   Minh City", so it is not read as the person.
//! - **Rank** ([`ranks`], 0 = most important, counted within each level): centrally-run cities
//!   ("Thành phố" provinces), urban districts ("Quận", "Thành phố", "Thị xã") and wards, towns and
//!   special zones ("Phường", "Thị trấn", "Đặc khu") first, then larger area first, then code.
//!   Boundary tiles are immutable per boundary version and shared by every period, so a rank
//!   cannot follow one period's population; area (fixed with the geometry) stands in for size.

use geo::{Area, BoundingRect, Contains, InteriorPoint};
use geo_types::{Coord, MultiPolygon, Point};
use rayon::prelude::*;

use crate::model::level::Level;
use crate::model::text::{fold, nfc};
use crate::model::unit::UnitInfo;

/// Precision of a label point in metres: a quarter of a 256-pixel tile's pixel at z12 (38 m).
pub const TOLERANCE_M: f64 = 10.0;

/// Zoom whose generalised geometry label points are computed on, at most.
pub const LABEL_ZOOM: u8 = 12;

/// Leading type words stripped from names, longest first so "Thị trấn" wins over shorter ones.
const TYPE_WORDS: [&str; 9] = [
    "Thành phố",
    "Thị trấn",
    "Đặc khu",
    "Phường",
    "Thị xã",
    "Huyện",
    "Quận",
    "Tỉnh",
    "Xã",
];

/// Type words of the units ranked first at each level (see the module doc).
fn leading_types(level: Level) -> &'static [&'static str] {
    match level {
        Level::Province => &["Thành phố"],
        Level::District => &["Quận", "Thành phố", "Thị xã"],
        Level::Commune => &["Phường", "Thị trấn", "Đặc khu"],
        Level::Country | Level::Region => &[],
    }
}

/// What a unit's label carries besides its code and name.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Where the label is drawn, in Web Mercator metres.
    pub point: Coord<f64>,
    /// The short Vietnamese name.
    pub label: String,
    /// The English form (provinces only).
    pub label_en: Option<String>,
    /// Collision priority within the unit's level, 0 first.
    pub rank: u32,
}

/// The rest of `name` after the type word `word` and a space, matched without regard to case
/// ("Thị Trấn Prao" is written so in the 2019 list).
fn after_word<'a>(name: &'a str, word: &str) -> Option<&'a str> {
    let mut rest = name.chars();
    for w in word.chars() {
        let c = rest.next()?;
        if !c.to_lowercase().eq(w.to_lowercase()) {
            return None;
        }
    }
    rest.as_str().strip_prefix(' ')
}

/// The leading type word of `name`, if it has one of [`TYPE_WORDS`].
fn type_word(name: &str) -> Option<&'static str> {
    TYPE_WORDS
        .iter()
        .find(|w| after_word(name, w).is_some())
        .copied()
}

/// `name` without its leading type word; the whole name when nothing or only a number would be
/// left ("Phường 5", "Quận 1").
pub fn short_name(name: &str) -> String {
    let name = nfc(name.trim());
    let Some(rest) = type_word(&name).and_then(|w| after_word(&name, w)) else {
        return name;
    };
    let rest = rest.trim_start();
    match rest.chars().next() {
        Some(c) if !c.is_ascii_digit() => rest.to_string(),
        _ => name,
    }
}

/// `s` folded to ASCII by [`fold`] one character at a time, upper case kept ("Đắk Lắk" →
/// "Dak Lak").
fn ascii_keep_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in nfc(s).chars() {
        if c.is_whitespace() {
            out.push(' ');
            continue;
        }
        let f = fold(c.encode_utf8(&mut [0; 4]));
        if c.is_uppercase() {
            out.extend(f.chars().flat_map(char::to_uppercase));
        } else {
            out.push_str(&f);
        }
    }
    out
}

/// The English form of a unit's name: provinces only (see the module doc).
pub fn english_name(level: Level, name: &str) -> Option<String> {
    if level != Level::Province {
        return None;
    }
    let short = short_name(name);
    let mut en = ascii_keep_case(&short);
    if type_word(&nfc(name)) == Some("Thành phố") && fold(&short) == "ho chi minh" {
        en.push_str(" City");
    }
    Some(en)
}

/// Each unit's rank within its level (see the module doc), in input order.
pub fn ranks(units: &[UnitInfo]) -> Vec<u32> {
    let first: Vec<bool> = units
        .iter()
        .map(|u| {
            let name = nfc(&u.name);
            leading_types(u.level)
                .iter()
                .any(|w| after_word(&name, w).is_some())
        })
        .collect();
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| {
        let (ua, ub) = (&units[a], &units[b]);
        (ua.level, !first[a])
            .cmp(&(ub.level, !first[b]))
            .then(ub.area_km2.total_cmp(&ua.area_km2))
            .then(ua.code.cmp(&ub.code))
    });
    let mut out = vec![0; units.len()];
    let mut next = 0;
    for (k, &u) in order.iter().enumerate() {
        if k > 0 && units[order[k - 1]].level != units[u].level {
            next = 0;
        }
        out[u] = next;
        next += 1;
    }
    out
}

/// The label point of `mp` (Web Mercator metres): the pole of inaccessibility of its largest
/// polygon; `None` for an empty geometry.
pub fn label_point(mp: &MultiPolygon<f64>) -> Option<Coord<f64>> {
    let largest =
        mp.0.iter()
            .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    largest.bounding_rect()?;
    match polylabel::polylabel(largest, &TOLERANCE_M) {
        Ok(p) if largest.contains(&p) => Some(p.0),
        _ => largest.interior_point().map(Point::into),
    }
}

/// Every unit's label point, in input order: `geometry(i)` is unit `i`'s generalised geometry
/// in Web Mercator metres; `None` where it is empty. This is the costly part of a label, computed
/// once when a boundary version is imported and stored with its generalisation.
pub fn label_points<'a>(
    count: usize,
    geometry: impl Fn(usize) -> &'a MultiPolygon<f64> + Sync,
) -> Vec<Option<Coord<f64>>> {
    // On every core: a fifth of a national import's CPU is here. Each point depends on its own
    // unit only, so the result is the same whatever the thread count.
    (0..count)
        .into_par_iter()
        .map(|i| label_point(geometry(i)))
        .collect()
}

/// Every unit's [`Label`] at its point (`points[i]` for `units[i]`), in input order; `None`
/// where the point is.
pub fn labels(units: &[UnitInfo], points: &[Option<Coord<f64>>]) -> Vec<Option<Label>> {
    let ranks = ranks(units);
    units
        .iter()
        .zip(points)
        .enumerate()
        .map(|(i, (u, point))| {
            Some(Label {
                point: (*point)?,
                label: short_name(&u.name),
                label_en: english_name(u.level, &u.name),
                rank: ranks[i],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{LineString, Polygon};

    fn unit(code: &str, name: &str, level: Level, area_km2: f64) -> UnitInfo {
        UnitInfo {
            code: code.into(),
            name: name.into(),
            level,
            parent_code: None,
            area_km2,
        }
    }

    /// A "C": a 10 km square with the middle of its right side cut out to 2 km from the left.
    fn crescent() -> Polygon<f64> {
        let k = 1000.0;
        let pts = [
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 3.0),
            (2.0, 3.0),
            (2.0, 7.0),
            (10.0, 7.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (0.0, 0.0),
        ];
        Polygon::new(
            LineString::from(pts.map(|(x, y)| (x * k, y * k)).to_vec()),
            vec![],
        )
    }

    #[test]
    fn the_label_point_of_a_c_lies_inside_where_the_centroid_does_not() {
        use geo::Centroid;
        let c = crescent();
        let centroid = c.centroid().unwrap();
        assert!(
            !c.contains(&centroid),
            "the test shape's centroid is outside"
        );
        let mp = MultiPolygon::new(vec![c.clone()]);
        let p = label_point(&mp).unwrap();
        assert!(c.contains(&Point::from(p)), "{p:?}");
        // The widest part is one of the C's 3 km arms or its 2 km back: at least 1 km inside.
        use geo::{Distance, Euclidean};
        let edge = Euclidean.distance(&Point::from(p), c.exterior());
        assert!(edge >= 1000.0 - TOLERANCE_M, "{edge}");
    }

    #[test]
    fn the_largest_polygon_carries_the_label() {
        let square = |x0: f64, s: f64| {
            Polygon::new(
                LineString::from(vec![
                    (x0, 0.0),
                    (x0 + s, 0.0),
                    (x0 + s, s),
                    (x0, s),
                    (x0, 0.0),
                ]),
                vec![],
            )
        };
        let mp = MultiPolygon::new(vec![square(0.0, 100.0), square(1000.0, 5000.0)]);
        let p = label_point(&mp).unwrap();
        assert!((p.x - 3500.0).abs() < TOLERANCE_M && (p.y - 2500.0).abs() < TOLERANCE_M);
        assert_eq!(label_point(&MultiPolygon::new(vec![])), None);
    }

    #[test]
    fn short_names_drop_the_type_word() {
        for (name, short) in [
            ("Thành phố Hà Nội", "Hà Nội"),
            ("Tỉnh Bà Rịa - Vũng Tàu", "Bà Rịa - Vũng Tàu"),
            ("Phường Bến Nghé", "Bến Nghé"),
            ("Xã Ia Dom", "Ia Dom"),
            ("Thị trấn Ngọc Lặc", "Ngọc Lặc"),
            ("Thị Trấn Ái Tử", "Ái Tử"),
            ("Đặc khu Hoàng Sa", "Hoàng Sa"),
            ("Quận Ba Đình", "Ba Đình"),
            ("Huyện Côn Đảo", "Côn Đảo"),
            ("Thị xã Sơn Tây", "Sơn Tây"),
            ("Phường 5", "Phường 5"),
            ("Quận 1", "Quận 1"),
            ("Xã", "Xã"),
            ("Xãy Lạ", "Xãy Lạ"),
            ("Hà Nội", "Hà Nội"),
        ] {
            assert_eq!(short_name(name), short, "{name}");
        }
        // NFD input gives the NFC short name.
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = "Phường Ngọc Hà".nfd().collect();
        assert_eq!(short_name(&nfd), "Ngọc Hà");
    }

    #[test]
    fn english_forms_of_provinces() {
        let en = |n: &str| english_name(Level::Province, n).unwrap();
        assert_eq!(en("Thành phố Hà Nội"), "Ha Noi");
        assert_eq!(en("Thành phố Đà Nẵng"), "Da Nang");
        assert_eq!(en("Thành phố Hồ Chí Minh"), "Ho Chi Minh City");
        assert_eq!(en("Tỉnh Đắk Lắk"), "Dak Lak");
        assert_eq!(en("Tỉnh Bà Rịa - Vũng Tàu"), "Ba Ria - Vung Tau");
        assert_eq!(en("Tỉnh Thừa Thiên Huế"), "Thua Thien Hue");
        assert!(en("Tỉnh Khánh Hòa").is_ascii());
        assert_eq!(english_name(Level::Commune, "Phường Bến Nghé"), None);
    }

    #[test]
    fn ranks_put_cities_and_wards_first_then_larger_area() {
        use Level::*;
        let units = [
            unit("02", "Tỉnh Hà Giang", Province, 7900.0),
            unit("01", "Thành phố Hà Nội", Province, 3360.0),
            unit("48", "Thành phố Đà Nẵng", Province, 1285.0),
            unit("04", "Tỉnh Cao Bằng", Province, 6700.0),
            unit("00010", "Xã Lớn", Commune, 90.0),
            unit("00011", "Xã Nhỏ", Commune, 9.0),
            unit("00004", "Phường Ba Đình", Commune, 2.97),
            unit("00005", "Đặc khu Hoàng Sa", Commune, 1.0),
            unit("00006", "Thị trấn Prao", Commune, 5.0),
        ];
        let r = ranks(&units);
        assert_eq!(&r[..4], [2, 0, 1, 3]);
        assert_eq!(&r[4..], [3, 4, 1, 2, 0]);
    }
}
