use super::*;
use geo::Winding;

fn c(x: f64, y: f64) -> Coord<f64> {
    Coord { x, y }
}

fn ring(pts: &[(f64, f64)]) -> RawRing {
    pts.iter().map(|&(x, y)| c(x, y)).collect()
}

/// Area of the lat/lon "rectangle" bounded by two parallels on the WGS84 ellipsoid, from the
/// closed-form authalic formula (independent of geo's geodesic code).
fn ellipsoid_band_km2(lat1: f64, lat2: f64, dlon_deg: f64) -> f64 {
    let a = 6_378_137.0_f64;
    let f = 1.0 / 298.257_223_563;
    let b = a * (1.0 - f);
    let e2 = f * (2.0 - f);
    let e = e2.sqrt();
    let q = |phi: f64| {
        let s = phi.to_radians().sin();
        s / (1.0 - e2 * s * s) + 1.0 / (2.0 * e) * ((1.0 + e * s) / (1.0 - e * s)).ln()
    };
    dlon_deg.to_radians() * b * b / 2.0 * (q(lat2) - q(lat1)) / 1e6
}

#[test]
fn equator_square_area() {
    let raw = vec![vec![ring(&[
        (0.0, 0.0),
        (1.0, 0.0),
        (1.0, 1.0),
        (0.0, 1.0),
        (0.0, 0.0),
    ])]];
    let (mp, repairs) = repair(&raw).unwrap();
    assert!(repairs.is_empty());
    let got = geodesic_area_km2(&mp);
    let expected = ellipsoid_band_km2(0.0, 1.0, 1.0);
    // ≈ 12,308.5 km² on the ellipsoid (a sphere of radius 6371 km would give ≈ 12,364).
    assert!((expected - 12_308.46).abs() < 0.01, "{expected}");
    assert!(
        ((got - expected) / expected).abs() < 1e-3,
        "{got} vs {expected}"
    );
}

#[test]
fn hole_is_subtracted_and_rings_oriented() {
    // Exterior given clockwise, hole counter-clockwise: both must be flipped.
    let raw = vec![vec![
        ring(&[(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]),
        ring(&[
            (0.25, 0.25),
            (0.75, 0.25),
            (0.75, 0.75),
            (0.25, 0.75),
            (0.25, 0.25),
        ]),
    ]];
    let (mp, repairs) = repair(&raw).unwrap();
    assert!(repairs.is_empty());
    assert!(mp.0[0].exterior().is_ccw());
    assert!(mp.0[0].interiors()[0].is_cw());
    let full = ellipsoid_band_km2(0.0, 1.0, 1.0);
    let hole = ellipsoid_band_km2(0.25, 0.75, 0.5);
    let got = geodesic_area_km2(&mp);
    assert!(((got - (full - hole)) / (full - hole)).abs() < 1e-3);
}

#[test]
fn closes_rings_and_drops_repeats() {
    let raw = vec![vec![ring(&[
        (0.0, 0.0),
        (1.0, 0.0),
        (1.0, 0.0),
        (1.0, 1.0),
        (0.0, 1.0),
    ])]];
    let (mp, repairs) = repair(&raw).unwrap();
    assert_eq!(
        repairs,
        vec![
            Repair::RemovedRepeatedPoints {
                polygon: 0,
                ring: 0,
                count: 1
            },
            Repair::ClosedRing {
                polygon: 0,
                ring: 0
            },
        ]
    );
    assert_eq!(mp.0[0].exterior().0.len(), 5);
    assert_eq!(
        repairs[1].to_string(),
        "closed unclosed exterior ring of polygon 0"
    );
}

#[test]
fn drops_degenerate_parts() {
    let raw = vec![
        vec![
            ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]),
            ring(&[(0.1, 0.1), (0.2, 0.2), (0.3, 0.3), (0.1, 0.1)]),
        ],
        vec![],
        vec![ring(&[(5.0, 5.0), (6.0, 5.0), (5.0, 5.0)])],
    ];
    let (mp, repairs) = repair(&raw).unwrap();
    assert_eq!(mp.0.len(), 1);
    let text: Vec<String> = repairs.iter().map(|r| r.to_string()).collect();
    assert_eq!(
        text,
        vec![
            "dropped hole 1 of polygon 0: zero area",
            "dropped polygon 1: it has no rings",
            "dropped polygon 2: its exterior ring has fewer than 4 points",
        ]
    );
}

#[test]
fn refuses_empty_and_projected() {
    assert_eq!(repair(&vec![]).unwrap_err(), GeometryError::Empty);
    let line = vec![vec![ring(&[
        (0.0, 0.0),
        (1.0, 1.0),
        (2.0, 2.0),
        (0.0, 0.0),
    ])]];
    assert_eq!(repair(&line).unwrap_err(), GeometryError::ZeroArea);
    assert_eq!(
        GeometryError::ZeroArea.to_string(),
        "geometry encloses no area (every polygon's points lie on one line)"
    );
    let metres = vec![vec![ring(&[
        (590_000.0, 2_300_000.0),
        (600_000.0, 2_300_000.0),
        (600_000.0, 2_310_000.0),
        (590_000.0, 2_300_000.0),
    ])]];
    assert_eq!(
        repair(&metres).unwrap_err().to_string(),
        "coordinates look projected, expected WGS84 lon/lat (found x=590000, y=2300000; lon must be within -180..180 and lat within -90..90)"
    );
    let nan = vec![vec![ring(&[
        (0.0, 0.0),
        (f64::NAN, 0.0),
        (1.0, 1.0),
        (0.0, 0.0),
    ])]];
    assert_eq!(
        repair(&nan).unwrap_err().to_string(),
        "non-finite coordinate (NaN or infinity) at point 1 of exterior ring of polygon 0"
    );
}

#[test]
fn bow_tie_becomes_two_triangles() {
    let raw = vec![vec![ring(&[
        (0.0, 0.0),
        (0.0, 1.0),
        (1.0, 0.0),
        (1.0, 1.0),
        (0.0, 0.0),
    ])]];
    let (mp, repairs) = repair(&raw).unwrap();
    assert_eq!(mp.0.len(), 2);
    assert!(mp.is_valid());
    assert!(mp.0.iter().all(|p| p.exterior().is_ccw()));
    assert_eq!(
        repairs,
        vec![Repair::MadeValid {
            problem: "polygon at index 0 is invalid: exterior ring has a self-intersection".into(),
            polygons: 2
        }]
    );
    // Two triangles of a quarter square each.
    let half = ellipsoid_band_km2(0.0, 1.0, 1.0) / 2.0;
    assert!(((geodesic_area_km2(&mp) - half) / half).abs() < 1e-3);
}

#[test]
fn overlapping_parts_are_unioned() {
    let sq = |x0: f64| {
        vec![ring(&[
            (x0, 0.0),
            (x0 + 1.0, 0.0),
            (x0 + 1.0, 1.0),
            (x0, 1.0),
            (x0, 0.0),
        ])]
    };
    let (mp, repairs) = repair(&vec![sq(0.0), sq(0.5)]).unwrap();
    assert_eq!(mp.0.len(), 1);
    assert!(matches!(repairs[0], Repair::MadeValid { polygons: 1, .. }));
    let want = ellipsoid_band_km2(0.0, 1.0, 1.5);
    assert!(((geodesic_area_km2(&mp) - want) / want).abs() < 1e-3);
}

#[test]
fn fast_check_agrees_with_geo_validation() {
    let sq = |x0: f64, y0: f64, s: f64| {
        ring(&[
            (x0, y0),
            (x0 + s, y0),
            (x0 + s, y0 + s),
            (x0, y0 + s),
            (x0, y0),
        ])
    };
    let mp = |raw: RawMultiPolygon| {
        MultiPolygon(
            raw.into_iter()
                .map(|p| {
                    let mut rings = p.into_iter().map(LineString);
                    let ext = rings.next().unwrap();
                    Polygon::new(ext, rings.collect())
                })
                .collect(),
        )
    };
    let cases: Vec<RawMultiPolygon> = vec![
        vec![vec![sq(0.0, 0.0, 1.0), sq(0.2, 0.2, 0.2)]], // valid hole
        vec![vec![sq(0.0, 0.0, 1.0), sq(2.0, 2.0, 0.2)]], // hole outside
        vec![vec![
            sq(0.0, 0.0, 1.0),
            sq(0.1, 0.1, 0.5),
            sq(0.2, 0.2, 0.1),
        ]], // hole in hole
        vec![vec![sq(0.0, 0.0, 1.0)], vec![sq(0.2, 0.2, 0.2)]], // part inside part
        vec![
            vec![sq(0.0, 0.0, 1.0), sq(0.2, 0.2, 0.6)],
            vec![sq(0.4, 0.4, 0.2)],
        ], // island in lake
        vec![vec![sq(0.0, 0.0, 1.0)], vec![sq(1.0, 0.0, 1.0)]], // parts sharing an edge
        vec![vec![sq(0.0, 0.0, 1.0), sq(0.0, 0.0, 0.5)]], // hole touching exterior on a line
    ];
    for (i, raw) in cases.into_iter().enumerate() {
        let m = mp(raw);
        let exact = m.is_valid();
        let fast = valid::surely_valid(&m);
        assert!(
            !fast || exact,
            "case {i}: fast check cleared an invalid geometry"
        );
        assert_eq!(fast, exact, "case {i}");
    }
}

#[test]
fn long_rings_are_checked_in_near_linear_time() {
    // A wavy 20,000-point ring: geo's pairwise validation alone would take tens of seconds.
    let n = 20_000;
    let pts: Vec<(f64, f64)> = (0..=n)
        .map(|i| {
            let t = (i % n) as f64 / n as f64 * std::f64::consts::TAU;
            let r = 0.1 + 0.01 * (t * 37.0).sin();
            (105.0 + r * t.cos(), 21.0 + r * t.sin())
        })
        .collect();
    let (mp, repairs) = repair(&vec![vec![ring(&pts)]]).unwrap();
    assert!(repairs.is_empty());
    assert_eq!(mp.0[0].exterior().0.len(), n + 1);
}

/// A square of side `d` degrees at (106.1, 20.3), counter-clockwise or clockwise.
fn tiny_square(d: f64, ccw: bool) -> LineString<f64> {
    let (x, y) = (106.1, 20.3);
    let mut pts = vec![c(x, y), c(x + d, y), c(x + d, y + d), c(x, y + d), c(x, y)];
    if !ccw {
        pts.reverse();
    }
    LineString::new(pts)
}

#[test]
fn tiny_rings_never_take_the_rest_of_the_globe() {
    // Real boundary files hold 4-point islands of ~1e-16 deg² and sliver holes of ~1e-17 deg²,
    // whose orientation is lost to rounding: each is at most its own small side of the Earth.
    let shell = ring(&[
        (106.0, 20.0),
        (106.5, 20.0),
        (106.5, 20.5),
        (106.0, 20.5),
        (106.0, 20.0),
    ]);
    let plain = MultiPolygon(vec![Polygon::new(LineString::new(shell.clone()), vec![])]);
    let base = geodesic_area_km2(&plain);
    assert!((2_850.0..2_950.0).contains(&base), "{base}");
    for d in [1e-8, 1.3e-8, 4e-9] {
        for ccw in [true, false] {
            let island = Polygon::new(tiny_square(d, ccw), vec![]);
            let with_island = MultiPolygon(vec![plain.0[0].clone(), island]);
            let got = geodesic_area_km2(&with_island);
            assert!(
                (got - base).abs() < 1e-6,
                "island {d} ccw={ccw}: {got} vs {base}"
            );
            let holed = MultiPolygon(vec![Polygon::new(
                LineString::new(shell.clone()),
                vec![tiny_square(d, !ccw)],
            )]);
            let got = geodesic_area_km2(&holed);
            assert!(
                (got - base).abs() < 1e-6,
                "hole {d} ccw={ccw}: {got} vs {base}"
            );
        }
    }
    // Winding never changes a ring's area.
    let cw = MultiPolygon(vec![Polygon::new(
        LineString::new(shell.iter().rev().copied().collect()),
        vec![],
    )]);
    assert!((geodesic_area_km2(&cw) - base).abs() < 1e-9);
}

/// A 0.5° square near Nam Định, counter-clockwise.
fn shell() -> RawRing {
    ring(&[
        (106.0, 20.0),
        (106.5, 20.0),
        (106.5, 20.5),
        (106.0, 20.5),
        (106.0, 20.0),
    ])
}

/// A 4-point ring (a triangle) of `deg2` deg² at (x, y), counter-clockwise or clockwise.
fn sliver(x: f64, y: f64, deg2: f64, ccw: bool) -> RawRing {
    let d = (2.0 * deg2).sqrt();
    let mut r = ring(&[(x, y), (x + d, y), (x, y + d), (x, y)]);
    if !ccw {
        r.reverse();
    }
    r
}

#[test]
fn slivers_below_the_tolerance_are_removed_and_reported() {
    let (plain, _) = repair(&vec![vec![shell()]]).unwrap();
    let base = checked_area_km2(&plain).unwrap();
    for ccw in [true, false] {
        let raw = vec![
            vec![shell(), sliver(106.2, 20.2, 1e-17, !ccw)],
            vec![sliver(106.7, 20.1, 1.8e-16, ccw)],
        ];
        let (mp, repairs) = repair(&raw).unwrap();
        assert_eq!(mp.0.len(), 1, "ccw={ccw}");
        assert!(mp.0[0].interiors().is_empty());
        assert_eq!(mp, plain);
        assert_eq!(checked_area_km2(&mp).unwrap(), base);
        let text: Vec<String> = repairs.iter().map(|r| r.to_string()).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(
            text[0].starts_with("removed hole 1 of polygon 0: it encloses 1.1"),
            "{}",
            text[0]
        );
        assert!(
            text[0].ends_with("e-7 m², below the 1 m² tolerance (a sliver, not a place)"),
            "{}",
            text[0]
        );
        assert!(
            text[1].starts_with("removed polygon 1 (an island): it encloses 2.08e-6 m²"),
            "{}",
            text[1]
        );
        let Repair::RemovedTinyRing { area_m2, .. } = repairs[1] else {
            panic!("{:?}", repairs[1]);
        };
        // 1.8e-16 deg² at 20° N: 1.8e-16 × 111,320² × cos 20° ≈ 2.1e-6 m².
        assert!((2.0e-6..2.2e-6).contains(&area_m2), "{area_m2}");
    }
}

#[test]
fn a_unit_of_slivers_only_is_refused() {
    let raw = vec![
        vec![sliver(106.2, 20.2, 1.8e-16, true)],
        vec![sliver(106.3, 20.2, 1e-17, false)],
    ];
    let err = repair(&raw).unwrap_err();
    assert!(
        matches!(err, GeometryError::OnlySlivers { largest_m2 } if (2.0e-6..2.2e-6).contains(&largest_m2)),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("geometry is only slivers: its largest polygon encloses 2.08e-6 m²"),
        "{err}"
    );
    // A ring just above the tolerance is a place: 2 m² (a 1.4 m square) is kept.
    let (mp, repairs) = repair(&vec![vec![sliver(106.2, 20.2, 2.0 / 1.16e10, true)]]).unwrap();
    assert!(repairs.is_empty());
    let m2 = checked_area_km2(&mp).unwrap() * 1e6;
    assert!((1.9..2.1).contains(&m2), "{m2}");
}

#[test]
fn rings_across_the_antimeridian_are_refused() {
    let raw = vec![vec![ring(&[
        (179.5, -16.0),
        (-179.5, -16.0),
        (-179.5, -17.0),
        (179.5, -17.0),
        (179.5, -16.0),
    ])]];
    assert_eq!(
        repair(&raw).unwrap_err().to_string(),
        "exterior ring of polygon 0 crosses the antimeridian between points 0 and 1 (longitude 179.5 to -179.5); split it at ±180° into one polygon on each side"
    );
}

#[test]
fn planar_area_is_exact_on_the_ellipsoid_band() {
    // A lat/lon box is a rectangle in the cylindrical equal-area projection.
    let raw = vec![vec![shell()]];
    let (mp, _) = repair(&raw).unwrap();
    let band = ellipsoid_band_km2(20.0, 20.5, 0.5);
    assert!(((planar_area_km2(&mp) - band) / band).abs() < 1e-12);
    assert!(((bbox_area_km2(&mp) - band) / band).abs() < 1e-12);
    // The geodesic edges along the parallels bulge poleward, and the two nearly cancel.
    let g = checked_area_km2(&mp).unwrap();
    assert!(((g - band) / band).abs() < 1e-5, "{g} vs {band}");
    // Tiny rings: the planar area works on offsets, so a 1e-17 deg² sliver is measured to 1e-6.
    let tiny = LineString::new(sliver(106.123456789, 20.987654321, 1e-17, true));
    let want = 1e-17 * ellipsoid_band_km2(20.0, 21.0, 1.0) * 1e6;
    assert!(((ring_planar_m2(&tiny) - want) / want).abs() < 1e-2);
}

#[test]
fn areas_that_cannot_be_right_are_refused() {
    // Its top edge is a geodesic over the pole's side, far outside the box of its vertices.
    let over = MultiPolygon(vec![Polygon::new(
        LineString::new(ring(&[
            (0.0, 60.0),
            (170.0, 60.0),
            (85.0, 61.0),
            (0.0, 60.0),
        ])),
        vec![],
    )]);
    let err = checked_area_km2(&over).unwrap_err();
    assert!(
        matches!(err, GeometryError::AreaExceedsBox { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("area check failed: the geodesic area ")
    );
    assert!(err.to_string().contains(" km² of the unit's bounding box"));
    // A 40° triangle: its top geodesic bows north of the parallel, +6 % of its area, which
    // its edges explain: a coarse but true outline is accepted.
    let coarse = MultiPolygon(vec![Polygon::new(
        LineString::new(ring(&[(0.0, 10.0), (20.0, 0.0), (40.0, 10.0), (0.0, 10.0)])),
        vec![],
    )]);
    let g = checked_area_km2(&coarse).unwrap();
    assert!(g > 1.05 * planar_area_km2(&coarse), "{g}");
    // A ring around more than half the Earth (every 10° from 170° W to 170° E at ±80°): its
    // geodesic area is taken as the smaller side, far from its planar area.
    let mut pts: Vec<(f64, f64)> = (0..=34)
        .map(|i| (-170.0 + 10.0 * i as f64, -80.0))
        .collect();
    pts.extend((0..=16).map(|i| (170.0, -80.0 + 10.0 * i as f64)));
    pts.extend((0..=34).map(|i| (170.0 - 10.0 * i as f64, 80.0)));
    pts.extend((0..=16).map(|i| (-170.0, 80.0 - 10.0 * i as f64)));
    let most = MultiPolygon(vec![Polygon::new(LineString::new(ring(&pts)), vec![])]);
    let err = checked_area_km2(&most).unwrap_err();
    let GeometryError::AreaDisagrees {
        geodesic, planar, ..
    } = err
    else {
        panic!("{err:?}");
    };
    assert!(geodesic < 0.5 * planar, "{geodesic} vs {planar}");
    assert!(err.to_string().ends_with(" km² its edges allow"), "{err}");
    // A 0.5° square's four 55 km edges allow 0.2 % (opposite sides cancel: it is off 2e-5).
    let (mp, _) = repair(&vec![vec![shell()]]).unwrap();
    let allowed = lens_bound_m2(&mp) / 1e6 / geodesic_area_km2(&mp);
    assert!((5e-4..2e-3).contains(&allowed), "{allowed}");
}

#[test]
fn a_sliver_hole_and_the_neighbours_island_filling_it_go_together() {
    // Unit X has a sliver hole; unit Y's island is the same ring, wound the other way and
    // starting at another vertex. The rule looks at the ring alone, so both are removed: X
    // covers the spot and Y no longer overlaps it — no gap, no overlap.
    let gap = sliver(106.2, 20.2, 1.8e-16, true);
    let mut hole = gap.clone();
    hole.reverse();
    let mut island = gap[1..].to_vec();
    island.push(gap[1]);
    let x = vec![vec![shell(), hole]];
    let y = vec![
        vec![ring(&[
            (106.5, 20.0),
            (107.0, 20.0),
            (107.0, 20.5),
            (106.5, 20.5),
            (106.5, 20.0),
        ])],
        vec![island],
    ];
    let (x, x_repairs) = repair(&x).unwrap();
    let (y, y_repairs) = repair(&y).unwrap();
    assert!(x.0[0].interiors().is_empty());
    assert_eq!(y.0.len(), 1);
    let area = |r: &Repair| match r {
        Repair::RemovedTinyRing { area_m2, .. } => *area_m2,
        other => panic!("{other:?}"),
    };
    let (a, b) = (area(&x_repairs[0]), area(&y_repairs[0]));
    assert!(((a - b) / a).abs() < 1e-6, "{a} vs {b}");
}
