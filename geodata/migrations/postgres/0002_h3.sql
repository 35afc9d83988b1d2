-- H3 population operators, PostgreSQL flavour. Keep in step with ../sqlite/0002_h3.sql (the
-- comments there explain the columns and why entries are packed per unit).

CREATE TABLE h3_operators (
    version    TEXT NOT NULL PRIMARY KEY REFERENCES boundary_versions(id),
    resolution INTEGER NOT NULL,
    weights    TEXT NOT NULL,
    built_at   TEXT NOT NULL,
    cells      BIGINT NOT NULL
);

CREATE TABLE h3_operator_units (
    version   TEXT NOT NULL REFERENCES h3_operators(version),
    unit_code TEXT NOT NULL,
    entries   BYTEA NOT NULL,
    PRIMARY KEY (version, unit_code)
);
