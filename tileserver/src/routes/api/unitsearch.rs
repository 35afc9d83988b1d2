//! The search behind `GET /api/v1/units`: one boundary version or every one (`versions=all`),
//! ranked by [`geodata::rank_units`] (exact > prefix > substring, the higher level first, the
//! newer version first), each unit with its type as its name states it, its parent's name and,
//! for a unit of an older version, the units of the newest version it is now part of, read
//! from the stored crosswalk (the one the harmonised views use, cached per version pair).

use std::collections::BTreeMap;
use std::sync::Arc;

use geodata::{BoundaryVersion, Level, UnitInfo, UnitQuery, UnitType};
use serde::Serialize;

use crate::http::error::ApiError;
use crate::state::AppState;
use crate::state::published::Published;
use crate::state::units::VersionUnits;

/// A unit's type as its name states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TypeLabel {
    /// Vietnamese, as written in the name (`Thành phố`, `Tỉnh`, `Phường`, `Xã`, `Đặc khu`,
    /// `Thị trấn`, `Quận`, `Huyện`, `Thị xã`).
    pub vi: String,
    /// English (`City`, `Province`, `Ward`, `Commune`, `Special zone`, `Township`, `Urban
    /// district`, `District`, `Town`).
    pub en: String,
}

impl TypeLabel {
    /// The type `name` states, if it starts with a type word.
    pub fn of_name(name: &str) -> Option<TypeLabel> {
        UnitType::of_name(name).map(|t| TypeLabel {
            vi: t.vi().to_string(),
            en: t.en().to_string(),
        })
    }
}

/// A unit of the newest boundary version that an older unit is (in part) now in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartOf {
    /// Code in the newest version.
    pub code: String,
    /// Name.
    pub name: String,
    /// The newest version.
    pub version: String,
    /// Share of the old unit that went into it (0..1]: the crosswalk's share for a commune;
    /// above communes, the share of the old unit's commune area (each commune's area times
    /// its crosswalk share).
    pub share: f64,
}

/// One unit found, with what the answer says about it.
#[derive(Debug, Clone)]
pub struct Found {
    /// The unit.
    pub unit: UnitInfo,
    /// Its boundary version.
    pub version: String,
    /// Its parent's name.
    pub parent_name: Option<String>,
    /// For a unit of an older version: where it is now (empty when no crosswalk leads to the
    /// newest version); `None` for a unit of the newest version.
    pub now_part_of: Option<Vec<PartOf>>,
}

/// The newest boundary version (by `valid_from`).
fn newest(published: &Published) -> Option<&BoundaryVersion> {
    published.versions.iter().max_by_key(|v| v.valid_from)
}

/// The units `query` asks for in `versions` (newest first on ties), one page of them and how
/// many match in all. `query.version` is ignored.
pub async fn search(
    st: &AppState,
    published: &Published,
    versions: &[String],
    query: &UnitQuery,
) -> Result<(Vec<Found>, i64), ApiError> {
    let mut lists: Vec<(String, Arc<VersionUnits>)> = Vec::new();
    for v in versions {
        lists.push((v.clone(), st.api.units.get(&st.store, v).await?));
    }
    // Newest version first, so that a stable sort keeps it first among equal hits.
    lists.sort_by_key(|(v, _)| std::cmp::Reverse(published.version(v).map(|b| b.valid_from)));
    let mut hits = Vec::new();
    for (i, (_, units)) in lists.iter().enumerate() {
        hits.extend(
            geodata::rank_units(&units.list, query)
                .into_iter()
                .map(|h| (i, h)),
        );
    }
    hits.sort_by(|(_, a), (_, b)| {
        b.rank
            .cmp(&a.rank)
            .then(a.unit.level.depth().cmp(&b.unit.level.depth()))
    });
    let total = hits.len() as i64;
    let newest_id = newest(published).map(|v| v.id.clone());
    let mut out = Vec::new();
    for (i, h) in hits
        .into_iter()
        .skip(query.offset.max(0) as usize)
        .take(query.limit.max(0) as usize)
    {
        let (version, units) = &lists[i];
        let parent_name = h
            .unit
            .parent_code
            .as_deref()
            .and_then(|p| units.get(p))
            .map(|p| p.name.clone());
        let now_part_of = match &newest_id {
            Some(n) if n != version => {
                Some(now_part_of(st, published, version, n, units, h.unit).await?)
            }
            _ => None,
        };
        out.push(Found {
            unit: h.unit.clone(),
            version: version.clone(),
            parent_name,
            now_part_of,
        });
    }
    Ok((out, total))
}

/// Where `unit` of version `from` is in version `to`, through the stored crosswalk: its
/// communes' parts, gathered at the unit's level, or the nearest level above it that `to`
/// has (a 2019 district is now in provinces); largest share first.
async fn now_part_of(
    st: &AppState,
    published: &Published,
    from: &str,
    to: &str,
    old: &VersionUnits,
    unit: &UnitInfo,
) -> Result<Vec<PartOf>, ApiError> {
    if !published
        .crosswalks
        .iter()
        .any(|(f, t)| f == from && t == to)
    {
        return Ok(Vec::new());
    }
    let harmoniser = st.tiles.harmoniser(&st.store, from, to).await?;
    let cw = harmoniser.crosswalk();
    let new = st.api.units.get(&st.store, to).await?;
    let target_levels = published
        .version(to)
        .map(|v| v.levels.clone())
        .unwrap_or_default();
    let level = Level::ALL
        .iter()
        .rev()
        .copied()
        .filter(|l| l.depth() <= unit.level.depth())
        .find(|l| target_levels.contains(l))
        .unwrap_or(Level::Province);
    let communes: Vec<&UnitInfo> = if unit.level == Level::Commune {
        vec![unit]
    } else {
        old.list
            .iter()
            .filter(|c| c.level == Level::Commune && is_under(old, c, &unit.code))
            .collect()
    };
    let mut weights: BTreeMap<String, f64> = BTreeMap::new();
    let mut sum = 0.0;
    for c in communes {
        let Some(parts) = cw.parts(&c.code) else {
            continue;
        };
        // A commune's own shares; above communes, weighted by each commune's area.
        let weight = if unit.level == Level::Commune {
            1.0
        } else {
            c.area_km2
        };
        sum += weight;
        for p in parts {
            let Some(nc) = new.get(&p.new_code) else {
                continue;
            };
            let at = std::iter::once(nc)
                .chain(new.parents(nc))
                .find(|u| u.level == level);
            if let Some(at) = at {
                *weights.entry(at.code.clone()).or_default() += weight * p.share;
            }
        }
    }
    let mut out: Vec<PartOf> = weights
        .into_iter()
        .filter_map(|(code, w)| {
            let u = new.get(&code)?;
            Some(PartOf {
                name: u.name.clone(),
                code,
                version: to.to_string(),
                share: ((w / sum) * 10_000.0).round() / 10_000.0,
            })
        })
        .filter(|p| p.share > 0.0)
        .collect();
    out.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.code.cmp(&b.code)));
    Ok(out)
}

/// Whether `code` is an ancestor of `unit` (walked up by code, without collecting the chain:
/// this runs for every commune of a version).
fn is_under(units: &VersionUnits, unit: &UnitInfo, code: &str) -> bool {
    let mut cur = unit.parent_code.as_deref();
    for _ in 0..Level::ALL.len() {
        match cur {
            Some(c) if c == code => return true,
            Some(c) => cur = units.get(c).and_then(|p| p.parent_code.as_deref()),
            None => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_labelled_in_both_languages() {
        let t = TypeLabel::of_name("Thành phố Hà Nội").unwrap();
        assert_eq!((t.vi.as_str(), t.en.as_str()), ("Thành phố", "City"));
        let t = TypeLabel::of_name("Phường Biên Hòa").unwrap();
        assert_eq!((t.vi.as_str(), t.en.as_str()), ("Phường", "Ward"));
        assert_eq!(TypeLabel::of_name("Việt Nam"), None);
    }
}
