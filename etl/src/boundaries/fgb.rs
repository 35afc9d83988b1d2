//! FlatGeobuf reader (flatgeobuf + geozero): properties through a `PropertyProcessor`, rings
//! through a `GeomProcessor`, so unclosed or degenerate rings reach the repair step unchanged.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::geometry::{RawMultiPolygon, RawPolygon};
use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, FgbReader, GeozeroGeometry};
use geo_types::Coord;
use geozero::error::GeozeroError;
use geozero::{ColumnValue, GeomProcessor, PropertyProcessor};

use super::error::{BoundaryError, FeatureRef, FeatureRule};
use super::reader::{Prop, Props, RawFeature};

/// Collects the four known properties of one feature.
struct PropCollector(Props);

impl PropertyProcessor for PropCollector {
    fn property(&mut self, _i: usize, name: &str, v: &ColumnValue) -> geozero::error::Result<bool> {
        let p = match v {
            ColumnValue::String(s) => Prop::Text((*s).to_string()),
            ColumnValue::Byte(_)
            | ColumnValue::UByte(_)
            | ColumnValue::Short(_)
            | ColumnValue::UShort(_)
            | ColumnValue::Int(_)
            | ColumnValue::UInt(_)
            | ColumnValue::Long(_)
            | ColumnValue::ULong(_)
            | ColumnValue::Float(_)
            | ColumnValue::Double(_) => Prop::Number,
            _ => Prop::Other,
        };
        match name {
            "code" => self.0.code = Some(p),
            "name" => self.0.name = Some(p),
            "level" => self.0.level = Some(p),
            "parent_code" => self.0.parent_code = Some(p),
            _ => {}
        }
        Ok(false)
    }
}

/// Collects polygon rings; refuses points and lines.
#[derive(Default)]
struct RingCollector {
    polygons: RawMultiPolygon,
    in_polygon: bool,
    unsupported: Option<&'static str>,
}

impl RingCollector {
    /// Records a geometry kind we do not accept.
    fn refuse(&mut self, kind: &'static str) -> geozero::error::Result<()> {
        self.unsupported.get_or_insert(kind);
        Err(GeozeroError::Geometry(format!(
            "geometry type \"{kind}\" (expected Polygon or MultiPolygon)"
        )))
    }
}

impl GeomProcessor for RingCollector {
    fn xy(&mut self, x: f64, y: f64, _idx: usize) -> geozero::error::Result<()> {
        if let Some(ring) = self.polygons.last_mut().and_then(|p| p.last_mut()) {
            ring.push(Coord { x, y });
        }
        Ok(())
    }
    fn point_begin(&mut self, _idx: usize) -> geozero::error::Result<()> {
        self.refuse("Point")
    }
    fn multipoint_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.refuse("MultiPoint")
    }
    fn multilinestring_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.refuse("MultiLineString")
    }
    fn geometrycollection_begin(
        &mut self,
        _size: usize,
        _idx: usize,
    ) -> geozero::error::Result<()> {
        self.refuse("GeometryCollection")
    }
    fn linestring_begin(
        &mut self,
        tagged: bool,
        size: usize,
        _idx: usize,
    ) -> geozero::error::Result<()> {
        if tagged || !self.in_polygon {
            return self.refuse("LineString");
        }
        if let Some(p) = self.polygons.last_mut() {
            p.push(Vec::with_capacity(size));
        }
        Ok(())
    }
    fn polygon_begin(
        &mut self,
        _tagged: bool,
        size: usize,
        _idx: usize,
    ) -> geozero::error::Result<()> {
        self.in_polygon = true;
        self.polygons.push(RawPolygon::with_capacity(size));
        Ok(())
    }
    fn polygon_end(&mut self, _tagged: bool, _idx: usize) -> geozero::error::Result<()> {
        self.in_polygon = false;
        Ok(())
    }
}

/// Reads all features of the FlatGeobuf file at `path` (named `file` in messages).
pub(crate) fn read(
    file: &str,
    path: &Path,
    tick: &mut dyn FnMut(u64),
) -> Result<Vec<RawFeature>, BoundaryError> {
    let f = File::open(path).map_err(|source| BoundaryError::Io {
        file: file.to_string(),
        source,
    })?;
    let format = |e: flatgeobuf::Error| BoundaryError::Format {
        file: file.to_string(),
        message: format!("not a readable FlatGeobuf file: {e}"),
    };
    let len = f.metadata().map_or(0, |m| m.len()) as usize;
    let mut reader = BufReader::new(f);
    let fgb = FgbReader::open(&mut reader).map_err(format)?;
    let count = fgb.header().features_count() as usize;
    // A damaged count (found by the fuzz suite) made flatgeobuf's index size overflow and our
    // reservation abort: every feature takes bytes, so no more features than the file's bytes.
    if count > len {
        return Err(BoundaryError::Format {
            file: file.to_string(),
            message: format!("the header says {count} features but the file holds {len} bytes"),
        });
    }
    let types: Vec<flatgeobuf::ColumnType> = fgb
        .header()
        .columns()
        .map(|c| c.iter().map(|c| c.type_()).collect())
        .unwrap_or_default();
    let mut iter = fgb.select_all_seq().map_err(format)?;
    let mut out = Vec::with_capacity(count);
    let mut index = 0;
    while let Some(feature) = iter.next().map_err(format)? {
        let at = FeatureRef {
            file: file.to_string(),
            index,
            code: None,
        };
        let mut props = PropCollector(Props::default());
        // flatgeobuf 6 slices property bytes by the lengths in the file unchecked, so a damaged
        // length would panic inside it (found by the fuzz suite): walk them first.
        let read = if properties_fit(feature, &types) {
            feature
                .process_properties(&mut props)
                .map_err(|e| e.to_string())
        } else {
            Err("a property's length runs past the feature's bytes".to_string())
        };
        if let Err(why) = read {
            return Err(BoundaryError::Format {
                file: file.to_string(),
                message: format!("feature {index}: unreadable properties: {why}"),
            });
        }
        let placeholder = props.0.into_feature(at, Vec::new())?;
        let mut rings = RingCollector::default();
        if feature.fbs_feature().geometry().is_none() {
            return Err(BoundaryError::feature(
                &placeholder.at,
                FeatureRule::MissingGeometry,
            ));
        }
        if let Err(e) = feature.process_geom(&mut rings) {
            let msg = match rings.unsupported {
                Some(kind) => {
                    format!("geometry type \"{kind}\" (expected Polygon or MultiPolygon)")
                }
                None => e.to_string(),
            };
            return Err(BoundaryError::feature(
                &placeholder.at,
                FeatureRule::UnsupportedGeometry(msg),
            ));
        }
        out.push(RawFeature {
            geometry: rings.polygons,
            ..placeholder
        });
        index += 1;
        tick(1);
    }
    // A count of 0 means "unknown" (streamed writers); any other must match what was read.
    if count != 0 && index != count {
        return Err(BoundaryError::Format {
            file: file.to_string(),
            message: format!("the header says {count} features but the file holds {index}"),
        });
    }
    Ok(out)
}

/// Whether every property value of `feature` (columns of `types`) lies within its bytes, walked as
/// flatgeobuf 6's `process_properties` walks them (a u16 column index, then a fixed-size value
/// or a u32 length and that many bytes). Written here because flatgeobuf does not check the
/// lengths itself; an unknown column index is left for flatgeobuf to refuse.
fn properties_fit(feature: &flatgeobuf::FgbFeature, types: &[flatgeobuf::ColumnType]) -> bool {
    use flatgeobuf::ColumnType as T;
    let Some(props) = feature.fbs_feature().properties() else {
        return true;
    };
    let bytes = props.bytes();
    let mut at = 0usize;
    while at + 1 < bytes.len() {
        let column = u16::from_le_bytes([bytes[at], bytes[at + 1]]) as usize;
        at += 2;
        let Some(&kind) = types.get(column) else {
            return true;
        };
        let size = match kind {
            T::Byte | T::UByte | T::Bool => 1,
            T::Short | T::UShort => 2,
            T::Int | T::UInt | T::Float => 4,
            T::Long | T::ULong | T::Double => 8,
            _ => match bytes.get(at..at + 4) {
                Some(len) => 4 + u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize,
                None => return false,
            },
        };
        match at.checked_add(size) {
            Some(end) if end <= bytes.len() => at = end,
            _ => return false,
        }
    }
    true
}
