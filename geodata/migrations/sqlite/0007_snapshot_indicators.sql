-- Which base indicators each snapshot gives (sqlite flavour; keep in step with the other folder's
-- 0007_snapshot_indicators.sql). Tables may omit indicators (monthly reports often have no age
-- groups), and the periods API says which periods carry the age groups: read here in one small
-- query instead of scanning snapshot_values. Written by the publish transaction; filled once
-- from the stored values for snapshots published before it existed.
CREATE TABLE snapshot_indicators (
    snapshot_id  INTEGER NOT NULL,
    indicator_id INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, indicator_id)
);
INSERT INTO snapshot_indicators (snapshot_id, indicator_id)
SELECT DISTINCT snapshot_id, indicator_id FROM snapshot_values;
