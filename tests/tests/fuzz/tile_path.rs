//! The tile-path parser (`{z}/{x}/{y}.mvt`): a tile or a 400 naming the parameter, never a panic.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use geodata::MAX_ZOOM;
use proptest::prelude::*;
use tileserver::routes::tiles::parse_tile;

proptest! {
    #![proptest_config(crate::config(2000))]

    /// Every tile of every zoom parses back from its path.
    #[test]
    fn valid_paths_parse_to_their_tile(z in 0..=MAX_ZOOM, fx in 0.0f64..1.0, fy in 0.0f64..1.0) {
        let n = 1u64 << z;
        let (x, y) = (((n as f64) * fx) as u64, ((n as f64) * fy) as u64);
        let t = parse_tile(&z.to_string(), &x.to_string(), &format!("{y}.mvt")).unwrap();
        prop_assert_eq!((t.z, u64::from(t.x), u64::from(t.y)), (z, x, y));
    }

    /// Any parts: a tile within range, or an error answering 400 (never 500, never a panic).
    #[test]
    fn any_parts_give_a_tile_or_400(
        z in prop_oneof![any::<String>(), "[0-9+-]{0,4}"],
        x in prop_oneof![any::<String>(), "[0-9+ -]{0,12}"],
        y in prop_oneof![any::<String>(), "[0-9+-]{0,12}(\\.mvt)?"],
    ) {
        match parse_tile(&z, &x, &y) {
            Ok(t) => {
                prop_assert!(t.z <= MAX_ZOOM);
                prop_assert!(t.x < (1u32 << t.z) && t.y < (1u32 << t.z));
                // Leading zeros are accepted, so compare numbers, not text.
                let y = y.strip_suffix(".mvt").unwrap();
                let parts = (z.parse::<u64>(), x.parse::<u64>(), y.parse::<u64>());
                prop_assert_eq!(parts, (Ok(t.z.into()), Ok(t.x.into()), Ok(t.y.into())));
            }
            Err(e) => prop_assert_eq!(e.into_response().status(), StatusCode::BAD_REQUEST),
        }
    }
}
