//! Integer columns packed into one text per group by the database, and unpacked here.
//!
//! sqlx's SQLite driver hands every result row from its worker thread to the caller through a
//! channel; at one row per stored value (190,000 for a national period) that hand-off, not
//! SQLite, was most of a read. Grouping the rows (one per unit) and packing the integer columns
//! with `string_agg` (SQLite 3.44+, PostgreSQL) moves 10–20 times fewer rows.

/// The SQL of one packed column: `string_agg` of `cols` joined by `:`, groups joined by `,`.
pub(super) fn sql(cols: &[&str]) -> String {
    let item = cols
        .iter()
        .map(|c| format!("CAST({c} AS TEXT)"))
        .collect::<Vec<_>>()
        .join(" || ':' || ");
    format!("string_agg({item}, ',')")
}

/// The items of a packed text, each with `N` integers; the error names the bad item.
pub(super) fn unpack<const N: usize>(packed: &str) -> Result<Vec<[i64; N]>, String> {
    packed
        .split(',')
        .map(|item| {
            let mut out = [0i64; N];
            let mut fields = item.split(':');
            for slot in &mut out {
                *slot = fields
                    .next()
                    .and_then(|f| f.parse().ok())
                    .ok_or_else(|| format!("bad packed value '{item}' ({N} integers expected)"))?;
            }
            if fields.next().is_some() {
                return Err(format!("bad packed value '{item}' ({N} integers expected)"));
            }
            Ok(out)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_unpacks() {
        assert_eq!(
            sql(&["a", "b"]),
            "string_agg(CAST(a AS TEXT) || ':' || CAST(b AS TEXT), ',')"
        );
        assert_eq!(
            unpack::<3>("1:-5:0,2:9223372036854775807:1").unwrap(),
            [[1, -5, 0], [2, i64::MAX, 1]]
        );
        assert!(unpack::<2>("1:2:3").unwrap_err().contains("'1:2:3'"));
        assert!(unpack::<2>("1:2,3").unwrap_err().contains("'3'"));
        assert!(unpack::<1>("x").is_err());
    }
}
