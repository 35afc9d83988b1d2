// The interface in Vietnamese and English.
const STRINGS = {
  vi: {
    title: 'Bản đồ dân số điện tử',
    synthetic: 'Dữ liệu minh hoạ tổng hợp (không phải số liệu chính thức); mã và tên đơn vị là thật.',
    incomplete: '{p} chưa đủ số liệu: một số xã chưa báo cáo, nên số của tỉnh và cả nước thấp hơn thực tế.',
    indicator: 'Chỉ tiêu', period: 'Kỳ', level: 'Cấp', method: 'Phân lớp', classes: 'Số lớp',
    auto: 'Tự động theo mức thu phóng', province: 'Tỉnh', district: 'Huyện', commune: 'Xã', h3: 'Lưới lục giác H3',
    quantile: 'Phân vị', equal_interval: 'Khoảng đều', jenks: 'Ngắt tự nhiên (Jenks)', fixed: 'Ngưỡng cố định',
    compare: 'So sánh với kỳ', none: '— không —', change: 'Thay đổi so với', play: 'Chạy', pause: 'Dừng',
    search: 'Tìm theo tên hoặc mã…', noData: 'Không có số liệu', units: 'đơn vị', legend: 'Chú giải',
    embed: 'Nhúng', png: 'Tải PNG', close: 'Đóng', byDefault: 'Mặc định',
    targetsLink: 'Mục tiêu dân số 2030',
    dlMenu: 'Tải số liệu', dlCSV: 'CSV (mở được bằng Excel)', dlXLSX: 'Excel (.xlsx)', dlGeoJSON: 'GeoJSON (ranh giới đầy đủ)', dlWhat: 'Mọi đơn vị cấp {level}, mọi chỉ tiêu công khai, {period}', dlScope: 'Phạm vi', dlAll: 'Cả nước', dlWithin: 'Chỉ trong {name}', dlHarmonised: 'Số liệu được quy đổi sang ranh giới đang hiển thị trên bản đồ; tệp ghi rõ điều này.', dlDocs: 'Tài liệu API (tải bằng chương trình)', dlH3: 'Lưới lục giác H3 không có tệp tải về đầy đủ: chọn một cấp hành chính để tải số liệu của mọi đơn vị.', dlCells: 'CSV các ô đang hiển thị',
    rank: 'Xếp hạng trong đơn vị cấp trên', rankNational: 'Xếp hạng toàn quốc', series: 'Chuỗi thời gian', source: 'Nguồn: popmap',
    lockInd: 'Khoá chỉ tiêu', lockPeriod: 'Khoá kỳ', lockLevel: 'Khoá cấp', hideControls: 'Ẩn bảng điều khiển',
    frameView: 'Giữ khung nhìn hiện tại', embedCode: 'Mã nhúng', preview: 'Xem trước', openFull: 'Mở bản đồ đầy đủ',
    embedTitle: 'Nhúng bản đồ vào trang khác', frameLegend: 'Khung', frameAll: 'Toàn quốc', frameSel: 'Đơn vị đang chọn', frameCode: 'Nhập mã', frameCodeLabel: 'Mã đơn vị', frameArea: 'Khung', searchArea: 'Chỉ tìm trong khung', optionsLegend: 'Tuỳ chọn', sizeLegend: 'Kích thước', sizeFluid: 'Co giãn theo trang (rộng 100 %)', aspect: 'Tỉ lệ khung', sizeFixed: 'Cố định', widthPx: 'Rộng (px)', heightPx: 'Cao (px)', embedURL: 'Địa chỉ nhúng (có thể sửa)', copy: 'Chép mã nhúng', copied: 'Đã chép mã nhúng vào bộ nhớ tạm.', copyFailed: 'Không chép được: hãy chọn mã và chép bằng tay.', embedErrorTitle: 'Bản đồ nhúng có tham số sai', embedErrorHint: 'Bản đồ không được vẽ để tránh hiển thị sai chỉ tiêu. Hãy sửa địa chỉ nhúng hoặc tạo lại mã từ nút «Nhúng» của bản đồ đầy đủ.', badInd: 'Chỉ tiêu «ind={value}» không có. Các chỉ tiêu có: {list}.', badPeriod: 'Kỳ «period={value}» không có số liệu. Các kỳ có số liệu: {list}.', badArea: 'Không có đơn vị mã «area={value}» trong {version} (ranh giới của kỳ đang xem). Hãy dùng mã tỉnh hoặc xã của ranh giới này.', framedTitle: 'Trang này không dùng để nhúng', framedText: 'Bản đồ đầy đủ không hiển thị bên trong trang khác. Để đưa bản đồ vào cổng thông tin, hãy dùng địa chỉ nhúng dưới đây (hoặc nút «Nhúng» của bản đồ để lấy mã iframe):', legendToggle: 'Ẩn/hiện chú giải',
    versionDiffers: 'Hai kỳ thuộc hai bộ ranh giới khác nhau và chưa có bảng chuyển đổi: không so sánh được.', normal: 'vùng bình thường',
    h3Missing: 'Lớp H3 chưa có trên máy chủ này.', language: 'English',
    seriesView: 'Cách xem chuỗi', viewAsReported: 'Như báo cáo', viewHarmonised: 'Ranh giới trên bản đồ', viewH3: 'Lưới H3',
    onVersion: 'quy đổi về ranh giới', onto: 'quy đổi về', cells: 'ô', estimated: 'ước tính', boundaryChange: 'đổi ranh giới',
    noSeries: 'Không có chuỗi số liệu ở cách xem này.',
    pyramid: 'Tháp dân số', ageRows: 'Chỉ tiêu cơ cấu tuổi ({n})', pyrMales: 'Nam', pyrFemales: 'Nữ', pyrAge: 'Nhóm tuổi', pyrCounts: 'Số người', pyrShares: 'Tỷ lệ %',
    pyrShow: 'Cách hiển thị tháp', pyrOutline: 'Đường viền: {name}', pyrCompare: 'Khung đen: {period}', pyrNone: 'Kỳ này không có số liệu theo tuổi.',
    pyrElsewhere: '{period} có số liệu theo tuổi.', pyrShowIt: 'Xem tháp {period}', pyrTable: 'Bảng tháp dân số {name}, {period}',
    pyrOf: 'Tháp dân số {name}, {period}: nam {males}, nữ {females}', pyrTotal: 'Tổng',
    pyrCellHidden: 'Ô này có ít người: không công bố cơ cấu tuổi và giới tính.', pyrCellName: 'ô lục giác cấp {res}',
    pyrCellParent: 'Tháp dân số của ô lục giác cấp {res} chứa ô này (số theo tuổi không công bố cho ô nhỏ hơn).',
    boundaries: 'Ranh giới', ownBoundaries: 'Của kỳ (như báo cáo)', since: 'từ',
    country: 'Việt Nam', whereAmI: 'Đơn vị đang chọn', clearSelection: 'Bỏ chọn đơn vị', valueLabels: 'Nhãn giá trị',
    revision: 'bản sửa',
    searchLabel: 'Tìm đơn vị hành chính theo tên hoặc mã', searchResults: 'Kết quả tìm kiếm', searchNone: 'Không tìm thấy “{q}”', searchCount: '{n} kết quả; dùng phím mũi tên lên, xuống để chọn và Enter để mở', nowPartOf: 'nay thuộc', searchElsewhere: '{name} không có trên ranh giới đang hiển thị.',
    // Timeline, change maps and series (issue 15, engineer C).
    gMonth: 'Tháng', gQuarter: 'Quý', gYear: 'Năm', gProjection: 'Dự báo', variant: 'Phương án', variant_low: 'Thấp', variant_medium: 'Trung bình', variant_high: 'Cao',
    projBadge: '{p}: số liệu tính toán, không phải số liệu báo cáo.', projBreak: 'Dự báo', granularity: 'Độ dài kỳ', loop: 'Lặp lại', speed: 'Tốc độ',
    measure: 'Cách đo thay đổi', measureAbs: 'Tuyệt đối', measurePp: 'Tuyệt đối (điểm %)', measurePct: '%',
    changeFrom: 'thay đổi từ', changeTo: 'đến', neutralBand: 'coi như không đổi', allValues: 'mọi giá trị',
    thisPeriodOnly: 'Chỉ kỳ này', sameBreaks: 'Cùng ngưỡng cho', periodsWord: 'kỳ',
    cmpRefused: 'Chỉ so sánh được hai kỳ cùng độ dài (tháng với tháng, quý với quý, năm với năm).',
    boundaryMarker: 'Sắp xếp lại', seriesOf: 'Diễn biến',
    // Small numbers, explanations, H3 and errors (issue 15, engineer D).
    unstable: 'Số liệu nhỏ, không ổn định', unstableMark: '⚠ số nhỏ — không ổn định',
    unstableWhy: 'Giá trị tính từ quá ít trường hợp (ví dụ vài chục ca sinh): chênh lệch có thể do ngẫu nhiên, không nên so sánh.',
    unstableFiner: 'Số liệu theo {what} dựa trên số nhỏ: nhiều giá trị không ổn định.',
    finer_commune: 'xã', finer_district: 'huyện', finer_h3: 'ô lục giác H3', finerMonth: 'tháng', finerQuarter: 'quý', finerAnd: '/',
    national: 'Toàn quốc', suppressed: 'Ô có ít người: chỉ hiện tổng số dân', cellOf: 'Ô lục giác', cellRes: 'độ phân giải',
    explain: 'Giải thích chỉ tiêu', explainLink: 'Chỉ tiêu này là gì? Định nghĩa, công thức, nguồn', definition: 'Định nghĩa', formula: 'Công thức',
    unitWord: 'Đơn vị', sourceWord: 'Nguồn', caveats: 'Lưu ý', noAbout: 'Chưa có giải thích cho chỉ tiêu này.',
    communesOfCell: 'Lấy từ các xã',
    fixedBv: 'Không có bảng chuyển đổi sang ranh giới đã chọn: bản đồ hiện theo ranh giới của kỳ.',
    fixedMethod: 'Cách phân lớp đã chọn không dùng được cho chỉ tiêu này: dùng cách mặc định.',
    fixedK: 'Số lớp phải từ {min} đến {max}: dùng số lớp mặc định.',
    fixedLevel: 'Cấp đã chọn không có ở kỳ này: bản đồ tự chọn cấp theo mức thu phóng.',
    fixedAges: 'Chỉ tiêu theo nhóm tuổi chỉ có ở kỳ báo cáo năm: bản đồ chuyển sang {p}.',
    errBadRequest: 'Máy chủ không phục vụ được lựa chọn này. Hãy chọn lại.',
    errNotFound: 'Không có số liệu cho lựa chọn này.',
    errTooMany: 'Máy chủ đang bận: thử lại sau ít giây.',
    errAccess: 'Số liệu này cần quyền truy cập.',
    errServer: 'Máy chủ gặp sự cố: thử lại sau.',
    errNetwork: 'Không kết nối được máy chủ.',
    errGeneric: 'Không tải được bản đồ.',
    errParam: { period: 'kỳ', base: 'kỳ so sánh', version: 'ranh giới', method: 'cách phân lớp', k: 'số lớp', level: 'cấp', indicator: 'chỉ tiêu', indicators: 'chỉ tiêu', cell: 'ô lưới' },
    errAbout: 'Lựa chọn không hợp lệ',
    // Keyboard and screen readers (issue 16, engineer A); ml* are MapLibre's own UI texts.
    mlMap: 'Bản đồ', mlZoomIn: 'Phóng to', mlZoomOut: 'Thu nhỏ', mlBearing: 'Kéo để xoay bản đồ, bấm để về hướng bắc', mlClose: 'Đóng thông tin', mlAttrib: 'Hiện/ẩn nguồn bản đồ', mlFeedback: 'Góp ý về bản đồ', mlFsEnter: 'Toàn màn hình', mlFsExit: 'Thoát toàn màn hình', mlLocate: 'Tìm vị trí của tôi', mlNoLocation: 'Không xác định được vị trí', mlLogo: 'Biểu trưng MapLibre', mlMarker: 'Điểm đánh dấu', mlGlobeOn: 'Bật chế độ quả cầu', mlGlobeOff: 'Tắt chế độ quả cầu', mlTerrainOn: 'Bật địa hình', mlTerrainOff: 'Tắt địa hình', mlCtrlScroll: 'Giữ Ctrl và cuộn để thu phóng bản đồ', mlCmdScroll: 'Giữ ⌘ và cuộn để thu phóng bản đồ', mlTwoFingers: 'Dùng hai ngón tay để di chuyển bản đồ',
    keysHint: 'Phím N / P: đơn vị kế tiếp / trước · Alt + mũi tên: đơn vị bên cạnh · Enter: xem số liệu · Esc: đóng · Mũi tên: di chuyển bản đồ · + / −: thu phóng', keySelected: 'Đã chọn {name}. Nhấn Enter để xem số liệu.', keyNoUnit: 'Không có đơn vị nào trong khung nhìn.', keyH3: 'Ở lưới lục giác H3, hãy chọn đơn vị bằng ô tìm kiếm hoặc bảng số liệu.', popupOf: 'Số liệu: {name}', skipToMap: 'Đến bản đồ (chọn đơn vị bằng bàn phím)', legendLive: 'Chú giải: {title}, {sub}, {n} lớp',
    sheetExpand: 'Mở rộng bảng điều khiển', sheetFull: 'Mở toàn bộ bảng điều khiển', sheetCollapse: 'Thu gọn bảng điều khiển',
    tableOpen: 'Bảng số liệu', tableName: 'Tên', tableParent: 'Thuộc', tableValue: 'Giá trị', tableChange: 'Thay đổi', tableClass: 'Lớp màu', tableRank: 'Hạng', tableFlags: 'Ghi chú', tableAll: 'Tất cả', tableFilter: 'Lọc theo đơn vị cấp trên', tableCountOf: '{n} trên {total} đơn vị', flagUnstable: 'không ổn định', flagNoData: 'không có số liệu', tableH3: 'Ở lưới lục giác H3, bảng chỉ liệt kê đơn vị hành chính (các tỉnh), không liệt kê từng ô; màu trên bản đồ là màu của ô.',
  },
  en: {
    title: 'Electronic population map',
    synthetic: 'Synthetic demo values (not official statistics); unit codes and names are real.',
    incomplete: '{p} is incomplete: some communes have not reported, so province and national totals are too low.',
    indicator: 'Indicator', period: 'Period', level: 'Level', method: 'Classes by', classes: 'Classes',
    auto: 'Automatic by zoom', province: 'Province', district: 'District', commune: 'Commune', h3: 'H3 hexagons',
    quantile: 'Quantiles', equal_interval: 'Equal intervals', jenks: 'Natural breaks (Jenks)', fixed: 'Fixed breaks',
    compare: 'Compare with', none: '— none —', change: 'Change since', play: 'Play', pause: 'Pause',
    search: 'Search by name or code…', noData: 'No data', units: 'units', legend: 'Legend',
    embed: 'Embed', png: 'Download PNG', close: 'Close', byDefault: 'Default',
    targetsLink: 'Population targets 2030',
    dlMenu: 'Download data', dlCSV: 'CSV (opens in Excel)', dlXLSX: 'Excel (.xlsx)', dlGeoJSON: 'GeoJSON (full boundaries)', dlWhat: 'Every {level} unit, every public indicator, {period}', dlScope: 'Scope', dlAll: 'The whole country', dlWithin: 'Only within {name}', dlHarmonised: 'Values harmonised onto the boundaries shown on the map; the file says so.', dlDocs: 'API documentation (downloads by program)', dlH3: 'The H3 grid has no complete file: choose an administrative level to download every unit.', dlCells: 'CSV of the cells in view',
    rank: 'Rank within parent', rankNational: 'Rank nationally', series: 'Time series', source: 'Source: popmap',
    lockInd: 'Lock indicator', lockPeriod: 'Lock period', lockLevel: 'Lock level', hideControls: 'Hide controls',
    frameView: 'Frame the current view', embedCode: 'Embed code', preview: 'Preview', openFull: 'Open the full map',
    embedTitle: 'Embed the map in another page', frameLegend: 'Frame', frameAll: 'Whole country', frameSel: 'Selected unit', frameCode: 'Type a code', frameCodeLabel: 'Unit code', frameArea: 'Frame', searchArea: 'Search only inside the frame', optionsLegend: 'Options', sizeLegend: 'Size', sizeFluid: 'Responsive (100 % wide)', aspect: 'Aspect ratio', sizeFixed: 'Fixed', widthPx: 'Width (px)', heightPx: 'Height (px)', embedURL: 'Embed address (editable)', copy: 'Copy embed code', copied: 'Embed code copied to the clipboard.', copyFailed: 'Could not copy: select the code and copy it by hand.', embedErrorTitle: 'The embedded map has wrong parameters', embedErrorHint: 'The map is not drawn, so that it cannot show the wrong indicator. Fix the embed address or make the code again with the full map\'s Embed button.', badInd: 'There is no indicator "ind={value}". Indicators: {list}.', badPeriod: 'There are no data for period "period={value}". Periods available: {list}.', badArea: 'There is no unit with code "area={value}" in the {version} (the boundaries of the period shown). Use a province or commune code of these boundaries.', framedTitle: 'This page is not for embedding', framedText: 'The full map does not show inside another page. To put the map in a portal, use the embed address below (or the map\'s Embed button for the iframe code):', legendToggle: 'Show/hide the legend',
    versionDiffers: 'The two periods use different boundary versions and no crosswalk links them: no comparison.', normal: 'normal band',
    h3Missing: 'The H3 layer is not available on this server.', language: 'Tiếng Việt',
    seriesView: 'Series view', viewAsReported: 'As reported', viewHarmonised: 'Map boundaries', viewH3: 'H3 grid',
    onVersion: 'on boundaries', onto: 'on', cells: 'cells', estimated: 'estimated', boundaryChange: 'boundary change',
    noSeries: 'No series in this view.',
    pyramid: 'Population pyramid', ageRows: 'Age structure indicators ({n})', pyrMales: 'Males', pyrFemales: 'Females', pyrAge: 'Age group', pyrCounts: 'People', pyrShares: 'Share %',
    pyrShow: 'Pyramid display', pyrOutline: 'Outline: {name}', pyrCompare: 'Black frame: {period}', pyrNone: 'This period has no figures by age.',
    pyrElsewhere: '{period} has figures by age.', pyrShowIt: 'Show the pyramid of {period}', pyrTable: 'Population pyramid table of {name}, {period}',
    pyrOf: 'Population pyramid of {name}, {period}: males {males}, females {females}', pyrTotal: 'Total',
    pyrCellHidden: 'Few people in this cell: its age and sex structure is not published.', pyrCellName: 'the resolution {res} hexagon',
    pyrCellParent: 'Pyramid of the resolution {res} hexagon containing this cell (figures by age are not published for smaller cells).',
    boundaries: 'Boundaries', ownBoundaries: "The period's own (as reported)", since: 'from',
    country: 'Vietnam', whereAmI: 'Selected area', clearSelection: 'Clear the selection', valueLabels: 'Value labels',
    revision: 'revision',
    searchLabel: 'Find an administrative unit by name or code', searchResults: 'Search results', searchNone: 'No unit matches “{q}”', searchCount: '{n} results; use the up and down arrow keys to choose and Enter to open', nowPartOf: 'now part of', searchElsewhere: '{name} is not on the boundaries shown.',
    // Timeline, change maps and series (issue 15, engineer C).
    gMonth: 'Month', gQuarter: 'Quarter', gYear: 'Year', gProjection: 'Projection', variant: 'Variant', variant_low: 'Low', variant_medium: 'Medium', variant_high: 'High',
    projBadge: '{p}: computed figures, not reported ones.', projBreak: 'Projection', granularity: 'Period length', loop: 'Loop', speed: 'Speed',
    measure: 'Change measure', measureAbs: 'Absolute', measurePp: 'Absolute (pp)', measurePct: '%',
    changeFrom: 'change from', changeTo: 'to', neutralBand: 'counts as no change', allValues: 'all values',
    thisPeriodOnly: 'This period only', sameBreaks: 'Same thresholds for', periodsWord: 'periods',
    cmpRefused: 'Only periods of the same length can be compared (month with month, quarter with quarter, year with year).',
    boundaryMarker: 'Reorganised', seriesOf: 'Over time',
    // Small numbers, explanations, H3 and errors (issue 15, engineer D).
    unstable: 'Small numbers, unstable', unstableMark: '⚠ small numbers — unstable',
    unstableWhy: 'Computed from too few cases (a few dozen births, say): differences may be chance and should not be compared.',
    unstableFiner: 'Data by {what} rest on small numbers: many values are unstable.',
    finer_commune: 'commune', finer_district: 'district', finer_h3: 'H3 cell', finerMonth: 'month', finerQuarter: 'quarter', finerAnd: '/',
    national: 'Vietnam', suppressed: 'Few people in this cell: total population only', cellOf: 'Hexagon', cellRes: 'resolution',
    explain: 'About this indicator', explainLink: 'What is this indicator? Definition, formula, source', definition: 'Definition', formula: 'Formula',
    unitWord: 'Unit', sourceWord: 'Source', caveats: 'Caveats', noAbout: 'No explanation for this indicator yet.',
    communesOfCell: 'Drawn from the communes',
    fixedBv: 'No crosswalk leads to the chosen boundaries: the map shows the period on its own boundaries.',
    fixedMethod: 'The chosen classification is not available for this indicator: using the default.',
    fixedK: 'The number of classes must be {min} to {max}: using the default.',
    fixedLevel: 'The chosen level does not exist in this period: the level follows the zoom.',
    fixedAges: 'Indicators of age groups exist only in the annual report\'s periods: the map moves to {p}.',
    errBadRequest: 'The server cannot serve this choice. Please choose again.',
    errNotFound: 'No data for this choice.',
    errTooMany: 'The server is busy: try again in a few seconds.',
    errAccess: 'These data need an access key.',
    errServer: 'The server had a problem: try again later.',
    errNetwork: 'The server cannot be reached.',
    errGeneric: 'The map could not be loaded.',
    errParam: { period: 'period', base: 'comparison period', version: 'boundaries', method: 'classification', k: 'number of classes', level: 'level', indicator: 'indicator', indicators: 'indicator', cell: 'grid cell' },
    errAbout: 'Invalid choice',
    // Keyboard and screen readers (issue 16, engineer A); ml* are MapLibre's own UI texts.
    mlMap: 'Map', mlZoomIn: 'Zoom in', mlZoomOut: 'Zoom out', mlBearing: 'Drag to rotate map, click to reset north', mlClose: 'Close popup', mlAttrib: 'Toggle attribution', mlFeedback: 'Map feedback', mlFsEnter: 'Enter fullscreen', mlFsExit: 'Exit fullscreen', mlLocate: 'Find my location', mlNoLocation: 'Location not available', mlLogo: 'MapLibre logo', mlMarker: 'Map marker', mlGlobeOn: 'Enable globe', mlGlobeOff: 'Disable globe', mlTerrainOn: 'Enable terrain', mlTerrainOff: 'Disable terrain', mlCtrlScroll: 'Use Ctrl + scroll to zoom the map', mlCmdScroll: 'Use ⌘ + scroll to zoom the map', mlTwoFingers: 'Use two fingers to move the map',
    keysHint: 'N / P: next / previous unit · Alt + arrows: the neighbouring unit · Enter: show its data · Esc: close · Arrows: move the map · + / −: zoom', keySelected: '{name} selected. Press Enter to show its data.', keyNoUnit: 'No unit in view.', keyH3: 'On the H3 grid, choose a unit with the search box or the data table.', popupOf: 'Data: {name}', skipToMap: 'Skip to the map (choose units with the keyboard)', legendLive: 'Legend: {title}, {sub}, {n} classes',
    sheetExpand: 'Expand the panel', sheetFull: 'Open the whole panel', sheetCollapse: 'Collapse the panel',
    tableOpen: 'Data table', tableName: 'Name', tableParent: 'Part of', tableValue: 'Value', tableChange: 'Change', tableClass: 'Colour class', tableRank: 'Rank', tableFlags: 'Notes', tableAll: 'All', tableFilter: 'Filter by parent unit', tableCountOf: '{n} of {total} units', flagUnstable: 'unstable', flagNoData: 'no data', tableH3: 'On the H3 hexagon grid the table lists administrative units only (the provinces), not each cell; the map colours are the cells\' colours.',
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

/**
 * The UI-language text of a failed request (`e`: an ApiError's {status, code, parameter}, or
 * anything else thrown): a short sentence by HTTP status, naming the choice at fault when the
 * server said which parameter it refused. Never the server's own message.
 */
export function errorText(lang, e) {
  const status = e && typeof e === 'object' ? e.status : undefined;
  if (status === undefined) return t(lang, 'errGeneric');
  const key = status === 0 ? 'errNetwork'
    : status === 400 ? 'errBadRequest'
    : status === 404 ? 'errNotFound'
    : status === 429 ? 'errTooMany'
    : status === 401 || status === 403 ? 'errAccess'
    : 'errServer';
  const names = (STRINGS[lang] || STRINGS.en).errParam || {};
  const what = status === 400 && e.parameter && names[e.parameter];
  return what ? `${t(lang, 'errAbout')} (${what}). ${t(lang, key)}` : t(lang, key);
}

/** `key` with `{name}` placeholders filled from `vars`. */
export function tf(lang, key, vars) {
  return t(lang, key).replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}
