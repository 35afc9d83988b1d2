// Search keys that ignore Vietnamese diacritics, folded as the server's geodata::text::fold does:
// NFD, combining marks removed, đ → d, lowercase, runs of space collapsed. The search box asks
// the server (search.js); the unit index (units.js) keeps folded names.

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
