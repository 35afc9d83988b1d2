-- Stored bands in parts (sqlite flavour; keep in step with the other folder's 0008_band_parts.sql).

-- A band's packed geometry in parts of about a megabyte (geodata's `BAND_PART_BYTES`), in
-- `part` order: a band is written one part at a time, so the driver's and SQLite's copies of
-- the value being written are of one part, not of the whole band (11 MB on the national file,
-- copied four times). The bytes of a band are its parts' bytes concatenated.
CREATE TABLE generalised_band_parts (
    version  TEXT NOT NULL,
    band     INTEGER NOT NULL,
    part     INTEGER NOT NULL,
    geometry BLOB NOT NULL,
    PRIMARY KEY (version, band, part),
    FOREIGN KEY (version, band) REFERENCES generalised_bands(version, band)
) WITHOUT ROWID;

-- A band stored whole before this migration becomes its own single part.
INSERT INTO generalised_band_parts (version, band, part, geometry)
    SELECT version, band, 0, geometry FROM generalised_bands;

ALTER TABLE generalised_bands DROP COLUMN geometry;
