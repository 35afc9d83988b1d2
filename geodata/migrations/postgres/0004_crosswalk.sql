-- Boundary crosswalks (postgres flavour; keep in step with the other folder's 0004_crosswalk.sql).

-- One built crosswalk between two versions: when, how (method text) and how many old units the
-- official mapping and the geometry disagreed on.
CREATE TABLE crosswalk_meta (
    from_version  TEXT NOT NULL REFERENCES boundary_versions(id),
    to_version    TEXT NOT NULL REFERENCES boundary_versions(id),
    built_at      TEXT NOT NULL,
    method        TEXT NOT NULL,
    disagreements INTEGER NOT NULL,
    PRIMARY KEY (from_version, to_version)
);

-- Its rows: the share of old unit old_code's people that went into new_code; exact is 1 for a
-- whole merge (share 1), 0 for a split estimated from people weights. source says where the row
-- came from (mapping, geometry).
CREATE TABLE crosswalk (
    from_version TEXT NOT NULL,
    to_version   TEXT NOT NULL,
    old_code     TEXT NOT NULL,
    new_code     TEXT NOT NULL,
    share        DOUBLE PRECISION NOT NULL,
    exact        INTEGER NOT NULL CHECK (exact IN (0, 1)),
    source       TEXT NOT NULL,
    PRIMARY KEY (from_version, to_version, old_code, new_code),
    FOREIGN KEY (from_version, to_version) REFERENCES crosswalk_meta(from_version, to_version)
);

CREATE INDEX crosswalk_by_new ON crosswalk (to_version, new_code);
