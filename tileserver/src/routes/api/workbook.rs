//! The Excel workbook of a download (`LEVEL.xlsx`), written by rust_xlsxwriter: one sheet
//! with a header block in Vietnamese (title naming the level and the period in words, the
//! source, the synthetic-data note, period, revision, boundary version and harmonisation),
//! then a frozen header row and one row per unit: codes as text (leading zeros kept), values
//! as numbers with a number format (Excel shows them in the reader's locale).

use geodata::{Catalog, Level, Period};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};
use serde_json::Value;

use super::download::Sheet;
use crate::http::error::ApiError;

/// `Content-Type` of an .xlsx file.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A period in words, as the web map writes it: "Tháng 9/2026", "Quý III/2026", "Năm 2026",
/// "Dự báo 2030 (phương án trung bình)".
pub fn period_words(p: &Period) -> String {
    const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
    match *p {
        Period::Month { year, month } => format!("Tháng {month}/{year}"),
        Period::Quarter { year, quarter } => {
            let q = ROMAN.get(quarter as usize - 1).copied().unwrap_or("?");
            format!("Quý {q}/{year}")
        }
        Period::Year { year } => format!("Năm {year}"),
        Period::Projection { year, variant } => {
            format!("Dự báo {year} (phương án {})", variant.words_vi())
        }
    }
}

/// The level in words: "cấp tỉnh", "cấp xã", …
fn level_words(level: Level) -> &'static str {
    match level {
        Level::Country => "toàn quốc",
        Level::Region => "cấp vùng",
        Level::Province => "cấp tỉnh",
        Level::District => "cấp huyện",
        Level::Commune => "cấp xã",
    }
}

/// A date as `dd/mm/yyyy`.
fn date_words(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// One column of the table: header text, width, and the number format of a numeric column
/// (`None`: text).
struct Column {
    header: String,
    width: f64,
    number: Option<String>,
}

/// The columns: code, name, parent code, parent name, area, then one per indicator.
fn columns(catalog: &Catalog, sheet: &Sheet) -> Vec<Column> {
    let longest = |f: &dyn Fn(&super::download::Row) -> usize| {
        sheet.rows().map(|r| f(&r)).max().unwrap_or(0) as f64
    };
    let name_width = (longest(&|r| r.unit.name.chars().count()) + 2.0).clamp(14.0, 40.0);
    let parent_width = (longest(&|r| r.parent_name.as_deref().map_or(0, |n| n.chars().count()))
        + 2.0)
        .clamp(14.0, 40.0);
    let text = |header: &str, width: f64| Column {
        header: header.to_string(),
        width,
        number: None,
    };
    let mut out = vec![
        text("Mã", 10.0),
        text("Tên", name_width),
        text("Mã đơn vị cấp trên", 12.0),
        text("Tên đơn vị cấp trên", parent_width),
        Column {
            header: "Diện tích (km²)".into(),
            width: 12.0,
            number: Some("#,##0.00".into()),
        },
    ];
    for id in &sheet.ids {
        let (name, unit, decimals) = match (catalog.base(id), catalog.derived(id)) {
            (Some(b), _) => (b.name_vi.clone(), b.unit.clone(), 0),
            (None, Some(d)) => (d.name_vi.clone(), d.unit.clone(), d.decimals),
            (None, None) => (id.clone(), String::new(), 2),
        };
        let header = if unit.is_empty() {
            name
        } else {
            format!("{name} ({unit})")
        };
        let number = if decimals == 0 {
            "#,##0".to_string()
        } else {
            format!("#,##0.{}", "0".repeat(decimals as usize))
        };
        out.push(Column {
            header,
            width: 16.0,
            number: Some(number),
        });
    }
    out
}

/// The header block's lines: (label, text), a label `None` for a line of its own.
fn header_block(sheet: &Sheet) -> Vec<(Option<&'static str>, String)> {
    let a = &sheet.about;
    let s = &a.snapshot;
    let version = match a.version_from {
        Some(d) => format!("{} (áp dụng từ {})", a.version, date_words(d)),
        None => a.version.clone(),
    };
    let mut lines = vec![(
        None,
        format!(
            "Nguồn: popmap, số liệu công bố lần {} ngày {}.",
            s.revision,
            date_words(s.published_at.date_naive())
        ),
    )];
    if a.synthetic {
        lines.push((
            None,
            "Dữ liệu minh hoạ tổng hợp, không phải số liệu thống kê chính thức.".into(),
        ));
    }
    lines.push((Some("Kỳ số liệu"), period_words(&s.period)));
    lines.push((Some("Lần công bố"), s.revision.to_string()));
    lines.push((Some("Ranh giới hành chính"), version));
    lines.push((
        Some("Quy đổi ranh giới"),
        match &a.harmonised_from {
            Some(from) => {
                format!("Có: số liệu báo cáo theo ranh giới {from}, quy đổi qua bảng chuyển đổi")
            }
            None => "Không".into(),
        },
    ));
    lines
}

/// The title: the level, the parent when the rows are its descendants, the period in words.
fn title(sheet: &Sheet) -> String {
    let a = &sheet.about;
    let within = a
        .parent
        .as_ref()
        .map(|p| format!(" thuộc {}", p.name))
        .unwrap_or_default();
    format!(
        "Số liệu dân số {}{within}, {}",
        level_words(a.level),
        period_words(&a.snapshot.period)
    )
}

/// The workbook of `sheet` as .xlsx bytes.
pub fn workbook(catalog: &Catalog, sheet: &Sheet) -> Result<Vec<u8>, ApiError> {
    write(catalog, sheet).map_err(|e| ApiError::Internal(format!("writing xlsx: {e}")))
}

fn write(catalog: &Catalog, sheet: &Sheet) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let title = title(sheet);
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(&title)
            .set_author("popmap"),
    );
    let ws = wb.add_worksheet();
    ws.set_name("Số liệu")?;
    let cols = columns(catalog, sheet);
    ws.write_string_with_format(0, 0, &title, &Format::new().set_bold().set_font_size(14))?;
    let label = Format::new().set_bold();
    let mut row = 1;
    for (k, text) in header_block(sheet) {
        match k {
            Some(k) => {
                ws.write_string_with_format(row, 0, k, &label)?;
                ws.write_string(row, 2, &text)?;
            }
            None => {
                ws.write_string(row, 0, &text)?;
            }
        }
        row += 1;
    }
    let header_row = row + 1;
    table(ws, sheet, &cols, header_row)?;
    wb.save_to_buffer()
}

/// The header row at `at` (frozen, with the code and name columns) and the rows below it.
fn table(ws: &mut Worksheet, sheet: &Sheet, cols: &[Column], at: u32) -> Result<(), XlsxError> {
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xE8_EE_F4))
        .set_border_bottom(FormatBorder::Thin);
    let formats: Vec<Option<Format>> = cols
        .iter()
        .map(|c| c.number.as_ref().map(|n| Format::new().set_num_format(n)))
        .collect();
    for (i, c) in (0u16..).zip(cols) {
        ws.set_column_width(i, c.width)?;
        ws.write_string_with_format(at, i, &c.header, &head)?;
    }
    ws.set_row_height(at, 45)?;
    ws.set_freeze_panes(at + 1, 2)?;
    for (r, row) in (at + 1..).zip(sheet.rows()) {
        let u = &row.unit;
        ws.write_string(r, 0, &u.code)?;
        ws.write_string(r, 1, &u.name)?;
        if let Some(p) = &u.parent_code {
            ws.write_string(r, 2, p)?;
        }
        if let Some(p) = &row.parent_name {
            ws.write_string(r, 3, p)?;
        }
        if let Some(f) = &formats[4] {
            ws.write_number_with_format(r, 4, u.area_km2, f)?;
        }
        for ((c, id), f) in (5u16..).zip(&sheet.ids).zip(&formats[5..]) {
            if let (Value::Number(n), Some(f)) = (&row.values[id], f)
                && let Some(v) = n.as_f64()
            {
                ws.write_number_with_format(r, c, v, f)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_levels_read_as_the_web_map_writes_them() {
        let p = |s: &str| s.parse::<Period>().unwrap();
        assert_eq!(period_words(&p("2026-09")), "Tháng 9/2026");
        assert_eq!(period_words(&p("2026-Q3")), "Quý III/2026");
        assert_eq!(
            period_words(&p("2030-medium")),
            "Dự báo 2030 (phương án trung bình)"
        );
        assert_eq!(period_words(&p("2024")), "Năm 2024");
        assert_eq!(level_words(Level::Commune), "cấp xã");
        assert_eq!(
            date_words(chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()),
            "01/07/2025"
        );
    }
}
