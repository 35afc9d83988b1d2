// JSON from the server, memoised per URL (answers are cached by the browser with ETags too).
// A failed answer becomes an ApiError carrying what the page may act on ({status, code,
// parameter}); its message is the UI-language text of i18n's errorText, never the server's
// own message (which is English developer text: "run `popmap crosswalk build`…").
import { errorText } from './i18n.js';

const memo = new Map();

/** The UI language of the page (the map sets <html lang>). */
const pageLang = () => (typeof document !== 'undefined' && document.documentElement.lang === 'en' ? 'en' : 'vi');

/** An error answer of the server: HTTP `status`, the JSON `error` code and `details.parameter`. */
export class ApiError extends Error {
  constructor(status, code, parameter, url) {
    const info = { status, code, parameter };
    super(errorText(pageLang(), info));
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.parameter = parameter;
    this.url = url;
  }
}

/** GET `url` as JSON; rejects with an ApiError on an error status (or status 0 offline). */
export function getJSON(url) {
  if (!memo.has(url)) {
    const p = fetch(url)
      .catch(() => {
        throw new ApiError(0, 'network', null, url);
      })
      .then(async (r) => {
        if (!r.ok) {
          const body = await r.json().catch(() => ({}));
          throw new ApiError(r.status, body.error || null, body.details?.parameter || null, url);
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
