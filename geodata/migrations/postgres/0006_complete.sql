-- Partial tables (postgres flavour; keep in step with the other folder's 0006_complete.sql).

-- complete: 1 when the table reported every unit at the bottom of its version, 0 when it was
-- published with --partial. `latest` never names an incomplete snapshot, and its parent totals
-- are served marked incomplete.
ALTER TABLE snapshots ADD COLUMN complete BIGINT NOT NULL DEFAULT 1 CHECK (complete IN (0, 1));
