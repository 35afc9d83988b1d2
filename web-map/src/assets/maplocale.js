// MapLibre's own UI texts (the canvas's name, zoom buttons, popup close, attribution toggle…)
// in the UI language: the Map's `locale` option at creation, and, when the language switches
// (main.js sets <html lang>), the same texts on the controls already drawn.
import { t } from './i18n.js';

// MapLibre's locale keys (maplibre-gl/src/ui/default_locale.ts) → our i18n keys.
const KEYS = {
  'AttributionControl.ToggleAttribution': 'mlAttrib',
  'AttributionControl.MapFeedback': 'mlFeedback',
  'FullscreenControl.Enter': 'mlFsEnter',
  'FullscreenControl.Exit': 'mlFsExit',
  'GeolocateControl.FindMyLocation': 'mlLocate',
  'GeolocateControl.LocationNotAvailable': 'mlNoLocation',
  'LogoControl.Title': 'mlLogo',
  'Map.Title': 'mlMap',
  'Marker.Title': 'mlMarker',
  'NavigationControl.ResetBearing': 'mlBearing',
  'NavigationControl.ZoomIn': 'mlZoomIn',
  'NavigationControl.ZoomOut': 'mlZoomOut',
  'Popup.Close': 'mlClose',
  'GlobeControl.Enable': 'mlGlobeOn',
  'GlobeControl.Disable': 'mlGlobeOff',
  'TerrainControl.Enable': 'mlTerrainOn',
  'TerrainControl.Disable': 'mlTerrainOff',
  'CooperativeGesturesHandler.WindowsHelpText': 'mlCtrlScroll',
  'CooperativeGesturesHandler.MacHelpText': 'mlCmdScroll',
  'CooperativeGesturesHandler.MobileHelpText': 'mlTwoFingers',
};

/** The Map `locale` option for `lang` (every UI string MapLibre has). */
export function mapLocale(lang) {
  return Object.fromEntries(Object.entries(KEYS).map(([k, ours]) => [k, t(lang, ours)]));
}

// The controls MapLibre labels once when drawn: selector → locale key.
const DRAWN = [
  ['.maplibregl-ctrl-zoom-in', 'NavigationControl.ZoomIn'],
  ['.maplibregl-ctrl-zoom-out', 'NavigationControl.ZoomOut'],
  ['.maplibregl-ctrl-compass', 'NavigationControl.ResetBearing'],
  ['.maplibregl-ctrl-attrib-button', 'AttributionControl.ToggleAttribution'],
  ['.maplibregl-popup-close-button', 'Popup.Close'],
  ['.maplibregl-ctrl-fullscreen', 'FullscreenControl.Enter'],
  ['.maplibregl-ctrl-geolocate', 'GeolocateControl.FindMyLocation'],
];

/** Puts `lang`'s texts on `map` (for what it draws next) and on the controls already drawn. */
export function relabelMap(map, lang) {
  const texts = mapLocale(lang);
  // MapLibre reads its texts from `_locale` (no public setter in 5.x/6.x).
  map._locale = { ...map._locale, ...texts };
  const root = map.getContainer();
  for (const [sel, key] of DRAWN) {
    for (const el of root.querySelectorAll(sel)) {
      el.title = texts[key];
      el.setAttribute('aria-label', texts[key]);
    }
  }
  map.getCanvas().setAttribute('aria-label', texts['Map.Title']);
}

/** Relabels `map` whenever <html lang> changes (main.js sets it with the language). */
export function followLanguage(map, onChange = () => {}) {
  const apply = () => {
    const lang = document.documentElement.lang === 'en' ? 'en' : 'vi';
    relabelMap(map, lang);
    onChange(lang);
  };
  new MutationObserver(apply).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  apply();
  return apply;
}
