-- popmap store schema, SQLite flavour. Keep in step with ../postgres/0001_schema.sql: the two
-- files hold the same tables and columns; only the type names and row layout options differ.

-- A boundary version: a named set of units in force from valid_from (YYYY-MM-DD) until the day
-- before the next version's valid_from. levels: comma-separated level names, top first.
CREATE TABLE boundary_versions (
    id          TEXT NOT NULL PRIMARY KEY,
    valid_from  TEXT NOT NULL UNIQUE,
    levels      TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

-- The units of a version. geom is WKB (2D multipolygon, WGS84); the bbox columns let readers
-- pick units in an area without decoding geometry; name_folded is the accent-free search key.
CREATE TABLE units (
    version     TEXT NOT NULL REFERENCES boundary_versions(id),
    code        TEXT NOT NULL,
    level       TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    parent_code TEXT,
    area_km2    REAL NOT NULL,
    minx        REAL NOT NULL,
    miny        REAL NOT NULL,
    maxx        REAL NOT NULL,
    maxy        REAL NOT NULL,
    geom        BLOB NOT NULL,
    PRIMARY KEY (version, code)
) WITHOUT ROWID;

CREATE INDEX units_by_name ON units (version, name_folded);

-- Base indicator ids, mapped to small integers to keep value rows compact.
CREATE TABLE indicators (
    id   INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- One published (period, revision).
CREATE TABLE snapshots (
    id           INTEGER NOT NULL PRIMARY KEY,
    period       TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    version      TEXT NOT NULL REFERENCES boundary_versions(id),
    published_at TEXT NOT NULL,
    source       TEXT NOT NULL,
    checksum     TEXT NOT NULL,
    report       TEXT NOT NULL,
    UNIQUE (period, revision)
);

-- Values: ~190,000 rows per national period, millions in all. The primary key serves both
-- readers: all values of a snapshot (prefix snapshot_id) and one unit's series across
-- snapshots (one seek per snapshot on (snapshot_id, unit_code)). reported is 0 or 1.
CREATE TABLE snapshot_values (
    snapshot_id  INTEGER NOT NULL REFERENCES snapshots(id),
    unit_code    TEXT NOT NULL,
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    value        INTEGER NOT NULL,
    reported     INTEGER NOT NULL CHECK (reported IN (0, 1)),
    PRIMARY KEY (snapshot_id, unit_code, indicator_id)
) WITHOUT ROWID;
