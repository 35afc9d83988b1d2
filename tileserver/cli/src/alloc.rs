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

/// Milliseconds an unused dirty page is kept for reuse before it is purged.
const DIRTY_DECAY_MS: isize = 1000;

/// Sets the purge delays of the arenas that exist and of those made later, and starts the
/// background purging thread. Best effort: an allocator that refuses a setting only keeps its
/// defaults (more resident memory), so failures are ignored.
pub fn tune() {
    let _ = "arenas.dirty_decay_ms\0".name().write(DIRTY_DECAY_MS);
    let _ = "arenas.muzzy_decay_ms\0".name().write(0isize);
    let narenas: u32 = tikv_jemalloc_ctl::arenas::narenas::read().unwrap_or(0);
    for i in 0..narenas {
        // Arenas not made yet refuse; they take the defaults set above when they are.
        let dirty = format!("arena.{i}.dirty_decay_ms\0");
        let _ = dirty.name().write(DIRTY_DECAY_MS);
        let muzzy = format!("arena.{i}.muzzy_decay_ms\0");
        let _ = muzzy.name().write(0isize);
    }
    let _ = tikv_jemalloc_ctl::background_thread::write(true);
}
