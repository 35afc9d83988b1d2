// The units of the boundary version on the map, from /api/v1/map/values?bbox=1 per level: their
// names, boxes and parents. Search, the selection's breadcrumb and the level switch read it.
import { fold } from './fold.js';

const DEPTH = { province: 0, district: 1, commune: 2 };

/**
 * The index of the units of one version from the values answers of its levels
 * ({level, codes, names, parents, bbox}): {version, units, byCode}. Each unit is
 * {code, name, key (folded name), level, depth, bbox, parentCode, parent (the parent's name)}.
 */
export function buildIndex(version, lists) {
  const units = [];
  for (const r of lists) {
    r.codes.forEach((code, i) => {
      const u = { code, name: r.names[i], key: fold(r.names[i]), level: r.level, depth: DEPTH[r.level] ?? 3, bbox: r.bbox?.[i] || null, parentCode: r.parents?.[i] || '', parent: '' };
      units.push(u);
    });
  }
  // Codes differ in length by level (2, 3 and 5 digits), so one map holds every level. A
  // vn-2025 commune's parent is its province: the district level is gone.
  const byCode = new Map(units.map((u) => [u.code, u]));
  for (const u of units) u.parent = byCode.get(u.parentCode)?.name || '';
  return { version, units, byCode };
}

/** The unit `code` and its ancestors, the province first ([] when unknown). */
export function chain(index, code) {
  const out = [];
  const seen = new Set();
  let u = index?.byCode.get(code);
  while (u && !seen.has(u.code)) {
    seen.add(u.code);
    out.unshift(u);
    u = u.parentCode ? index.byCode.get(u.parentCode) : null;
  }
  return out;
}

/** The province of unit `code` (itself for a province), or null. */
export function provinceOf(index, code) {
  return chain(index, code).find((u) => u.level === 'province') || null;
}
