//! A [`TileSource`]'s costly part in the store's form and back: the generalised geometry of
//! every zoom band and each unit's label point, packed exactly
//! ([`crate::geometry::packing`]), so a source read back cuts the very same tiles as the one
//! that was built, without generalising again.
//!
//! The units' order is the store's (level, then code); the packed codes must match the units
//! given to [`TileSource::from_stored`] one for one, and the bands must be
//! [`DEFAULT_BANDS`]. Anything else is a [`StoredSourceError`], upon which the caller builds the
//! source again (and may store it anew).

use geo_types::{Coord, MultiPolygon};

use crate::geometry::generalise::{DEFAULT_BANDS, Generalised, ZoomBand, generalise_bands};
use crate::geometry::mercator::project_multipolygon;
use crate::geometry::packing::{
    pack_coded_points, pack_multipolygons, pack_multipolygons_to, unpack_coded_points,
    unpack_multipolygons,
};
use crate::model::generalisation::{StoredBand, StoredGeneralisation};
use crate::model::unit::UnitInfo;
use crate::tiling::labels::label_points;
use crate::tiling::tileset::{TileSource, label_bands};

/// The packing written by this build; a stored generalisation of another format is rebuilt.
pub const STORED_FORMAT: i64 = 1;

/// Why a stored generalisation cannot be used as it is (the caller rebuilds it).
#[derive(Debug, thiserror::Error)]
pub enum StoredSourceError {
    /// Written by a build with another packing.
    #[error("stored in format {found}, this build reads format {STORED_FORMAT}")]
    Format {
        /// The stored format.
        found: i64,
    },
    /// Generalised for other zoom bands.
    #[error("stored for other zoom bands")]
    Bands,
    /// The stored codes are not the version's units.
    #[error("stored for other units: {0}")]
    Units(String),
    /// Bytes that do not unpack.
    #[error("corrupt: {0}")]
    Corrupt(String),
}

/// One generalised zoom band as [`TileSource::build_stored_with`] hands it on: its zooms and
/// every unit's geometry, to pack into memory or straight into a writer.
pub struct BandToPack<'a> {
    /// The band's first zoom.
    pub min_zoom: u8,
    /// The band's last zoom.
    pub max_zoom: u8,
    geometry: &'a [MultiPolygon<f64>],
}

impl BandToPack<'_> {
    /// The packed bytes (a [`StoredBand`]'s `geometry`).
    pub fn packed(&self) -> Vec<u8> {
        pack_multipolygons(self.geometry.iter())
    }

    /// The very bytes of [`BandToPack::packed`] written to `to` a few kilobytes at a time,
    /// never whole in memory (a national band packed in memory held up to 27 MB at once for
    /// its 11 MB); returns how many.
    pub fn pack_to(&self, to: &mut dyn std::io::Write) -> std::io::Result<u64> {
        pack_multipolygons_to(self.geometry.iter(), to)
    }
}

impl TileSource {
    /// The generalisation and label points of this source, in the store's form.
    pub fn to_stored(&self) -> StoredGeneralisation {
        let g = self.generalised();
        let units: Vec<(&str, _)> = self
            .units()
            .iter()
            .enumerate()
            .map(|(i, u)| (u.code.as_str(), self.label(i).map(|l| l.point)))
            .collect();
        StoredGeneralisation {
            format: STORED_FORMAT,
            units: pack_coded_points(&units),
            bands: g
                .bands()
                .iter()
                .enumerate()
                .map(|(b, band)| StoredBand {
                    min_zoom: band.min_zoom,
                    max_zoom: band.max_zoom,
                    geometry: pack_multipolygons(g.band_geometries(b)),
                })
                .collect(),
        }
    }

    /// What `TileSource::new` of these units then [`TileSource::to_stored`] give, bit for bit,
    /// built band by band: each band is generalised, the label points placed on it are taken,
    /// and it is packed and dropped before the next, so an import never holds every band's
    /// geometry (nor a `TileSource`) at once. `infos[i]`'s geometry is `geometries[i]` (WGS84
    /// degrees, projected one unit at a time), in the store's order.
    pub fn build_stored(
        infos: &[UnitInfo],
        geometries: &[&MultiPolygon<f64>],
    ) -> StoredGeneralisation {
        let mut packed = Vec::with_capacity(DEFAULT_BANDS.len());
        let mut stored = TileSource::build_stored_with(infos, geometries, |b| {
            packed.push(StoredBand {
                min_zoom: b.min_zoom,
                max_zoom: b.max_zoom,
                geometry: b.packed(),
            })
        });
        stored.bands = packed;
        stored
    }

    /// [`TileSource::build_stored`] handing each band's geometry to `sink` in band order as
    /// soon as it is made, to pack as it likes ([`BandToPack`]), and returning the rest with
    /// each band's `geometry` left empty (as [`crate::Store::generalisation_head`] reads it):
    /// a caller that streams the bands aside (the import packs them into a file) holds none
    /// of their bytes while the next are generalised.
    pub fn build_stored_with(
        infos: &[UnitInfo],
        geometries: &[&MultiPolygon<f64>],
        mut sink: impl FnMut(BandToPack<'_>),
    ) -> StoredGeneralisation {
        let label_band = label_bands(infos, &DEFAULT_BANDS);
        let mut points = vec![None; infos.len()];
        let mut bands = Vec::with_capacity(DEFAULT_BANDS.len());
        let projected = geometries.iter().map(|g| project_multipolygon(g));
        generalise_bands(projected, &DEFAULT_BANDS, |zooms, geometry| {
            let b = bands.len();
            let here: Vec<usize> = (0..infos.len()).filter(|&u| label_band[u] == b).collect();
            let placed = label_points(here.len(), |k| &geometry[here[k]]);
            for (&u, p) in here.iter().zip(placed) {
                points[u] = p;
            }
            bands.push(StoredBand {
                min_zoom: zooms.min_zoom,
                max_zoom: zooms.max_zoom,
                geometry: Vec::new(),
            });
            sink(BandToPack {
                min_zoom: zooms.min_zoom,
                max_zoom: zooms.max_zoom,
                geometry: &geometry,
            });
        });
        let units: Vec<(&str, _)> = infos
            .iter()
            .zip(points)
            .map(|(u, p)| (u.code.as_str(), p))
            .collect();
        StoredGeneralisation {
            format: STORED_FORMAT,
            units: pack_coded_points(&units),
            bands,
        }
    }

    /// The source of `infos` (the version's units in the store's order) from its stored
    /// generalisation: no generalising, only the boxes and label points indexed.
    pub fn from_stored(
        infos: Vec<UnitInfo>,
        stored: &StoredGeneralisation,
    ) -> Result<TileSource, StoredSourceError> {
        TileSource::from_stored_bands(infos, stored, |b| Ok(stored.bands[b].geometry.clone()))
    }

    /// Like [`TileSource::from_stored`] with each band's packed geometry read by `band(b)` when
    /// its turn comes, and dropped once unpacked (the bands' `geometry` in `stored` is not
    /// read): a server then never holds every packed band at once (46 MB on the national file)
    /// next to the unpacked geometry, memory the allocator would keep. `band`'s error (e.g. the
    /// store's) is reported as [`StoredSourceError::Corrupt`].
    pub fn from_stored_bands(
        infos: Vec<UnitInfo>,
        stored: &StoredGeneralisation,
        mut band: impl FnMut(usize) -> Result<Vec<u8>, String>,
    ) -> Result<TileSource, StoredSourceError> {
        let points = stored_points(&infos, stored)?;
        // Band by band, shared with the band below where unchanged (see `Generalised`).
        let mut generalised = Generalised::empty();
        for (b, &zooms) in DEFAULT_BANDS.iter().enumerate() {
            let bytes =
                band(b).map_err(|e| StoredSourceError::Corrupt(format!("band {b}: {e}")))?;
            let geometries = unpack_multipolygons(&bytes)
                .map_err(|e| StoredSourceError::Corrupt(format!("band {b}: {e}")))?;
            drop(bytes);
            let n = geometries.len();
            if n != infos.len() || !generalised.push_band(zooms, geometries) {
                return Err(StoredSourceError::Corrupt(format!(
                    "band {b}: {n} geometries for {} units",
                    infos.len()
                )));
            }
        }
        Ok(TileSource::assemble(infos, generalised, &points))
    }

    /// The source of `infos` with band `band` of their stored generalisation only (`packed`,
    /// that band's bytes; the bands' `geometry` in `stored` is not read), serving every zoom
    /// with it: it cuts the very tiles of the whole source at that band's zooms, and others
    /// wrongly. An export cutting zooms in order holds one band unpacked at a time this way.
    pub fn from_stored_band(
        infos: Vec<UnitInfo>,
        stored: &StoredGeneralisation,
        band: usize,
        packed: &[u8],
    ) -> Result<TileSource, StoredSourceError> {
        let points = stored_points(&infos, stored)?;
        let geometries = unpack_multipolygons(packed)
            .map_err(|e| StoredSourceError::Corrupt(format!("band {band}: {e}")))?;
        if geometries.len() != infos.len() {
            return Err(StoredSourceError::Corrupt(format!(
                "band {band}: {} geometries for {} units",
                geometries.len(),
                infos.len()
            )));
        }
        let generalised = Generalised::uniform(&DEFAULT_BANDS, geometries);
        Ok(TileSource::assemble(infos, generalised, &points))
    }
}

/// Each unit's stored label point, once the stored format, bands and units are checked against
/// this build and `infos`.
fn stored_points(
    infos: &[UnitInfo],
    stored: &StoredGeneralisation,
) -> Result<Vec<Option<Coord<f64>>>, StoredSourceError> {
    if stored.format != STORED_FORMAT {
        return Err(StoredSourceError::Format {
            found: stored.format,
        });
    }
    let bands: Vec<ZoomBand> = stored
        .bands
        .iter()
        .map(|b| ZoomBand {
            min_zoom: b.min_zoom,
            max_zoom: b.max_zoom,
        })
        .collect();
    if bands != DEFAULT_BANDS {
        return Err(StoredSourceError::Bands);
    }
    let units = unpack_coded_points(&stored.units).map_err(StoredSourceError::Corrupt)?;
    if units.len() != infos.len() {
        return Err(StoredSourceError::Units(format!(
            "{} stored, {} in the version",
            units.len(),
            infos.len()
        )));
    }
    if let Some((i, (code, _))) = units
        .iter()
        .enumerate()
        .find(|(i, (code, _))| *code != infos[*i].code)
    {
        return Err(StoredSourceError::Units(format!(
            "unit {i} is '{code}' stored, '{}' in the version",
            infos[i].code
        )));
    }
    Ok(units.into_iter().map(|(_, p)| p).collect())
}
