//! "Did you mean": why an unknown column or indicator name is refused, with the nearest
//! base indicator when the name is a near miss.

use geodata::Catalog;

/// Edit distance between two short ASCII-ish strings (for "did you mean").
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest base-indicator id to `name`, if it is a near miss (edit distance ≤ 2).
pub fn closest_indicator<'a>(catalog: &'a Catalog, name: &str) -> Option<&'a str> {
    catalog
        .base_ids()
        .map(|id| (distance(name, id), id))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, id)| id)
}

/// Why an unknown column or indicator name is not accepted, with a suggestion when possible.
pub(super) fn unknown_name(catalog: &Catalog, what: &str, name: &str) -> String {
    if catalog.derived(name).is_some() {
        format!(
            "{what} '{name}' is a derived indicator: it is computed from the counts, not published"
        )
    } else if let Some(near) = closest_indicator(catalog, name) {
        format!("unknown {what} '{name}' (did you mean '{near}'?)")
    } else {
        format!("unknown {what} '{name}': not a base indicator of the catalog")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
