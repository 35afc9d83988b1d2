// Search keys that ignore Vietnamese diacritics, folded as the server's geodata::text::fold does:
// NFD, combining marks removed, đ → d, lowercase, runs of space collapsed.

/** The search key of `s`: "Hà Nội" and "ha  noi" both give "ha noi". */
export function fold(s) {
  return String(s)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Units matching `query` by folded name (every word of the query a prefix of a word of the
 * name, or the folded query contained in the name) or by code prefix, best first.
 * `units` is a list of {code, name, key, ...} where key = fold(name).
 */
export function search(units, query, limit = 10) {
  const q = fold(query);
  if (!q) return [];
  const words = q.split(' ');
  const scored = [];
  for (const u of units) {
    let score = -1;
    if (/^\d+$/.test(q) && u.code.startsWith(q)) score = u.code === q ? 100 : 50;
    else if (u.key === q) score = 90;
    else if (u.key.endsWith(' ' + q) || u.key.startsWith(q)) score = 80;
    else if (u.key.includes(q)) score = 60;
    else {
      const nameWords = u.key.split(' ');
      if (words.every((w) => nameWords.some((n) => n.startsWith(w)))) score = 40;
    }
    if (score >= 0) scored.push({ u, score: score - u.depth });
  }
  scored.sort((a, b) => b.score - a.score || a.u.name.localeCompare(b.u.name, 'vi'));
  return scored.slice(0, limit).map((s) => s.u);
}
