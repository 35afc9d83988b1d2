//! Mapbox Vector Tile 2.1 encoding of polygon and point layers.
//!
//! The protobuf structs come from geozero (`geozero::mvt`, prost-generated from the spec's
//! `vector_tile.proto`), and key/value de-duplication uses geozero's [`TagsBuilder`]. The
//! geometry command stream is written here rather than with geozero's `ToMvt`: `ToMvt` takes
//! float coordinates and a bounding box, quantises them itself and keeps rings as given, while
//! the rules that make tiles correct (exteriors clockwise in tile coordinates, holes the
//! opposite, repeated points removed after quantisation, collapsed rings and empty features
//! dropped) must be applied to the integer coordinates actually written. The encoding is short:
//! `MoveTo`/`LineTo`/`ClosePath` command integers followed by zigzag-encoded deltas.
//!
//! Each feature is encoded as it is added, with prost's field encoders, in the order prost gives
//! the generated structs (fields by tag), so the bytes are those `Tile::encode_to_vec` wrote. A
//! dense tile spent a tenth of its cut in `encode_to_vec`, which measures every nested message
//! again at each level of nesting (a feature's geometry three times) before writing it.

use geo_types::{LineString, MultiPolygon};
use geozero::mvt::tile::{GeomType, Value};
use geozero::mvt::{TagsBuilder, TileValue};
use prost::encoding::{self, WireType};

use crate::geometry::mercator::EXTENT;

/// MVT specification version written in every layer.
pub const MVT_VERSION: u32 = 2;

const MOVE_TO: u32 = 1;
const LINE_TO: u32 = 2;
const CLOSE_PATH: u32 = 7;

/// A typed feature property: strings for codes and names, integers for counts, doubles for ratios.
#[derive(Debug, Clone, PartialEq)]
pub enum PropValue {
    /// Written as `string_value`.
    String(String),
    /// Written as `int_value`.
    Int(i64),
    /// Written as `uint_value`.
    UInt(u64),
    /// Written as `double_value`.
    Double(f64),
    /// Written as `bool_value`.
    Bool(bool),
}

impl From<&PropValue> for TileValue {
    fn from(v: &PropValue) -> TileValue {
        match v {
            PropValue::String(s) => TileValue::Str(s.clone()),
            PropValue::Int(i) => TileValue::Int(*i),
            PropValue::UInt(u) => TileValue::Uint(*u),
            PropValue::Double(d) => TileValue::Double(*d),
            PropValue::Bool(b) => TileValue::Bool(*b),
        }
    }
}

/// One layer of features being assembled, with its keys and values de-duplicated.
#[derive(Debug)]
pub struct LayerBuilder {
    name: String,
    /// The features so far, encoded as the layer's field 2 (key, length, message) each.
    features: Vec<u8>,
    count: usize,
    tags: TagsBuilder,
    /// Scratch space for a feature's tag indices.
    tag_ids: Vec<u32>,
}

impl LayerBuilder {
    /// An empty layer named `name` (extent [`EXTENT`], version [`MVT_VERSION`]).
    pub fn new(name: impl Into<String>) -> LayerBuilder {
        LayerBuilder {
            name: name.into(),
            features: Vec::new(),
            count: 0,
            tags: TagsBuilder::new(),
            tag_ids: Vec::new(),
        }
    }

    /// Adds a polygon feature whose geometry is already in integer tile coordinates (y down).
    ///
    /// Rings are normalised (see [`polygon_commands`]); returns `false` and adds nothing when no
    /// ring survives, so a layer never holds an empty feature.
    pub fn add_polygon(
        &mut self,
        id: Option<u64>,
        props: &[(String, PropValue)],
        geometry: &MultiPolygon<i32>,
    ) -> bool {
        let commands = polygon_commands(geometry);
        if commands.is_empty() {
            return false;
        }
        self.push(id, props, GeomType::Polygon, &commands);
        true
    }

    /// Adds a point feature at `(x, y)` in integer tile coordinates (y down).
    pub fn add_point(
        &mut self,
        id: Option<u64>,
        props: &[(String, PropValue)],
        (x, y): (i32, i32),
    ) {
        let commands = [command(MOVE_TO, 1), zigzag(x), zigzag(y)];
        self.push(id, props, GeomType::Point, &commands);
    }

    /// Encodes one feature (`Feature`'s fields by tag: id 1, tags 2, type 3, geometry 4).
    fn push(
        &mut self,
        id: Option<u64>,
        props: &[(String, PropValue)],
        kind: GeomType,
        geometry: &[u32],
    ) {
        let mut tags = std::mem::take(&mut self.tag_ids);
        tags.clear();
        for (k, v) in props {
            let (k, v) = self.tags.insert_ref(k, v.into());
            tags.extend([k, v]);
        }
        let kind = kind as i32;
        let len = id.map_or(0, |id| encoding::uint64::encoded_len(1, &id))
            + encoding::uint32::encoded_len_packed(2, &tags)
            + encoding::int32::encoded_len(3, &kind)
            + encoding::uint32::encoded_len_packed(4, geometry);
        let buf = &mut self.features;
        encoding::encode_key(2, WireType::LengthDelimited, buf);
        encoding::encode_varint(len as u64, buf);
        if let Some(id) = id {
            encoding::uint64::encode(1, &id, buf);
        }
        encoding::uint32::encode_packed(2, &tags, buf);
        encoding::int32::encode(3, &kind, buf);
        encoding::uint32::encode_packed(4, geometry, buf);
        self.count += 1;
        self.tag_ids = tags;
    }

    /// Number of features added so far.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when no feature was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Appends the finished layer as the tile's field 3 (`Layer`'s fields by tag: name 1,
    /// features 2, keys 3, values 4, extent 5, version 15).
    fn encode_into(self, buf: &mut Vec<u8>) {
        let (keys, values) = self.tags.into_tags();
        let values: Vec<Value> = values.into_iter().map(Into::into).collect();
        let len = encoding::string::encoded_len(1, &self.name)
            + self.features.len()
            + encoding::string::encoded_len_repeated(3, &keys)
            + encoding::message::encoded_len_repeated(4, &values)
            + encoding::uint32::encoded_len(5, &EXTENT)
            + encoding::uint32::encoded_len(15, &MVT_VERSION);
        encoding::encode_key(3, WireType::LengthDelimited, buf);
        encoding::encode_varint(len as u64, buf);
        encoding::string::encode(1, &self.name, buf);
        buf.extend_from_slice(&self.features);
        encoding::string::encode_repeated(3, &keys, buf);
        encoding::message::encode_repeated(4, &values, buf);
        encoding::uint32::encode(5, &EXTENT, buf);
        encoding::uint32::encode(15, &MVT_VERSION, buf);
    }
}

/// Encodes the non-empty `layers` as one tile; no feature at all gives an empty `Vec`.
pub fn encode_tile(layers: Vec<LayerBuilder>) -> Vec<u8> {
    let size: usize = layers.iter().map(|l| l.features.len() + 64).sum();
    let mut buf = Vec::new();
    for layer in layers.into_iter().filter(|l| !l.is_empty()) {
        if buf.is_empty() {
            buf.reserve(size);
        }
        layer.encode_into(&mut buf);
    }
    buf
}

/// Twice the signed area of a ring by the MVT spec's formula; positive = clockwise with y down.
pub fn ring_area2(points: &[(i32, i32)]) -> i64 {
    let n = points.len();
    (0..n)
        .map(|i| {
            let (a, b) = (points[i], points[(i + 1) % n]);
            i64::from(a.0) * i64::from(b.1) - i64::from(b.0) * i64::from(a.1)
        })
        .sum()
}

/// The ring's distinct consecutive points (closing point removed), or `None` if it collapsed
/// to fewer than three points or zero area; oriented clockwise (y down) when `exterior`,
/// counter-clockwise otherwise.
fn normalise_ring(ring: &LineString<i32>, exterior: bool) -> Option<Vec<(i32, i32)>> {
    let mut pts: Vec<(i32, i32)> = ring.0.iter().map(|c| (c.x, c.y)).collect();
    pts.dedup();
    while pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    remove_spikes(&mut pts);
    if pts.len() < 3 {
        return None;
    }
    let a = ring_area2(&pts);
    if a == 0 {
        return None;
    }
    if (a > 0) != exterior {
        pts.reverse();
    }
    Some(pts)
}

/// Whether `b` is a spike tip between `a` and `c`: the ring goes out to `b` and straight back
/// along the same line (zero area), as snap rounding leaves where a border collapsed.
fn is_spike(a: (i32, i32), b: (i32, i32), c: (i32, i32)) -> bool {
    let (u, v) = (
        (i64::from(b.0 - a.0), i64::from(b.1 - a.1)),
        (i64::from(c.0 - b.0), i64::from(c.1 - b.1)),
    );
    u.0 * v.1 - u.1 * v.0 == 0 && u.0 * v.0 + u.1 * v.1 < 0
}

/// Removes zero-area spikes from an open ring (cyclically), and the repeats that leaves.
fn remove_spikes(pts: &mut Vec<(i32, i32)>) {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(pts.len());
    for &p in pts.iter() {
        if out.last() == Some(&p) {
            continue;
        }
        while out.len() >= 2 && is_spike(out[out.len() - 2], out[out.len() - 1], p) {
            out.pop();
        }
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    // Spikes across the ring's start.
    loop {
        let n = out.len();
        if n < 3 {
            break;
        }
        if out[0] == out[n - 1] || is_spike(out[n - 2], out[n - 1], out[0]) {
            out.pop();
        } else if is_spike(out[n - 1], out[0], out[1]) {
            out.remove(0);
        } else {
            break;
        }
    }
    *pts = out;
}

fn command(id: u32, count: u32) -> u32 {
    (id & 0x7) | (count << 3)
}

fn zigzag(n: i32) -> u32 {
    ((n << 1) ^ (n >> 31)) as u32
}

/// The MVT geometry command integers of a polygon feature.
///
/// Each exterior is written clockwise in tile coordinates (positive area by the spec's formula)
/// followed by its holes counter-clockwise; repeated consecutive points are dropped, rings with
/// fewer than three distinct points or zero area are dropped (an exterior with its holes).
/// Returns an empty `Vec` when nothing is left.
pub fn polygon_commands(geometry: &MultiPolygon<i32>) -> Vec<u32> {
    let mut out = Vec::new();
    let mut cursor = (0i32, 0i32);
    let mut write = |pts: &[(i32, i32)], out: &mut Vec<u32>| {
        out.push(command(MOVE_TO, 1));
        for (i, p) in pts.iter().enumerate() {
            if i == 1 {
                out.push(command(LINE_TO, (pts.len() - 1) as u32));
            }
            out.push(zigzag(p.0 - cursor.0));
            out.push(zigzag(p.1 - cursor.1));
            cursor = *p;
        }
        out.push(command(CLOSE_PATH, 1));
    };
    for poly in &geometry.0 {
        let Some(ext) = normalise_ring(poly.exterior(), true) else {
            continue;
        };
        write(&ext, &mut out);
        for hole in poly.interiors() {
            if let Some(h) = normalise_ring(hole, false) {
                write(&h, &mut out);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{LineString, Polygon};
    use geozero::mvt::{Message, Tile};

    fn square(pts: &[(i32, i32)]) -> MultiPolygon<i32> {
        MultiPolygon::new(vec![Polygon::new(LineString::from(pts.to_vec()), vec![])])
    }

    #[test]
    fn square_commands_are_exact() {
        // Given counter-clockwise in tile coordinates (y down): must be reversed to clockwise.
        let cmds = polygon_commands(&square(&[(2, 2), (2, 5), (5, 5), (5, 2), (2, 2)]));
        // Reversed: (5,2) (5,5) (2,5) (2,2).
        assert_eq!(cmds, vec![9, 10, 4, 26, 0, 6, 5, 0, 0, 5, 15]);
        // Already clockwise: kept, with a repeated point removed.
        let cmds = polygon_commands(&square(&[(0, 0), (3, 0), (3, 0), (3, 3), (0, 3), (0, 0)]));
        assert_eq!(cmds, vec![9, 0, 0, 26, 6, 0, 0, 6, 5, 0, 15]);
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
        assert_eq!(zigzag(-64), 127);
    }

    #[test]
    fn spikes_are_removed() {
        let mut r = vec![
            (0, 0),
            (10, 0),
            (12, 0),
            (10, 0),
            (10, 10),
            (0, 10),
            (0, 12),
            (0, 10),
        ];
        remove_spikes(&mut r);
        assert_eq!(r, [(0, 0), (10, 0), (10, 10), (0, 10)]);
        let mut flat = vec![(0, 0), (5, 0), (2, 0)];
        remove_spikes(&mut flat);
        assert!(flat.len() < 3, "{flat:?}");
    }

    #[test]
    fn features_are_encoded_as_prost_encodes_the_tile() {
        // Written field by field as features are added: the same bytes as prost's encoding of
        // the decoded tile (fields by tag, optional and empty fields left out alike).
        let mut a = LayerBuilder::new("communes");
        let props = [
            ("code".to_string(), PropValue::String("00001".into())),
            ("pop".to_string(), PropValue::UInt(300)),
            ("delta".to_string(), PropValue::Int(-7)),
            ("ratio".to_string(), PropValue::Double(0.25)),
            ("ok".to_string(), PropValue::Bool(true)),
        ];
        let big = square(&[(0, 0), (4000, 0), (4000, 4000), (0, 4000), (0, 0)]);
        assert!(a.add_polygon(Some(1 << 40), &props, &big));
        assert!(a.add_polygon(None, &[], &square(&[(1, 1), (1, 9), (9, 9), (1, 1)])));
        a.add_point(Some(3), &props[..2], (-5, 70_000));
        let mut b = LayerBuilder::new("");
        b.add_point(None, &[], (0, 0));
        let bytes = encode_tile(vec![LayerBuilder::new("empty"), a, b]);
        let tile = Tile::decode(&bytes[..]).unwrap();
        assert_eq!(tile.layers.len(), 2);
        assert_eq!(tile.layers[0].features.len(), 3);
        assert_eq!(tile.layers[0].keys.len(), 5);
        assert_eq!(tile.layers[0].features[1].id, None);
        assert_eq!(tile.encode_to_vec(), bytes);
    }

    #[test]
    fn a_point_is_one_move_to() {
        let mut layer = LayerBuilder::new("p");
        let props = [("rank".to_string(), PropValue::UInt(3))];
        layer.add_point(Some(9), &props, (4095, -1));
        let tile = Tile::decode(&encode_tile(vec![layer])[..]).unwrap();
        let f = &tile.layers[0].features[0];
        assert_eq!(f.r#type, Some(GeomType::Point as i32));
        assert_eq!(f.geometry, vec![9, 8190, 1]);
        assert_eq!((f.id, f.tags.as_slice()), (Some(9), &[0, 0][..]));
    }

    #[test]
    fn collapsed_rings_and_empty_features_are_dropped() {
        assert!(polygon_commands(&square(&[(1, 1), (1, 1), (2, 2), (1, 1)])).is_empty());
        assert!(polygon_commands(&square(&[(0, 0), (1, 1), (2, 2), (0, 0)])).is_empty());
        let mut layer = LayerBuilder::new("x");
        assert!(!layer.add_polygon(Some(1), &[], &square(&[(0, 0), (0, 0), (0, 0)])));
        assert!(layer.is_empty());
        assert!(encode_tile(vec![layer]).is_empty());
    }
}
