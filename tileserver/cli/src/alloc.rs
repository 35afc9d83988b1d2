//! The process's allocator: jemalloc (tikv-jemallocator), set to give freed memory back to
//! the system within about a second.
//!
//! glibc's malloc kept what a server freed (tile builds, the tile cache's churn, start-up's
//! unpacking) in per-thread arenas: a national server sat at 190 MiB resident with 120 MB
//! live. jemalloc's background thread purges unused pages after `dirty_decay_ms`; with
//! `muzzy_decay_ms` 0 they are returned at once (MADV_DONTNEED) rather than lazily
//! (MADV_FREE, which Linux still counts as resident until memory runs short). Measured against
//! mimalloc and glibc in BENCHMARKS.md ("Server memory").

use tikv_jemalloc_ctl::{Access, AsName};

/// The allocator of every `popmap` verb.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Milliseconds an unused dirty page is kept for reuse before it is purged, in a server: the
/// tile cache's churn reuses pages within that.
pub const SERVER_DECAY_MS: isize = 1000;

/// The same for a batch verb (import, publish, export…): each phase frees its memory just
/// before the next allocates, and a second of keeping it stacked the phases' peaks. Measured
/// in session 12 (B): 30–250 ms brought the import's peak RSS from ~237 to ~200 MB and the
/// export's to ~150 MB with no extra CPU; 0 cost the export 2 s of system time.
pub const BATCH_DECAY_MS: isize = 100;

/// Sets the purge delays (`dirty_decay_ms`, and no muzzy stage) of the arenas that exist and
/// of those made later, and starts the background purging thread. Best effort: an allocator
/// that refuses a setting only keeps its defaults (more resident memory), so failures are
/// ignored.
pub fn tune(dirty_decay_ms: isize) {
    let _ = "arenas.dirty_decay_ms\0".name().write(dirty_decay_ms);
    let _ = "arenas.muzzy_decay_ms\0".name().write(0isize);
    let narenas: u32 = tikv_jemalloc_ctl::arenas::narenas::read().unwrap_or(0);
    for i in 0..narenas {
        // Arenas not made yet refuse; they take the defaults set above when they are.
        let dirty = format!("arena.{i}.dirty_decay_ms\0");
        let _ = dirty.name().write(dirty_decay_ms);
        let muzzy = format!("arena.{i}.muzzy_decay_ms\0");
        let _ = muzzy.name().write(0isize);
    }
    let _ = tikv_jemalloc_ctl::background_thread::write(true);
}
