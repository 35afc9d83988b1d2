-- H3 population operators, SQLite flavour. Keep in step with ../postgres/0002_h3.sql.

-- One operator per boundary version: the resolution it maps to, where its weights came from
-- (`area`, or `points:FILE` / `cells:FILE` with the number of units that fell back to area)
-- and when it was built (RFC 3339).
CREATE TABLE h3_operators (
    version    TEXT NOT NULL PRIMARY KEY REFERENCES boundary_versions(id),
    resolution INTEGER NOT NULL,
    weights    TEXT NOT NULL,
    built_at   TEXT NOT NULL,
    cells      INTEGER NOT NULL
);

-- The operator's entries, one row per unit: `entries` packs (cell index u64, share f64) pairs,
-- both little-endian, sorted by cell. A row per (unit, cell) would be ~3 million rows per
-- version at r9, ten times the bytes and minutes to write; the operator is only ever read whole.
CREATE TABLE h3_operator_units (
    version   TEXT NOT NULL REFERENCES h3_operators(version),
    unit_code TEXT NOT NULL,
    entries   BLOB NOT NULL,
    PRIMARY KEY (version, unit_code)
) WITHOUT ROWID;
