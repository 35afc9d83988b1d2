//! A compact, exact byte form of many multipolygons (and optional points), for storing the
//! generalised geometry of a boundary version once and reading it back at every start.
//!
//! Layout: a varint count of items; per multipolygon a varint count of polygons, per polygon a
//! varint count of rings, per ring a varint count of coordinates, then the coordinates. Each
//! coordinate axis is written as the bit pattern of the `f64` XOR-ed with the previous value
//! of that axis (in the whole blob), as a varint: neighbouring vertices share sign, exponent and
//! leading mantissa bits, so the XOR has many leading zeros and the varint is 5–6 bytes instead
//! of 8, and decoding gives back the very same `f64` bits (tiles stay byte-identical). This is
//! the XOR step of Gorilla compression (Pelkonen et al. 2015), written here in a few lines over
//! prost's varints rather than pulling in a time-series crate built around timestamps.

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use prost::encoding::{decode_varint, encode_varint};

/// Writes coordinates as XOR deltas of their bit patterns.
#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    prev: (u64, u64),
}

impl Writer {
    fn count(&mut self, n: usize) {
        encode_varint(n as u64, &mut self.out);
    }

    fn coord(&mut self, c: Coord<f64>) {
        let (x, y) = (c.x.to_bits(), c.y.to_bits());
        encode_varint(x ^ self.prev.0, &mut self.out);
        encode_varint(y ^ self.prev.1, &mut self.out);
        self.prev = (x, y);
    }
}

/// Reads what [`Writer`] wrote; every error names what was being read.
struct Reader<'a> {
    rest: &'a [u8],
    prev: (u64, u64),
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader {
            rest: bytes,
            prev: (0, 0),
        }
    }

    fn varint(&mut self, what: &str) -> Result<u64, String> {
        decode_varint(&mut self.rest).map_err(|_| format!("truncated or bad varint ({what})"))
    }

    /// A count, refused when it is larger than the bytes left could hold (at least one byte
    /// per item), so a corrupt count cannot ask for a huge allocation.
    fn count(&mut self, what: &str) -> Result<usize, String> {
        let n = self.varint(what)?;
        if n > self.rest.len() as u64 {
            return Err(format!(
                "{what} count {n} exceeds the {} bytes left",
                self.rest.len()
            ));
        }
        Ok(n as usize)
    }

    fn coord(&mut self) -> Result<Coord<f64>, String> {
        let x = self.varint("x")? ^ self.prev.0;
        let y = self.varint("y")? ^ self.prev.1;
        self.prev = (x, y);
        Ok(Coord {
            x: f64::from_bits(x),
            y: f64::from_bits(y),
        })
    }

    fn ring(&mut self) -> Result<LineString<f64>, String> {
        let n = self.count("coordinates")?;
        // Exactly n: collecting through a Result cannot size the Vec up front, and the doubling
        // left a third of a national generalisation's memory unused.
        let mut ring = Vec::with_capacity(n);
        for _ in 0..n {
            ring.push(self.coord()?);
        }
        Ok(LineString::new(ring))
    }

    fn done(&self) -> Result<(), String> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(format!("{} bytes left over", self.rest.len()))
        }
    }
}

/// The packed form of `geoms` (rings as given: exterior first, then holes).
pub fn pack_multipolygons<'a>(
    geoms: impl ExactSizeIterator<Item = &'a MultiPolygon<f64>>,
) -> Vec<u8> {
    let mut w = Writer::default();
    pack_with(&mut w, geoms, |_| Ok(())).expect("a Vec takes every byte");
    // Exactly the bytes: the doubling left up to half of each band unused (27 MB of an
    // import's 46 MB of packed bands on the national file), held until the store write.
    w.out.shrink_to_fit();
    w.out
}

/// Bytes packed in memory before [`pack_multipolygons_to`] hands them on.
const PACK_BUFFER: usize = 64 * 1024;

/// [`pack_multipolygons`]'s very bytes written to `to` about [`PACK_BUFFER`] at a time, so
/// they are never whole in memory: a national band packed into a `Vec` grew by doubling and
/// was then shrunk, up to 27 MB held at once for 11 MB of bytes (the import's peak). Returns
/// the number of bytes written.
pub fn pack_multipolygons_to<'a>(
    geoms: impl ExactSizeIterator<Item = &'a MultiPolygon<f64>>,
    to: &mut dyn std::io::Write,
) -> std::io::Result<u64> {
    let mut w = Writer {
        out: Vec::with_capacity(2 * PACK_BUFFER),
        prev: (0, 0),
    };
    let mut written = 0u64;
    let mut flush = |out: &mut Vec<u8>| -> std::io::Result<()> {
        to.write_all(out)?;
        written += out.len() as u64;
        out.clear();
        Ok(())
    };
    pack_with(&mut w, geoms, |out| {
        if out.len() >= PACK_BUFFER {
            flush(out)?;
        }
        Ok(())
    })?;
    flush(&mut w.out)?;
    Ok(written)
}

/// Packs `geoms` into `w`, calling `after` with the bytes so far after each multipolygon.
fn pack_with<'a>(
    w: &mut Writer,
    geoms: impl ExactSizeIterator<Item = &'a MultiPolygon<f64>>,
    mut after: impl FnMut(&mut Vec<u8>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    w.count(geoms.len());
    for mp in geoms {
        w.count(mp.0.len());
        for p in &mp.0 {
            w.count(1 + p.interiors().len());
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                w.count(ring.0.len());
                for &c in &ring.0 {
                    w.coord(c);
                }
            }
        }
        after(&mut w.out)?;
    }
    Ok(())
}

/// The multipolygons of a [`pack_multipolygons`] blob; the error says what is wrong.
pub fn unpack_multipolygons(bytes: &[u8]) -> Result<Vec<MultiPolygon<f64>>, String> {
    let mut r = Reader::new(bytes);
    let n = r.count("units")?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let polys = r.count("polygons")?;
        let mut mp = Vec::with_capacity(polys);
        for _ in 0..polys {
            let rings = r.count("rings")?;
            if rings == 0 {
                return Err("a polygon without an exterior ring".to_string());
            }
            let exterior = r.ring()?;
            let holes = (1..rings).map(|_| r.ring()).collect::<Result<_, _>>()?;
            mp.push(Polygon::new(exterior, holes));
        }
        out.push(MultiPolygon::new(mp));
    }
    r.done()?;
    Ok(out)
}

/// A unit's code and its optional point.
pub type CodedPoint = (String, Option<Coord<f64>>);

/// The packed form of units' codes, each with an optional point (a 0/1 flag, then the
/// coordinate).
pub fn pack_coded_points(units: &[(&str, Option<Coord<f64>>)]) -> Vec<u8> {
    let mut w = Writer::default();
    w.count(units.len());
    for (code, p) in units {
        w.count(code.len());
        w.out.extend_from_slice(code.as_bytes());
        w.count(usize::from(p.is_some()));
        if let Some(c) = p {
            w.coord(*c);
        }
    }
    w.out
}

/// The codes and points of a [`pack_coded_points`] blob; the error says what is wrong.
pub fn unpack_coded_points(bytes: &[u8]) -> Result<Vec<CodedPoint>, String> {
    let mut r = Reader::new(bytes);
    let n = r.count("units")?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let len = r.count("code bytes")?;
        let (code, rest) = r.rest.split_at(len);
        r.rest = rest;
        let code =
            String::from_utf8(code.to_vec()).map_err(|_| "a code is not UTF-8".to_string())?;
        let point = match r.varint("point flag")? {
            0 => None,
            1 => Some(r.coord()?),
            f => return Err(format!("bad point flag {f} (unit '{code}')")),
        };
        out.push((code, point));
    }
    r.done()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    fn bits(mp: &[MultiPolygon<f64>]) -> Vec<(u64, u64)> {
        mp.iter()
            .flat_map(|m| &m.0)
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| &r.0)
            .map(|c| (c.x.to_bits(), c.y.to_bits()))
            .collect()
    }

    /// Streamed in pieces (the coordinates' XOR chain running across them) or packed whole:
    /// the same bytes, for blobs shorter and longer than the buffer.
    #[test]
    fn streamed_packing_is_the_whole_packing() {
        let square = |i: u32| {
            let (x, y) = (
                11_700_000.0 + f64::from(i) * 91.7,
                2_400_000.0 - f64::from(i) * 3.1,
            );
            polygon![(x: x, y: y), (x: x + 50.5, y: y), (x: x + 50.5, y: y + 9.25), (x: x, y: y)]
        };
        for n in [0u32, 1, 3, 20_000] {
            let geoms: Vec<MultiPolygon<f64>> = (0..n)
                .map(|i| MultiPolygon::new((0..1 + i % 3).map(|k| square(i * 3 + k)).collect()))
                .collect();
            let whole = pack_multipolygons(geoms.iter());
            let mut streamed = Vec::new();
            let written = pack_multipolygons_to(geoms.iter(), &mut streamed).unwrap();
            assert_eq!(written, whole.len() as u64);
            assert!(streamed == whole, "{n} multipolygons");
            if n == 20_000 {
                assert!(whole.len() > 4 * PACK_BUFFER, "{} bytes", whole.len());
            }
        }
    }

    #[test]
    fn multipolygons_round_trip_bit_for_bit() {
        let a = polygon![
            exterior: [(x: 11_718_374.123_456_78, y: 2_412_345.000_000_1), (x: 11_718_999.5, y: 2_412_345.25),
                       (x: -0.0, y: 1e-300), (x: 11_718_374.123_456_78, y: 2_412_345.000_000_1)],
            interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: f64::MIN_POSITIVE), (x: 1.0, y: 1.0)]],
        ];
        let b = polygon![(x: -20_037_508.34, y: 0.1), (x: 3.0, y: 4.0), (x: 5.0, y: -6.0), (x: -20_037_508.34, y: 0.1)];
        let geoms = vec![
            MultiPolygon::new(vec![a, b]),
            MultiPolygon::new(vec![]),
            MultiPolygon::new(vec![
                polygon![(x: 7.0, y: 8.0), (x: 9.0, y: 8.0), (x: 9.0, y: 9.0), (x: 7.0, y: 8.0)],
            ]),
        ];
        let packed = pack_multipolygons(geoms.iter());
        let back = unpack_multipolygons(&packed).unwrap();
        assert_eq!(back, geoms);
        // -0.0 == 0.0 as floats: compare the bits too.
        assert_eq!(bits(&back), bits(&geoms));
        assert_eq!(back[0].0[0].interiors().len(), 1);
        // Smaller than raw f64 pairs (16 bytes a vertex) for real, close vertices.
        let close: Vec<Coord<f64>> = (0..1000)
            .map(|i| Coord {
                x: 11_700_000.0 + f64::from(i) * 37.3,
                y: 2_400_000.0 + f64::from(i % 17) * 11.9,
            })
            .collect();
        let ring = MultiPolygon::new(vec![Polygon::new(LineString::new(close), vec![])]);
        let n = pack_multipolygons(std::iter::once(&ring)).len();
        assert!(n < 1000 * 14, "{n} bytes");
    }

    #[test]
    fn bad_blobs_are_errors_not_panics() {
        let geoms = [MultiPolygon::new(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)],
        ])];
        let packed = pack_multipolygons(geoms.iter());
        for cut in 0..packed.len() {
            assert!(
                unpack_multipolygons(&packed[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut extra = packed.clone();
        extra.push(0);
        assert!(
            unpack_multipolygons(&extra)
                .unwrap_err()
                .contains("left over")
        );
        // A count far beyond the bytes given.
        assert!(
            unpack_multipolygons(&[0xff, 0xff, 0x7f])
                .unwrap_err()
                .contains("exceeds")
        );
    }

    #[test]
    fn coded_points_round_trip() {
        let units = vec![
            ("01", Some(Coord { x: 1.5, y: -2.25 })),
            ("00004", None),
            (
                "Ä-7",
                Some(Coord {
                    x: 11_718_374.1,
                    y: 2_412_345.9,
                }),
            ),
        ];
        let back = unpack_coded_points(&pack_coded_points(&units)).unwrap();
        let back: Vec<(&str, Option<Coord<f64>>)> =
            back.iter().map(|(c, p)| (c.as_str(), *p)).collect();
        assert_eq!(back, units);
        assert!(
            unpack_coded_points(&[1, 1, b'7', 2])
                .unwrap_err()
                .contains("bad point flag")
        );
        assert!(
            unpack_coded_points(&[1, 5, b'7'])
                .unwrap_err()
                .contains("exceeds")
        );
    }
}
