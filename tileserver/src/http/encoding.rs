//! Content codings of a tile: negotiated from `Accept-Encoding`, compressed once when the tile
//! is built and kept compressed in the cache, so a warm request never compresses.

use std::io::Write;
use std::sync::OnceLock;

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

impl TileBody {
    /// Compresses `raw` once in both codings.
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
        let mut gz = flate2::write::GzEncoder::new(
            Vec::with_capacity(raw.len() / 2),
            flate2::Compression::new(6),
        );
        gz.write_all(&raw).expect("writing to a Vec cannot fail");
        let gzip = gz.finish().expect("writing to a Vec cannot fail");
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
}
