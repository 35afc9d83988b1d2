//! Carrying vn-2019 commune values to vn-2025 communes through the official mapping.
//!
//! A commune merged whole adds its counts to its new commune. A split commune is divided by share: the
//! share of new commune j is the area of (old cell ∩ the Voronoi region of j among the old commune's new
//! communes only). Each count is divided with integer largest-remainder rounding, and the counts tied by a
//! rule are divided so the rule holds on every piece (males and females split separately and summed into
//! population; temporary residents, urban population, households and women 15–49 capped by the piece's
//! population; contraception users capped by the piece's women 15–49).

use std::collections::HashMap;

use geo::{Area, BooleanOps, BoundingRect, Coord, LineString, Polygon};

use super::DemoError;
use super::ages::{AgeRow, GROUPS, ages_of, align_women, weights_of};
use super::boundaries::Geometry;
use super::grid::to_geo;
use super::inputs::Inputs;
use super::synth::{Row, Tables, col};

/// Per month, one row per vn-2025 commune (in `Inputs::communes_2025` order).
pub type Carried = Vec<Vec<Row>>;

/// Per month, the vn-2025 communes' age groups (`None` in months without the age report).
pub type CarriedAges = Vec<Option<Vec<AgeRow>>>;

/// Splits `total` by `shares` (non-negative, any scale) with largest-remainder rounding; ties go to the
/// lower index. Equal shares when all are zero.
pub fn largest_remainder(total: u64, shares: &[f64]) -> Vec<u64> {
    let sum: f64 = shares.iter().sum();
    let norm: Vec<f64> = if sum > 0.0 {
        shares.iter().map(|s| s / sum).collect()
    } else {
        vec![1.0 / shares.len() as f64; shares.len()]
    };
    let exact: Vec<f64> = norm.iter().map(|s| s * total as f64).collect();
    let mut out: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let given: u64 = out.iter().sum();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for &k in order
        .iter()
        .cycle()
        .take(total.saturating_sub(given) as usize)
    {
        out[k] += 1;
    }
    out
}

/// Like `largest_remainder`, then moves units from pieces above their cap to pieces with room.
/// Requires `total <= caps.iter().sum()`.
pub fn split_capped(total: u64, shares: &[f64], caps: &[u64]) -> Vec<u64> {
    let mut out = largest_remainder(total, shares);
    let mut excess = 0;
    for (o, c) in out.iter_mut().zip(caps) {
        if *o > *c {
            excess += *o - *c;
            *o = *c;
        }
    }
    while excess > 0 {
        let room = (0..out.len())
            .filter(|&j| out[j] < caps[j])
            .max_by_key(|&j| (caps[j] - out[j], std::cmp::Reverse(j)));
        let Some(j) = room else { break };
        let m = excess.min(caps[j] - out[j]);
        out[j] += m;
        excess -= m;
    }
    out
}

/// Divides one old row among pieces with the given shares, keeping every row rule on every piece.
pub fn split_row(r: &Row, shares: &[f64]) -> Vec<Row> {
    let n = shares.len();
    let lr = |c: usize| largest_remainder(r[c], shares);
    let males = lr(col::MALES);
    let females = lr(col::FEMALES);
    let pop: Vec<u64> = (0..n).map(|k| males[k] + females[k]).collect();
    let bm = lr(col::BIRTHS_MALE);
    let bf = lr(col::BIRTHS_FEMALE);
    let temp = split_capped(r[col::TEMPORARY], shares, &pop);
    let urban = split_capped(r[col::URBAN], shares, &pop);
    let hh = split_capped(r[col::HOUSEHOLDS], shares, &pop);
    let women = split_capped(r[col::WOMEN], shares, &pop);
    let contra = split_capped(r[col::CONTRACEPTION], shares, &women);
    let flows = [
        col::DEATHS,
        col::MARRIAGES,
        col::DIVORCES,
        col::IN,
        col::OUT,
    ]
    .map(lr);
    (0..n)
        .map(|k| {
            let mut o: Row = [0; 17];
            o[col::POP] = pop[k];
            o[col::MALES] = males[k];
            o[col::FEMALES] = females[k];
            o[col::HOUSEHOLDS] = hh[k];
            o[col::TEMPORARY] = temp[k];
            o[col::PERMANENT] = pop[k] - temp[k];
            o[col::BIRTHS] = bm[k] + bf[k];
            o[col::BIRTHS_MALE] = bm[k];
            o[col::BIRTHS_FEMALE] = bf[k];
            for (j, c) in [
                col::DEATHS,
                col::MARRIAGES,
                col::DIVORCES,
                col::IN,
                col::OUT,
            ]
            .into_iter()
            .enumerate()
            {
                o[c] = flows[j][k];
            }
            o[col::WOMEN] = women[k];
            o[col::CONTRACEPTION] = contra[k];
            o[col::URBAN] = urban[k];
            o
        })
        .collect()
}

/// Convex polygon of the points closer to `sites[k]` than to the other sites, inside `bounds`.
pub fn restricted_region(sites: &[(f64, f64)], k: usize, bounds: &[Coord<f64>]) -> Vec<Coord<f64>> {
    let mut poly = bounds.to_vec();
    let (px, py) = sites[k];
    for (j, &(qx, qy)) in sites.iter().enumerate() {
        if j == k || (qx, qy) == (px, py) {
            continue;
        }
        // Keep points with (x - m)·(q - p) <= 0, m the midpoint.
        let (mx, my) = ((px + qx) / 2.0, (py + qy) / 2.0);
        let side = |c: &Coord<f64>| (c.x - mx) * (qx - px) + (c.y - my) * (qy - py);
        let mut out = Vec::new();
        for i in 0..poly.len() {
            let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
            let (sa, sb) = (side(&a), side(&b));
            if sa <= 0.0 {
                out.push(a);
            }
            if (sa < 0.0 && sb > 0.0) || (sa > 0.0 && sb < 0.0) {
                let t = sa / (sa - sb);
                out.push(Coord {
                    x: a.x + t * (b.x - a.x),
                    y: a.y + t * (b.y - a.y),
                });
            }
        }
        poly = out;
        if poly.len() < 3 {
            return Vec::new();
        }
    }
    poly
}

/// Shares of each target for every split old commune (old index → (new indexes, shares)).
pub fn split_shares(data: &Inputs, geom: &Geometry) -> HashMap<usize, (Vec<usize>, Vec<f64>)> {
    let new_index: HashMap<&str, usize> = data
        .communes_2025
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i))
        .collect();
    let mut out = HashMap::new();
    for (i, c) in data.communes_2019.iter().enumerate() {
        let targets: Vec<usize> = data.mapping[&c.code]
            .iter()
            .map(|t| new_index[t.as_str()])
            .collect();
        if targets.len() < 2 {
            out.insert(i, (targets, vec![1.0]));
            continue;
        }
        let cell = to_geo(&geom.communes_2019[i].poly);
        let sites: Vec<(f64, f64)> = targets
            .iter()
            .map(|&t| (data.communes_2025[t].lon, data.communes_2025[t].lat))
            .collect();
        let shares: Vec<f64> = match cell.bounding_rect() {
            None => vec![0.0; targets.len()],
            Some(b) => {
                let (lo, hi) = (b.min(), b.max());
                let mut xs: Vec<f64> = sites.iter().map(|s| s.0).chain([lo.x, hi.x]).collect();
                let mut ys: Vec<f64> = sites.iter().map(|s| s.1).chain([lo.y, hi.y]).collect();
                xs.sort_by(f64::total_cmp);
                ys.sort_by(f64::total_cmp);
                let (x0, x1, y0, y1) = (
                    xs[0] - 1.0,
                    xs[xs.len() - 1] + 1.0,
                    ys[0] - 1.0,
                    ys[ys.len() - 1] + 1.0,
                );
                let bounds = [
                    Coord { x: x0, y: y0 },
                    Coord { x: x1, y: y0 },
                    Coord { x: x1, y: y1 },
                    Coord { x: x0, y: y1 },
                ];
                (0..targets.len())
                    .map(|k| {
                        let region = restricted_region(&sites, k, &bounds);
                        if region.is_empty() {
                            return 0.0;
                        }
                        Polygon::new(LineString::from(region), vec![])
                            .intersection(&cell)
                            .unsigned_area()
                    })
                    .collect()
            }
        };
        out.insert(i, (targets, shares));
    }
    out
}

/// vn-2025 rows for every month from the switch month on (earlier months are empty vectors), and
/// their age groups in the months with the age report. A split commune's piece divides its own
/// males and females in the proportions of the old commune's groups, so every piece's groups sum
/// to its sexes and `women_15_49` is re-aligned with the groups of the new commune.
pub fn carry(
    data: &Inputs,
    geom: &Geometry,
    tables: &Tables,
) -> Result<(Carried, CarriedAges), DemoError> {
    let shares = split_shares(data, geom);
    let mut out = Vec::with_capacity(tables.months.len());
    let mut out_ages = Vec::with_capacity(tables.months.len());
    for (mi, m) in tables.months.iter().enumerate() {
        if *m < super::SWITCH_MONTH {
            out.push(Vec::new());
            out_ages.push(None);
            continue;
        }
        let old_ages = tables.ages[mi].as_ref();
        let mut rows: Vec<Row> = vec![[0; 17]; data.communes_2025.len()];
        let mut ages = old_ages.map(|_| vec![[0; 2 * GROUPS]; data.communes_2025.len()]);
        for (i, r) in tables.rows[mi].iter().enumerate() {
            let (targets, sh) = &shares[&i];
            let pieces = if targets.len() == 1 {
                vec![*r]
            } else {
                split_row(r, sh)
            };
            for (t, p) in targets.iter().zip(pieces) {
                for c in 0..17 {
                    rows[*t][c] += p[c];
                }
                if let (Some(ages), Some(old)) = (ages.as_mut(), old_ages) {
                    let a = ages_of(&p, &weights_of(&old[i]));
                    for (k, v) in a.iter().enumerate() {
                        ages[*t][k] += v;
                    }
                }
            }
        }
        if let Some(ages) = &ages {
            for (r, a) in rows.iter_mut().zip(ages) {
                align_women(r, a);
            }
        }
        out.push(rows);
        out_ages.push(ages);
    }
    Ok((out, out_ages))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::synth::check_row;

    #[test]
    fn largest_remainder_keeps_the_total_and_breaks_ties_by_index() {
        assert_eq!(largest_remainder(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(largest_remainder(7, &[0.5, 0.25, 0.25]), vec![3, 2, 2]);
        assert_eq!(largest_remainder(5, &[0.0, 0.0]), vec![3, 2]);
        assert_eq!(largest_remainder(0, &[0.3, 0.7]), vec![0, 0]);
    }

    #[test]
    fn split_capped_moves_units_to_pieces_with_room() {
        assert_eq!(split_capped(10, &[0.9, 0.1], &[5, 100]), vec![5, 5]);
        assert_eq!(split_capped(3, &[1.0, 1.0, 1.0], &[0, 3, 3]), vec![0, 2, 1]);
    }

    #[test]
    fn split_rows_keep_every_rule_and_every_total() {
        let rows: [Row; 3] = [
            [1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            [
                9_876, 4_901, 4_975, 2_800, 9_500, 376, 13, 7, 6, 5, 6, 1, 3, 4, 2_470, 1_600, 321,
            ],
            [3, 1, 2, 3, 0, 3, 2, 1, 1, 0, 0, 0, 0, 0, 2, 2, 3],
        ];
        for r in &rows {
            check_row(r).unwrap();
            for shares in [vec![0.5, 0.5], vec![0.1, 0.3, 0.6], vec![0.999, 0.001]] {
                let pieces = split_row(r, &shares);
                for p in &pieces {
                    check_row(p)
                        .unwrap_or_else(|e| panic!("{r:?} by {shares:?}: piece {p:?}: {e}"));
                    assert!(p[col::WOMEN] <= p[col::POP] && p[col::HOUSEHOLDS] <= p[col::POP]);
                }
                for c in 0..17 {
                    assert_eq!(
                        pieces.iter().map(|p| p[c]).sum::<u64>(),
                        r[c],
                        "column {c} of {r:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn restricted_region_is_the_half_plane_of_the_nearer_site() {
        let b = [
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 4.0, y: 0.0 },
            Coord { x: 4.0, y: 2.0 },
            Coord { x: 0.0, y: 2.0 },
        ];
        let left = restricted_region(&[(1.0, 1.0), (3.0, 1.0)], 0, &b);
        let area = Polygon::new(LineString::from(left), vec![]).unsigned_area();
        assert_eq!(area, 4.0);
    }
}
