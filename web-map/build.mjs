// Builds the web map into dist/: our pages and ES modules as they are, plus MapLibre GL JS
// (module build and its worker) and its stylesheet from node_modules. No bundler is needed:
// browsers load ES modules natively and MapLibre finds its worker next to its own module.
import { cpSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
const vendor = join(here, 'node_modules', 'maplibre-gl', 'dist');
if (!existsSync(join(vendor, 'maplibre-gl.mjs'))) {
  console.error('web-map/build.mjs: maplibre-gl is not installed: run `npm ci` in web-map/');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets', 'vendor'), { recursive: true });
cpSync(join(here, 'src'), out, { recursive: true });
for (const f of ['maplibre-gl.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl.css']) {
  cpSync(join(vendor, f), join(out, 'assets', 'vendor', f));
}
// jsPDF's self-contained UMD build (the ES build imports further packages) for the PDF export.
cpSync(join(here, 'node_modules', 'jspdf', 'dist', 'jspdf.umd.min.js'), join(out, 'assets', 'vendor', 'jspdf.umd.min.js'));
// Noto Sans (OFL-1.1, full Vietnamese coverage): the server makes map glyphs from these and the
// PDF export embeds them. Same files as the npm package ships, renamed by style.
const noto = join(here, 'node_modules', '@expo-google-fonts', 'noto-sans');
mkdirSync(join(out, 'fonts'), { recursive: true });
for (const [dir, name] of [['400Regular', 'Regular'], ['700Bold', 'Bold'], ['400Regular_Italic', 'Italic']]) {
  const file = `NotoSans_${dir}.ttf`;
  cpSync(join(noto, dir, file), join(out, 'fonts', `NotoSans-${name}.ttf`));
}
cpSync(join(noto, 'LICENSE_FONT'), join(out, 'fonts', 'OFL.txt'));
console.log(`web-map: built ${out}`);
