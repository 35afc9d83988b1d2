-- PostGIS side of the national benchmark (scripts/national/bench.sh), after ogr2ogr loaded the
-- units of target/national/communes.geojson into `units` (EPSG:3857, GiST index).
--
-- `communes`: martin's plain table source: the communes as imported, no simplification.
-- `units_fn(z, x, y)`: a martin function source that draws what popmap draws: provinces z0–5,
-- districts z6–7, communes z8+ (geodata LEVEL_ZOOMS), simplified once per band like popmap's
-- bands (0–4, 5–6, 7–8, 9–10, 11–12, 13+; tolerance one tile unit, 4096 per tile, at the band's
-- lowest zoom), with the geometry simplified ahead of time per band so a tile only clips.

DROP TABLE IF EXISTS communes;
CREATE TABLE communes AS
    SELECT code, name, level, parent_code, geom FROM units WHERE level = 'commune';
CREATE INDEX communes_geom ON communes USING gist (geom);
SELECT Populate_Geometry_Columns('communes'::regclass);

DROP TABLE IF EXISTS bands;
CREATE TABLE bands AS
    SELECT b.min_zoom, u.code, u.name, u.level, u.parent_code,
           ST_Multi(ST_SimplifyPreserveTopology(u.geom, 40075016.68557849 / (4096 * 2 ^ b.min_zoom)))::geometry(MultiPolygon, 3857) AS geom
    FROM units u
    JOIN (VALUES (0, 'province'), (5, 'province'), (5, 'district'), (7, 'district'), (7, 'commune'),
                 (9, 'commune'), (11, 'commune')) AS b(min_zoom, level) ON b.level = u.level;
CREATE INDEX bands_geom ON bands USING gist (geom);
CREATE INDEX bands_zoom_level ON bands (min_zoom, level);
ANALYZE communes;
ANALYZE bands;

CREATE OR REPLACE FUNCTION units_fn(z integer, x integer, y integer)
RETURNS bytea AS $$
    SELECT ST_AsMVT(t, 'units', 4096, 'geom')
    FROM (
        SELECT b.code, b.name, b.level, b.parent_code,
               ST_AsMVTGeom(b.geom, ST_TileEnvelope(z, x, y), 4096, 64, true) AS geom
        FROM bands b
        WHERE b.min_zoom = CASE WHEN z <= 4 THEN 0 WHEN z <= 6 THEN 5 WHEN z <= 8 THEN 7
                                 WHEN z <= 10 THEN 9 ELSE 11 END
          AND b.level = CASE WHEN z < 6 THEN 'province' WHEN z < 8 THEN 'district' ELSE 'commune' END
          AND b.geom && ST_TileEnvelope(z, x, y, margin => 64.0 / 4096)
    ) AS t
$$ LANGUAGE sql STABLE PARALLEL SAFE;
