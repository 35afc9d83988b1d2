// The targets page's words, colours and rows (/targets, `/api/v1/targets/{id}`): pure functions
// of the API's answers, so node --test covers them without a browser. A status is a colour and
// a word that mean one thing each; `uncertain` (the value's 95 % interval straddles the target)
// is hatched grey, never a colour of success or failure; `not_judged` (a modelled target: the
// projection's fitted TFR or life expectancy, which has no interval) is the pale purple of
// computed figures, never a standing.
import { periodWords } from './layout.js';

/** Status → fill colour (ColorBrewer's colour-blind-safe blue and orange, greys). */
export const STATUS_COLOURS = {
  on_track: '#2166ac',
  off_track: '#e08214',
  uncertain: '#bdbdbd',
  not_judged: '#cbc9e2',
  no_data: '#f0f0f0',
};

/** The statuses in the legend's order. */
export const STATUSES = ['on_track', 'off_track', 'uncertain', 'not_judged', 'no_data'];

const WORDS = {
  vi: {
    title: 'Mục tiêu Chiến lược Dân số đến năm 2030',
    target: 'Mục tiêu',
    status: {
      on_track: 'Đúng hướng đạt mục tiêu',
      off_track: 'Chưa đúng hướng',
      uncertain: 'Chưa đủ số liệu để kết luận',
      not_judged: 'Ước tính của mô hình, không đánh giá',
      no_data: 'Không có số liệu',
    },
    statusNote: {
      uncertain: 'khoảng tin cậy 95% của giá trị hiện nay chứa mức mục tiêu: số sinh còn ít, chưa thể nói là đạt hay không',
    },
    method: {
      projection: 'theo dự báo dân số (phương án trung bình)',
      trend: 'theo xu hướng của {n} quý',
      latest: 'giữ mức hiện nay (chưa có xu hướng rõ)',
      modelled: 'mô hình dự báo dân số ước tính, không phải số liệu báo cáo',
    },
    modelledNote: 'Giá trị do mô hình dự báo dân số ước tính từ số sinh, số chết đã công bố của kỳ gốc ({base}), theo cơ cấu sinh theo tuổi và bảng sống chuẩn giả định; không phải số liệu báo cáo. Không đánh giá đạt hay chưa đạt: ước tính này không có khoảng tin cậy, vì sai số của các giả định không đo được. Cả nước: bình quân các tỉnh, thành phố theo số phụ nữ 15–49 tuổi (tổng tỷ suất sinh) hoặc theo số sinh (tuổi thọ).',
    cols: ['Tỉnh, thành phố', 'Hiện nay', 'Khoảng tin cậy 95%', 'Ước tính năm {y}', 'Cách ước tính', 'Đánh giá'],
    modelledNow: 'Ước tính của mô hình',
    country: 'Cả nước',
    now12: '12 tháng gần nhất ({from} – {to})',
    nowAt: '{to}',
    national: 'Mục tiêu của cả nước; các tỉnh, thành phố được so với mục tiêu này để tham khảo.',
    wholeCountry: 'Mục tiêu là tổng của cả nước, không so từng tỉnh: bản đồ tô cả nước một màu theo đánh giá chung.',
    unmeasured: 'Chưa theo dõi được trên bản đồ',
    source: 'Nguồn',
    synthetic: 'Số liệu minh họa (tổng hợp), không phải số liệu thật.',
    legend: 'Chú giải',
    back: 'Mở bản đồ',
    loading: 'Đang tải…',
    failed: 'Không tải được mục tiêu',
    mapLabel: 'Bản đồ các tỉnh, thành phố theo đánh giá so với mục tiêu',
    units: '{n} tỉnh, thành phố',
  },
  en: {
    title: 'Targets of the Population Strategy to 2030',
    target: 'Target',
    status: {
      on_track: 'On track',
      off_track: 'Off track',
      uncertain: 'Too few numbers to tell',
      not_judged: 'Model estimate, not judged',
      no_data: 'No data',
    },
    statusNote: {
      uncertain: "the 95 % interval of today's value contains the target: too few births to tell either way",
    },
    method: {
      projection: 'by the population projection (medium variant)',
      trend: 'by the trend of {n} quarters',
      latest: "holding today's value (no clear trend)",
      modelled: 'estimated by the population projection model, not reported',
    },
    modelledNote: 'Values estimated by the population projection model from the births and deaths published for the base period ({base}), on an assumed fertility-by-age schedule and standard life tables; not reported figures. Not judged on or off track: the estimate has no confidence interval, because the error of the assumptions is not measured. Country: the provinces averaged by their women aged 15–49 (fertility) or their births (life expectancy).',
    cols: ['Province', 'Now', '95 % interval', 'Estimate for {y}', 'How estimated', 'Standing'],
    modelledNow: 'Model estimate',
    country: 'Viet Nam',
    now12: 'last 12 months ({from} – {to})',
    nowAt: '{to}',
    national: 'A national target; provinces are compared with it as a reference.',
    wholeCountry: 'A national total, not compared province by province: the map colours the whole country by its one standing.',
    unmeasured: 'Not tracked on the map',
    source: 'Source',
    synthetic: 'Illustrative (synthetic) data, not real figures.',
    legend: 'Legend',
    back: 'Open the map',
    loading: 'Loading…',
    failed: 'Could not load the targets',
    mapLabel: 'Map of the provinces by their standing against the target',
    units: '{n} provinces',
  },
};

/** The page's words in `lang` ('vi' or 'en'). */
export function words(lang) {
  return WORDS[lang === 'en' ? 'en' : 'vi'];
}

const fill = (s, vars) => s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));

/** Digits worth showing for a target's values: counts none, rates below 10 (TFR) two, other
 * ratios one. */
export function digits(target) {
  const v = Math.abs(target.value);
  return v >= 1000 ? 0 : v < 10 ? 2 : 1;
}

/** The note of a modelled target (`target.modelled`), naming the base period of `report`. */
export function modelledNote(report, lang) {
  return fill(words(lang).modelledNote, { base: report?.now_to ? periodWords(report.now_to, lang) : '—' });
}

/** `v` with exactly `d` decimals in `lang` ("111,0", "1.234"); "—" when missing. */
export function fixed(lang, v, d) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString(lang === 'en' ? 'en-GB' : 'vi-VN', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** "Now" in words: the last twelve months of a flow, or the period of a stock. */
export function nowWords(report, lang) {
  const W = words(lang);
  if (!report.now_to) return '—';
  const to = periodWords(report.now_to, lang);
  if (report.now_from && report.now_from !== report.now_to) {
    return fill(W.now12, { from: periodWords(report.now_from, lang), to });
  }
  return fill(W.nowAt, { to });
}

/** The table's column headings for `target` in `lang`: a modelled target's value is a model
 * estimate for its base period, never headed "now" as if it were reported. */
export function columns(target, lang) {
  const W = words(lang);
  const cols = W.cols.map((c) => c.replace('{y}', target.year));
  if (target.modelled) cols[1] = W.modelledNow;
  return cols;
}

/** One item's table cells, formatted for `lang`. */
export function row(item, report, lang) {
  const W = words(lang);
  const d = digits(report.target);
  const interval = item.low != null && item.high != null ? `${fixed(lang, item.low, d)} – ${fixed(lang, item.high, d)}` : '—';
  const method = item.method ? fill(W.method[item.method], { n: item.trend_points }) : '—';
  return {
    code: item.code,
    name: item.code === 'VN' ? W.country : item.name,
    now: fixed(lang, item.value, d),
    interval,
    estimate: fixed(lang, item.estimate, d),
    method,
    status: item.status,
    statusWords: W.status[item.status] || item.status,
  };
}

/** The provinces' rows: the worst standing first (off track, uncertain, on track), then by name. */
export function sortedItems(items) {
  const order = { off_track: 0, uncertain: 1, on_track: 2, not_judged: 3, no_data: 4 };
  return [...items].sort((a, b) => (order[a.status] - order[b.status]) || a.name.localeCompare(b.name, 'vi'));
}

/** The fill colour expression of the province layer: each code's status colour. */
export function statusFill(items) {
  const expr = ['match', ['get', 'code']];
  for (const it of items) expr.push(it.code, STATUS_COLOURS[it.status] || STATUS_COLOURS.no_data);
  expr.push(STATUS_COLOURS.no_data);
  return items.length ? expr : STATUS_COLOURS.no_data;
}

/** ColorBrewer's Purples (5): a modelled target's values, lightest lowest (the purple of
 * computed figures; no colour of success or failure). */
export const MODELLED_COLOURS = ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'];

/**
 * A modelled target's map classes: the provinces' values in up to five classes of about equal
 * count (quantiles; tied values kept in one class), each [{lo, hi, n, colour}], lowest first.
 */
export function valueClasses(items) {
  const vals = items.map((i) => i.value).filter(Number.isFinite).sort((a, b) => a - b);
  const distinct = [...new Set(vals)];
  const k = Math.min(MODELLED_COLOURS.length, distinct.length);
  const classes = [];
  let from = 0; // the index in `distinct` of the next class's lowest value
  for (let c = 0; c < k; c++) {
    // The quantile's value, lowered when the classes after it need more distinct values.
    const q = distinct.indexOf(vals[Math.ceil(((c + 1) * vals.length) / k) - 1]);
    const to = Math.max(from, Math.min(q, distinct.length - (k - c)));
    const [lo, hi] = [distinct[from], distinct[to]];
    classes.push({ lo, hi, n: vals.filter((v) => v >= lo && v <= hi).length });
    from = to + 1;
  }
  const step = classes.length > 1 ? (MODELLED_COLOURS.length - 1) / (classes.length - 1) : 0;
  return classes.map((c, i) => ({ ...c, colour: MODELLED_COLOURS[Math.round(i * step)] }));
}

/** The fill expression of a modelled target: each code's class colour (no_data without one). */
export function valueFill(items, classes) {
  const expr = ['match', ['get', 'code']];
  for (const it of items) {
    const c = Number.isFinite(it.value) ? classes.find((k) => it.value <= k.hi) : null;
    expr.push(it.code, c ? c.colour : STATUS_COLOURS.no_data);
  }
  expr.push(STATUS_COLOURS.no_data);
  return items.length ? expr : STATUS_COLOURS.no_data;
}

/** The codes whose value cannot be told from the target (hatched on the map). */
export function uncertainCodes(items) {
  return items.filter((i) => i.status === 'uncertain').map((i) => i.code);
}

/** The target in words, as the Strategy says it. */
export function targetLine(target, lang) {
  return lang === 'en' ? target.text_en : target.text_vi;
}

/** The target's short name for the picker: its first clause ("Tỷ số giới tính khi sinh dưới
 * 109 bé trai/100 bé gái sinh ra sống"), without popmap's reading in brackets. */
export function targetShort(target, lang) {
  return targetLine(target, lang).replace(/\s*\(.*\)\s*/, ' ').replace(/[.:].*$/, '').trim();
}
