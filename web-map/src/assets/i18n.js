// The interface in Vietnamese and English.
const STRINGS = {
  vi: {
    title: 'Bản đồ dân số điện tử',
    synthetic: 'Dữ liệu minh hoạ tổng hợp (không phải số liệu chính thức); mã và tên đơn vị là thật.',
    indicator: 'Chỉ tiêu', period: 'Kỳ', level: 'Cấp', method: 'Phân lớp', classes: 'Số lớp',
    auto: 'Tự động theo mức thu phóng', province: 'Tỉnh', district: 'Huyện', commune: 'Xã', h3: 'Lưới lục giác H3',
    quantile: 'Phân vị', equal_interval: 'Khoảng đều', jenks: 'Ngắt tự nhiên (Jenks)', fixed: 'Ngưỡng cố định',
    compare: 'So sánh với kỳ', none: '— không —', change: 'Thay đổi so với', play: 'Chạy', pause: 'Dừng',
    search: 'Tìm theo tên hoặc mã…', noData: 'Không có số liệu', units: 'đơn vị', legend: 'Chú giải',
    embed: 'Nhúng', png: 'Tải PNG', csv: 'Tải CSV', geojson: 'Tải GeoJSON', close: 'Đóng',
    rank: 'Xếp hạng trong đơn vị cấp trên', rankNational: 'Xếp hạng toàn quốc', series: 'Chuỗi thời gian', source: 'Nguồn: popmap',
    lockInd: 'Khoá chỉ tiêu', lockPeriod: 'Khoá kỳ', lockLevel: 'Khoá cấp', hideControls: 'Ẩn bảng điều khiển',
    frameView: 'Giữ khung nhìn hiện tại', embedCode: 'Mã nhúng', preview: 'Xem trước', openFull: 'Mở bản đồ đầy đủ',
    versionDiffers: 'Hai kỳ thuộc hai bộ ranh giới khác nhau và chưa có bảng chuyển đổi: không so sánh được.', normal: 'vùng bình thường',
    h3Missing: 'Lớp H3 chưa có trên máy chủ này.', language: 'English',
    seriesView: 'Cách xem chuỗi', viewAsReported: 'Như báo cáo', viewHarmonised: 'Ranh giới mới', viewH3: 'Lưới H3',
    onVersion: 'quy đổi về ranh giới', onto: 'quy đổi về', cells: 'ô', estimated: 'ước tính', boundaryChange: 'đổi ranh giới',
    noSeries: 'Không có chuỗi số liệu ở cách xem này.',
    boundaries: 'Ranh giới', ownBoundaries: 'Của kỳ (như báo cáo)', since: 'từ',
    country: 'Việt Nam', whereAmI: 'Đơn vị đang chọn', clearSelection: 'Bỏ chọn đơn vị', valueLabels: 'Nhãn giá trị',
    revision: 'bản sửa',
  },
  en: {
    title: 'Electronic population map',
    synthetic: 'Synthetic demo values (not official statistics); unit codes and names are real.',
    indicator: 'Indicator', period: 'Period', level: 'Level', method: 'Classes by', classes: 'Classes',
    auto: 'Automatic by zoom', province: 'Province', district: 'District', commune: 'Commune', h3: 'H3 hexagons',
    quantile: 'Quantiles', equal_interval: 'Equal intervals', jenks: 'Natural breaks (Jenks)', fixed: 'Fixed breaks',
    compare: 'Compare with', none: '— none —', change: 'Change since', play: 'Play', pause: 'Pause',
    search: 'Search by name or code…', noData: 'No data', units: 'units', legend: 'Legend',
    embed: 'Embed', png: 'Download PNG', csv: 'Download CSV', geojson: 'Download GeoJSON', close: 'Close',
    rank: 'Rank within parent', rankNational: 'Rank nationally', series: 'Time series', source: 'Source: popmap',
    lockInd: 'Lock indicator', lockPeriod: 'Lock period', lockLevel: 'Lock level', hideControls: 'Hide controls',
    frameView: 'Frame the current view', embedCode: 'Embed code', preview: 'Preview', openFull: 'Open the full map',
    versionDiffers: 'The two periods use different boundary versions and no crosswalk links them: no comparison.', normal: 'normal band',
    h3Missing: 'The H3 layer is not available on this server.', language: 'Tiếng Việt',
    seriesView: 'Series view', viewAsReported: 'As reported', viewHarmonised: 'Current boundaries', viewH3: 'H3 grid',
    onVersion: 'on boundaries', onto: 'on', cells: 'cells', estimated: 'estimated', boundaryChange: 'boundary change',
    noSeries: 'No series in this view.',
    boundaries: 'Boundaries', ownBoundaries: "The period's own (as reported)", since: 'from',
    country: 'Vietnam', whereAmI: 'Selected area', clearSelection: 'Clear the selection', valueLabels: 'Value labels',
    revision: 'revision',
  },
};

/** The string `key` in `lang` (English when missing). */
export function t(lang, key) {
  return (STRINGS[lang] || STRINGS.en)[key] ?? STRINGS.en[key] ?? key;
}

/** A number formatted for `lang`. */
export function num(lang, v, digits = 2) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits });
}
