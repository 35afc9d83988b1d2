//! Cutting an export's tiles on every core: the tile ids go in batches to a rayon pool, which
//! cuts and gzips each batch in parallel and hands the tiles on in the ids' order, so the
//! archive holds the same bytes whatever the number of threads. Only one batch of tiles is held
//! in memory at a time.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use geodata::TileId;
use rayon::ThreadPool;
use rayon::prelude::*;

/// Tiles cut per parallel batch: enough to keep every core busy past the slowest tile of the
/// batch, few enough that a batch of dense tiles stays a few megabytes.
pub const BATCH: usize = 1024;

/// `bytes` gzipped at level 6, the `pmtiles` crate's own default, so an archive is the same
/// whether the writer or [`cut_in_order`] compresses.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::with_capacity(bytes.len() / 2), Compression::new(6));
    gz.write_all(bytes).expect("gzip into memory cannot fail");
    gz.finish().expect("gzip into memory cannot fail")
}

/// The non-empty tiles of `tiles`, each `cut` and gzipped on `pool`, in the order of `tiles`;
/// `done` is called once per tile cut (from any thread).
pub fn cut_in_order<'a, C, D>(
    pool: &'a ThreadPool,
    tiles: &'a [TileId],
    cut: C,
    done: D,
) -> impl Iterator<Item = (TileId, Vec<u8>)> + 'a
where
    C: Fn(TileId) -> Vec<u8> + Sync + 'a,
    D: Fn() + Sync + 'a,
{
    tiles.chunks(BATCH).flat_map(move |batch| {
        pool.install(|| {
            batch
                .par_iter()
                .filter_map(|&id| {
                    let raw = cut(id);
                    done();
                    (!raw.is_empty()).then(|| (id, gzip(&raw)))
                })
                .collect::<Vec<_>>()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize) -> ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    /// A stand-in cut whose cost and emptiness vary by tile, so threads finish out of order.
    fn fake_cut(id: TileId) -> Vec<u8> {
        if (id.x + id.y).is_multiple_of(3) {
            return Vec::new();
        }
        let n = ((id.x * 7919 + id.y * 104_729) % 5000) as usize;
        (0..n).map(|i| (i as u32 ^ id.x ^ id.y) as u8).collect()
    }

    #[test]
    fn same_tiles_in_the_same_order_on_any_number_of_threads() {
        let tiles: Vec<TileId> = (0..64u32)
            .flat_map(|x| (0..64u32).map(move |y| TileId { z: 6, x, y }))
            .collect();
        assert!(tiles.len() > 2 * BATCH, "more than one batch");
        let count = std::sync::atomic::AtomicUsize::new(0);
        let run = |threads| {
            cut_in_order(&pool(threads), &tiles, fake_cut, || {
                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            })
            .collect::<Vec<_>>()
        };
        let one = run(1);
        let four = run(4);
        assert_eq!(
            count.into_inner(),
            2 * tiles.len(),
            "every tile cut once per run"
        );
        let want: Vec<TileId> = tiles
            .iter()
            .copied()
            .filter(|&id| !fake_cut(id).is_empty())
            .collect();
        let got: Vec<TileId> = four.iter().map(|(id, _)| *id).collect();
        assert_eq!(got, want, "order of the input, empty tiles left out");
        assert_eq!(one, four);
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&four[1].1[..]), &mut raw)
            .unwrap();
        assert_eq!(raw, fake_cut(four[1].0));
    }
}
