//! What `latest` means, everywhere (tiles, styles, every API, `popmap export`): the newest
//! revision of the newest period of the default granularity — a month; a quarter when no month
//! is published, a year when neither is. A quarter ending the same day as a month is not newer
//! than it: the default view is the month, and Play on it advances month by month.

use crate::model::period::Granularity;
use crate::model::snapshot::Snapshot;

/// The granularities `latest` looks at, in order of preference.
pub const LATEST_ORDER: [Granularity; 3] =
    [Granularity::Month, Granularity::Quarter, Granularity::Year];

/// The snapshot `latest` names among `snapshots` (any order): the newest revision of the newest
/// period of the first granularity of [`LATEST_ORDER`] that has one, among complete snapshots
/// only (a table published as partial is served by its period's name, never as `latest`).
pub fn latest_snapshot(snapshots: &[Snapshot]) -> Option<&Snapshot> {
    LATEST_ORDER.into_iter().find_map(|g| {
        snapshots
            .iter()
            .filter(|s| s.complete && s.period.granularity() == g)
            .max_by_key(|s| (s.period, s.revision))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::period::Period;

    fn snap(id: i64, period: &str, revision: i64) -> Snapshot {
        Snapshot {
            id,
            period: period.parse::<Period>().unwrap(),
            revision,
            version: "v".into(),
            published_at: chrono::DateTime::UNIX_EPOCH,
            source: String::new(),
            checksum: String::new(),
            complete: true,
        }
    }

    #[test]
    fn latest_is_the_newest_month_then_quarter_then_year() {
        let all = vec![
            snap(1, "2026-08", 1),
            snap(2, "2026-09", 1),
            snap(3, "2026-09", 2),
            snap(4, "2026-Q3", 1),
            snap(5, "2026", 1),
        ];
        assert_eq!(latest_snapshot(&all).unwrap().id, 3);
        assert_eq!(latest_snapshot(&all[3..]).unwrap().id, 4);
        assert_eq!(latest_snapshot(&all[4..]).unwrap().id, 5);
        assert!(latest_snapshot(&[]).is_none());
    }

    #[test]
    fn latest_never_names_an_incomplete_snapshot() {
        let mut partial = snap(4, "2026-10", 1);
        partial.complete = false;
        let mut partial_r2 = snap(5, "2026-09", 3);
        partial_r2.complete = false;
        let all = vec![
            snap(1, "2026-08", 1),
            snap(2, "2026-09", 1),
            snap(3, "2026-09", 2),
            partial,
            partial_r2,
        ];
        assert_eq!(latest_snapshot(&all).unwrap().id, 3);
        assert!(latest_snapshot(&all[3..]).is_none());
    }
}
