//! The server's memory budget (`--memory-mb`): one number for the whole process, split into a
//! reserve for the process itself (code, runtime, requests in flight, one build at a time) and
//! a byte share for each cache. Every cache is bounded by the bytes its weigher estimates it
//! holds (see `tilecache.rs`, `units.rs`, `fonts.rs`, `http/reply.rs`), so no sequence of
//! requests can make the caches together hold more than the budget less the reserve.

/// Default budget in MiB: a national server with one period sits near 120 MiB resident (its
/// caches far from full), and the demo's worst requests (`scripts/memory.sh`: every period's
/// r8 H3 grid, harmonised values, timelines, API variants; 255 of them from one client) stay
/// below this. The caches get 320 MiB of it.
pub const DEFAULT_MEMORY_MB: u64 = 512;

/// What the process needs besides its caches, in MiB: the process itself ([`PROCESS_MB`]),
/// what the weighers do not see once the caches are full ([`UNCOUNTED_MB`]) and one large
/// request in flight ([`LARGE_REQUEST_MB`]), rounded up. With 128 (the process and one
/// request only), 255 heavy requests of one client peaked at 458 MiB under a 448 MiB budget.
pub const RESERVE_MB: u64 = 192;

/// Resident bytes the weighers' estimates miss when the caches are full, in MiB: allocator
/// slack and size classes, moka's own structures, the runtime's buffers. Measured 50-70 MiB
/// on `scripts/memory.sh`'s client255 (caches ~150-220 MB by their accounting).
pub const UNCOUNTED_MB: u64 = 64;

/// How many cache fills that read or build large things (tile sources, values, harmonised
/// values, crosswalks, operators; H3 grids one at a time) run at once; the others wait, so
/// what they hold in flight stays bounded.
pub const MAX_BUILDS: usize = 2;

/// What the process holds with empty caches, in MiB: binary, runtime, the store's
/// connections (72 MiB resident after start on the demo, `scripts/memory.sh`).
pub const PROCESS_MB: u64 = 72;

/// What one large request may hold outside the caches while it runs, in MiB: an H3 grid
/// made for it because its cache could not keep it (~37 MB at r8 on the demo, held while the
/// tile is encoded), a commune workbook or FlatGeobuf file, a page of geometry and the
/// level's rows of a streamed download (see `state::inflight`).
pub const LARGE_REQUEST_MB: u64 = 48;

/// The smallest budget accepted, in MiB: the reserve plus 128 MiB of caches (one period's
/// values and some tiles; a national tile source then does not fit its share and is read for
/// each tile, which the log says).
pub const MIN_MEMORY_MB: u64 = RESERVE_MB + 128;

/// Each cache's share of what the reserve leaves, in 1/1000 (they sum to 1000). With the
/// default budget (320 MiB for caches), measured on the demo and the national file: tile
/// sources 56 MiB (the national version's geometry, indexes and labels weigh 47.8 MB, the
/// demo's two 16 MB; a source that does not fit is read again for every tile), tiles 32 MiB
/// (about 70 % of a national file's compact admin tiles z0–12), H3 grids 41 MiB (every
/// resolution of one snapshot: 36.7 MB at r8 on the demo), H3 age grids 20.5 MiB (made only
/// for age indicators and cell pyramids, r4–r7: see BENCHMARKS.md), crosswalks and H3
/// operators 40 MiB (operators get 7/8: the demo's two r8 operators weigh 33 MB), values 69 MiB (a
/// national December with the age groups ~38 MB, a month without them 13.8 MB),
/// timeline columns 6.4 MiB (a national commune column is 80 kB: every period of a few
/// timelines), harmonised values 15 MiB, API answers 20 MiB, fonts 10 MiB, unit lists 9 MiB.
/// Values have the largest share: every tile, style, class and table of a period needs them,
/// and a miss reads the whole period again (~4 MB a demo period, 13.8 MB a national one).
/// With 32 MiB, a soak over ten periods missed them 372 times in two passes and took
/// 0.5-1.5 s for tiles that were otherwise cheap (`scripts/soak.sh`).
const SHARES: [(Cache, u64); 11] = [
    (Cache::Sources, 176),
    (Cache::Tiles, 100),
    (Cache::Values, 216),
    (Cache::Columns, 20),
    (Cache::Harmonised, 48),
    (Cache::Grids, 128),
    (Cache::AgeGrids, 64),
    (Cache::Responses, 64),
    (Cache::Units, 28),
    (Cache::Builds, 124),
    (Cache::Fonts, 32),
];

/// `caches` bytes cut into [`SHARES`].
fn split(caches: u64) -> [u64; 11] {
    SHARES.map(|(_, part)| caches * part / 1000)
}

/// The tile cache's place in [`SHARES`].
const TILES: usize = 1;

/// One of the server's byte-bounded caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cache {
    /// Tile sources, per boundary version.
    Sources,
    /// Built tiles (every coding), per tile key.
    Tiles,
    /// Snapshots' values.
    Values,
    /// Timeline columns: one indicator on one level of one snapshot.
    Columns,
    /// Snapshots' values moved onto another boundary version.
    Harmonised,
    /// Snapshots' H3 grids.
    Grids,
    /// Snapshots' H3 age grids (the 34 age × sex groups, made when asked).
    AgeGrids,
    /// Answers of the data API.
    Responses,
    /// Unit lists per boundary version.
    Units,
    /// Indexed crosswalks and H3 operators.
    Builds,
    /// Fonts: parsed faces, glyph ranges and font files.
    Fonts,
}

impl Cache {
    /// Every cache, in the order `/metrics` lists them.
    pub const ALL: [Cache; 11] = [
        Cache::Sources,
        Cache::Tiles,
        Cache::Values,
        Cache::Columns,
        Cache::Harmonised,
        Cache::Grids,
        Cache::AgeGrids,
        Cache::Responses,
        Cache::Units,
        Cache::Builds,
        Cache::Fonts,
    ];

    /// The cache's name, as a metrics label.
    pub fn name(self) -> &'static str {
        match self {
            Cache::Sources => "sources",
            Cache::Tiles => "tiles",
            Cache::Values => "values",
            Cache::Columns => "timeline_columns",
            Cache::Harmonised => "harmonised",
            Cache::Grids => "h3_grids",
            Cache::AgeGrids => "h3_age_grids",
            Cache::Responses => "responses",
            Cache::Units => "units",
            Cache::Builds => "crosswalks_operators",
            Cache::Fonts => "fonts",
        }
    }
}

/// The memory budget and its split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryBudget {
    total: u64,
    shares: [u64; 11],
}

impl Default for MemoryBudget {
    fn default() -> MemoryBudget {
        MemoryBudget::new(DEFAULT_MEMORY_MB << 20, None).expect("the default budget is valid")
    }
}

impl MemoryBudget {
    /// A budget of `total` bytes. `tiles`, when given (the deprecated `--cache-mb`), replaces
    /// the tile cache's share and the budget grows or shrinks by the difference, so the other
    /// caches keep theirs (`--cache-mb 512` with the default budget is 864 MiB in all).
    /// Refused when `total` is below [`MIN_MEMORY_MB`].
    pub fn new(total: u64, tiles: Option<u64>) -> Result<MemoryBudget, String> {
        if total < MIN_MEMORY_MB << 20 {
            return Err(format!(
                "the memory budget must be at least {MIN_MEMORY_MB} MiB ({} MiB given)",
                total >> 20
            ));
        }
        let mut shares = split(total - (RESERVE_MB << 20));
        let mut total = total;
        if let Some(t) = tiles {
            total = total - shares[TILES] + t;
            shares[TILES] = t;
        }
        Ok(MemoryBudget { total, shares })
    }

    /// A budget of `caches` bytes for the caches alone (no reserve, no minimum), split in the
    /// same proportions: small enough to make small data overflow its caches (tests).
    pub fn of_caches(caches: u64) -> MemoryBudget {
        MemoryBudget {
            total: caches,
            shares: split(caches),
        }
    }

    /// The whole budget in bytes.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// What the caches may hold together: the budget less [`RESERVE_MB`].
    pub fn caches(&self) -> u64 {
        self.shares.iter().sum()
    }

    /// How many large requests may run at once (`state::inflight`): as many as the reserve
    /// holds beside the process itself, at least one. The caches' shares grow with the budget
    /// and the reserve does not, so this is 1 at every budget today; a larger reserve would
    /// let more run.
    pub fn large_requests(&self) -> usize {
        let room = RESERVE_MB.saturating_sub(PROCESS_MB + UNCOUNTED_MB) / LARGE_REQUEST_MB;
        usize::try_from(room).unwrap_or(1).max(1)
    }

    /// The byte share of `cache`.
    pub fn share(&self, cache: Cache) -> u64 {
        let i = SHARES
            .iter()
            .position(|(c, _)| *c == cache)
            .expect("every cache has a share");
        self.shares[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn shares_split_what_the_reserve_leaves() {
        let b = MemoryBudget::new(512 * MIB, None).unwrap();
        assert_eq!(b, MemoryBudget::default());
        assert_eq!(SHARES.iter().map(|s| s.1).sum::<u64>(), 1000);
        let leaves = (512 - RESERVE_MB) * MIB;
        assert!(b.caches() <= leaves, "{} > {leaves}", b.caches());
        // Integer division loses at most a byte per share.
        assert!(b.caches() + 10 > leaves);
        assert_eq!(b.share(Cache::Tiles), leaves * 100 / 1000);
        assert_eq!(b.share(Cache::Sources), leaves * 176 / 1000);
        // The demo's r8 H3 grid (36.7 MB), its two r8 operators (33.4 MB, 7/8 of the share)
        // and the national tile source (47.8 MB) fit their shares with room to spare.
        assert!(b.share(Cache::Grids) > 40_000_000);
        assert!(b.share(Cache::Builds) / 8 * 7 > 35_000_000);
        assert!(b.share(Cache::Sources) > 55_000_000);
        for c in Cache::ALL {
            assert!(b.share(c) > 0, "{}", c.name());
        }
    }

    #[test]
    fn cache_mb_sets_the_tile_share_and_the_others_keep_theirs() {
        let plain = MemoryBudget::default();
        let b = MemoryBudget::new(512 * MIB, Some(512 * MIB)).unwrap();
        assert_eq!(SHARES[TILES].0, Cache::Tiles);
        assert_eq!(b.share(Cache::Tiles), 512 * MIB);
        for c in Cache::ALL.into_iter().filter(|c| *c != Cache::Tiles) {
            assert_eq!(b.share(c), plain.share(c), "{}", c.name());
        }
        assert_eq!(b.total(), 512 * MIB - plain.share(Cache::Tiles) + 512 * MIB);
        // Integer division loses at most a byte per share.
        assert!(b.caches() + (RESERVE_MB << 20) <= b.total());
        assert!(b.caches() + (RESERVE_MB << 20) + 10 > b.total());
    }

    #[test]
    fn too_small_budgets_are_refused_by_name() {
        let e = MemoryBudget::new(256 * MIB, None).unwrap_err();
        assert!(e.contains("at least 320 MiB (256 MiB given)"), "{e}");
        assert!(MemoryBudget::new(320 * MIB, None).is_ok());
    }
}
