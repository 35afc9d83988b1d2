//! A boundary version's generalisation in the store's form: the packed generalised geometry of
//! every zoom band and the units' codes with their label points, as bytes. The store keeps them
//! as given; `TileSource::to_stored` and `TileSource::from_stored` pack and unpack them.

/// One zoom band's packed geometry of every unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBand {
    /// Lowest zoom of the band.
    pub min_zoom: u8,
    /// Highest zoom of the band, inclusive.
    pub max_zoom: u8,
    /// The packed multipolygons, in the order of [`StoredGeneralisation::units`].
    pub geometry: Vec<u8>,
}

/// The stored generalisation of one boundary version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredGeneralisation {
    /// Version of the packing; a reader rebuilds a generalisation of another format.
    pub format: i64,
    /// The packed unit codes (the blobs' order) with their label points.
    pub units: Vec<u8>,
    /// The bands, lowest zoom first.
    pub bands: Vec<StoredBand>,
}
