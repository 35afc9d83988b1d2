// Screen-reader announcements: a visually hidden polite status region.

/** A new hidden polite live region with id `id` (not yet in the page). */
export function liveRegion(id) {
  const el = document.createElement('div');
  el.id = id;
  el.className = 'sr-only';
  el.setAttribute('role', 'status');
  el.setAttribute('aria-live', 'polite');
  return el;
}
