-- Stored generalisation (sqlite flavour; keep in step with the other folder's 0005_generalised.sql).

-- A boundary version's generalisation, computed once by `popmap import boundaries` (or by the
-- server on first use of a version imported before it existed) so the server starts without
-- generalising. format: the packing's version (an older format is rebuilt). units: the unit
-- codes in the blobs' order with each unit's label point (geodata's packed points).
CREATE TABLE generalisations (
    version  TEXT NOT NULL PRIMARY KEY REFERENCES boundary_versions(id),
    format   INTEGER NOT NULL,
    units    BLOB NOT NULL,
    built_at TEXT NOT NULL
);

-- One zoom band's generalised geometry of every unit, in Web Mercator metres (geodata's packed
-- multipolygons, exact f64 coordinates), in the order of generalisations.units.
CREATE TABLE generalised_bands (
    version  TEXT NOT NULL REFERENCES generalisations(version),
    band     INTEGER NOT NULL,
    min_zoom INTEGER NOT NULL,
    max_zoom INTEGER NOT NULL,
    geometry BLOB NOT NULL,
    PRIMARY KEY (version, band)
) WITHOUT ROWID;
