//! Content codings of a tile: negotiated from `Accept-Encoding`, compressed once when the tile
//! is built and kept compressed in the cache, so a warm request never compresses.

use std::io::Write;
use std::sync::{Mutex, OnceLock};

use axum::body::Bytes;
use axum::http::header::ACCEPT_ENCODING;
use axum::http::{HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};

/// A content coding the server sends tiles in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Uncompressed.
    Identity,
    /// gzip.
    Gzip,
    /// Brotli.
    Br,
}

impl Encoding {
    /// The `Content-Encoding` token, or `identity`.
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Br => "br",
        }
    }

    /// The position of the coding in `[Identity, Gzip, Br]`.
    fn index(self) -> usize {
        match self {
            Encoding::Identity => 0,
            Encoding::Gzip => 1,
            Encoding::Br => 2,
        }
    }

    /// The coding to answer with: the acceptable one with the highest q-value, preferring
    /// brotli, then gzip, on ties; identity when neither is acceptable.
    pub fn negotiate(headers: &HeaderMap) -> Encoding {
        let (mut br, mut gzip, mut star) = (None, None, None);
        for v in headers.get_all(ACCEPT_ENCODING) {
            let Ok(v) = v.to_str() else { continue };
            for item in v.split(',') {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or("").trim();
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                let is = |token: &str| name.eq_ignore_ascii_case(token);
                if is("br") {
                    br = Some(q);
                } else if is("gzip") || is("x-gzip") {
                    gzip = Some(q);
                } else if name == "*" {
                    star = Some(q);
                }
            }
        }
        let br = br.or(star).unwrap_or(0.0);
        let gzip = gzip.or(star).unwrap_or(0.0);
        if br > 0.0 && br >= gzip {
            Encoding::Br
        } else if gzip > 0.0 {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }
}

/// One tile in every coding, with the digest its ETags are made of. An empty `raw` is a tile
/// with no feature (answered 204).
#[derive(Debug)]
pub struct TileBody {
    /// The MVT bytes.
    pub raw: Bytes,
    /// gzip of `raw`.
    pub gzip: Bytes,
    /// Brotli of `raw`, made the first time a client asks for it: most clients take gzip,
    /// and compressing both on the cold path cost a big tile ~25 % more time.
    br: OnceLock<Bytes>,
    /// Hex SHA-256 prefix of `raw` (128 bits).
    pub digest: String,
    /// The `ETag` header of each coding (see [`TileBody::etag`]), made once: a cached tile is
    /// answered without formatting one.
    etags: [HeaderValue; 3],
}

/// The three ETag header values of `digest`, in [`Encoding::index`] order.
fn etag_headers(digest: &str) -> [HeaderValue; 3] {
    [Encoding::Identity, Encoding::Gzip, Encoding::Br].map(|e| {
        HeaderValue::from_str(&etag_text(digest, e)).expect("quoted hex is a header value")
    })
}

/// The strong ETag of the coding `enc` of a body whose digest is `digest`.
fn etag_text(digest: &str, enc: Encoding) -> String {
    match enc {
        Encoding::Identity => format!("\"{digest}\""),
        e => format!("\"{digest}-{}\"", e.token()),
    }
}

/// The gzip level of tiles. On the national z8 tiles (geodata's `cut` bench, zlib-rs) level 2
/// costs 32 % fewer instructions than level 6 for 1.2 % more bytes; level 1 (zlib-rs' quick
/// strategy) is cheaper still but 26 % bigger, and levels 3–5 save under 0.5 % of bytes for
/// 23–26 % more instructions than 2.
const GZIP_LEVEL: u32 = 2;

/// Compressors kept between tiles, at most one per core: a new one allocates and clears its
/// window and hash tables, ~0.27M instructions, a seventh of the cut of a z12 tile.
static COMPRESSORS: Mutex<Vec<flate2::Compress>> = Mutex::new(Vec::new());

/// `raw` gzipped at [`GZIP_LEVEL`] by a kept compressor, reset first.
fn gzip(raw: &[u8]) -> Vec<u8> {
    let kept = COMPRESSORS.lock().ok().and_then(|mut v| v.pop());
    let mut c = kept
        .unwrap_or_else(|| flate2::Compress::new_gzip(flate2::Compression::new(GZIP_LEVEL), 15));
    c.reset();
    let mut out = Vec::with_capacity(raw.len() / 2 + 64);
    loop {
        let done = usize::try_from(c.total_in()).expect("a tile fits in memory");
        let status = c
            .compress_vec(&raw[done..], &mut out, flate2::FlushCompress::Finish)
            .expect("deflating a whole buffer into a Vec cannot fail");
        if status == flate2::Status::StreamEnd {
            break;
        }
        out.reserve(out.capacity().max(1024));
    }
    // Read once: the standard library reads the cgroup's quota files each time.
    static CORES: OnceLock<usize> = OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if let Ok(mut kept) = COMPRESSORS.lock()
        && kept.len() < cores
    {
        kept.push(c);
    }
    out
}

impl TileBody {
    /// Compresses `raw` once in gzip (brotli waits for its first request).
    pub fn new(raw: Vec<u8>) -> TileBody {
        let digest = hex::encode(&Sha256::digest(&raw)[..16]);
        let etags = etag_headers(&digest);
        if raw.is_empty() {
            return TileBody {
                raw: Bytes::new(),
                gzip: Bytes::new(),
                br: OnceLock::from(Bytes::new()),
                digest,
                etags,
            };
        }
        let gzip = gzip(&raw);
        TileBody {
            raw: raw.into(),
            gzip: gzip.into(),
            br: OnceLock::new(),
            digest,
            etags,
        }
    }

    /// The bytes in `enc` (brotli compressed on first use).
    pub fn body(&self, enc: Encoding) -> &Bytes {
        match enc {
            Encoding::Identity => &self.raw,
            Encoding::Gzip => &self.gzip,
            Encoding::Br => self.br.get_or_init(|| {
                // Quality 5 compresses about as fast as gzip -6 and ~10% smaller on MVT.
                let mut br = Vec::with_capacity(self.raw.len() / 2);
                {
                    let mut w = brotli::CompressorWriter::new(&mut br, 16 * 1024, 5, 22);
                    w.write_all(&self.raw)
                        .expect("writing to a Vec cannot fail");
                }
                br.into()
            }),
        }
    }

    /// The strong ETag of the representation in `enc` (each coding has its own, as RFC 9110
    /// requires of strong validators).
    pub fn etag(&self, enc: Encoding) -> String {
        etag_text(&self.digest, enc)
    }

    /// [`TileBody::etag`] as a header value, made when the tile was.
    pub fn etag_header(&self, enc: Encoding) -> &HeaderValue {
        &self.etags[enc.index()]
    }

    /// Whether an `If-None-Match` value matches any coding of this tile (weak comparison, as
    /// RFC 9110 prescribes for `If-None-Match`).
    pub fn matches(&self, if_none_match: &str) -> bool {
        super::conditional::list_matches(if_none_match, |t| self.same_tag(t))
    }

    /// Whether one entity tag (without `W/`) names any coding of this tile.
    pub fn same_tag(&self, tag: &str) -> bool {
        tag.trim_matches('"')
            .split('-')
            .next()
            .is_some_and(|d| d == self.digest)
    }

    /// Bytes held by the cache for this tile, counting room for the brotli coding (smaller
    /// than gzip) whether or not it was made yet.
    pub fn weight(&self) -> u32 {
        let n = self.raw.len() + 2 * self.gzip.len() + 128;
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn accept(v: &str) -> Encoding {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        Encoding::negotiate(&h)
    }

    #[test]
    fn negotiation_follows_q_values() {
        assert_eq!(Encoding::negotiate(&HeaderMap::new()), Encoding::Identity);
        assert_eq!(accept("gzip, deflate, br"), Encoding::Br);
        assert_eq!(accept("gzip"), Encoding::Gzip);
        assert_eq!(accept("br;q=0.5, gzip"), Encoding::Gzip);
        assert_eq!(accept("br;q=0, gzip;q=0"), Encoding::Identity);
        assert_eq!(accept("*"), Encoding::Br);
        assert_eq!(accept("*;q=0.1, br;q=0"), Encoding::Gzip);
        assert_eq!(accept("deflate"), Encoding::Identity);
        assert_eq!(accept("GZIP, X-Gzip;q=0.2"), Encoding::Gzip);
        assert_eq!(accept("Br;q=0.9, gzip;q=0.8"), Encoding::Br);
    }

    #[test]
    fn every_coding_decodes_to_the_raw_bytes_and_etags_differ() {
        let raw: Vec<u8> = (0..20_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let t = TileBody::new(raw.clone());
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&t.gzip[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, raw);
        out.clear();
        brotli::Decompressor::new(&t.body(Encoding::Br)[..], 4096)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, raw);
        let tags = [Encoding::Identity, Encoding::Gzip, Encoding::Br].map(|e| t.etag(e));
        assert_ne!(tags[0], tags[1]);
        assert_ne!(tags[1], tags[2]);
        for (e, tag) in [Encoding::Identity, Encoding::Gzip, Encoding::Br]
            .iter()
            .zip(&tags)
        {
            assert_eq!(t.etag_header(*e), tag.as_str());
        }
        for tag in &tags {
            assert!(t.matches(tag));
            assert!(t.matches(&format!("W/{tag}, \"zzz\"")));
        }
        assert!(!t.matches("\"0123\""));
        assert!(TileBody::new(Vec::new()).raw.is_empty());
    }

    #[test]
    fn kept_compressors_start_every_tile_afresh() {
        // Tiles gzipped one after another, from several threads, by compressors kept between
        // them: each decodes to its own bytes (a compressor not reset would carry the previous
        // tile's stream), including one that does not compress and needs the output grown.
        let mut seed = 7u64;
        let noise: Vec<u8> = (0..300_000)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (seed >> 56) as u8
            })
            .collect();
        let bodies: Vec<Vec<u8>> = (0..6u8)
            .map(|k| (0..5_000u32).map(|i| (i % 97) as u8 ^ k).collect())
            .chain([noise, vec![42]])
            .collect();
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    for raw in bodies.iter().chain(&bodies) {
                        let t = TileBody::new(raw.clone());
                        let mut out = Vec::new();
                        flate2::read::GzDecoder::new(&t.gzip[..])
                            .read_to_end(&mut out)
                            .unwrap();
                        assert_eq!(&out, raw);
                    }
                });
            }
        });
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert!(COMPRESSORS.lock().unwrap().len() <= cores);
    }
}
