// JSON from the server, memoised per URL (answers are cached by the browser with ETags too).
const memo = new Map();

/** GET `url` as JSON; rejects with the server's message on an error status. */
export function getJSON(url) {
  if (!memo.has(url)) {
    const p = fetch(url).then(async (r) => {
      if (!r.ok) {
        const body = await r.json().catch(() => ({}));
        throw new Error(`${r.status} ${body.message || r.statusText}: ${url}`);
      }
      return r.json();
    });
    p.catch(() => memo.delete(url));
    memo.set(url, p);
  }
  return memo.get(url);
}

/** GET `url` as JSON, or null when it fails (optional endpoints). */
export async function tryJSON(url) {
  try {
    return await getJSON(url);
  } catch {
    return null;
  }
}

/** A query string from an object, skipping empty values. */
export function qs(o) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}
