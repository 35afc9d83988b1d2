//! Reporting periods: month `2025-10`, quarter `2025-Q3`, year `2025`; and projected years
//! `2030-medium` (a cohort-component projection's variant low / medium / high: a period of its
//! own kind, never reported, see [`Granularity::Projection`]).
//!
//! Periods are totally ordered by end date, then by length (a month sorts before the quarter
//! and the year that end on the same day), so `2025-09 < 2025-Q3 < 2025-10`; a projected year
//! sorts after the reported year of the same date, its variants low < medium < high.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// A calendar month, 1–12.
    Month {
        /// Year.
        year: i32,
        /// Month 1–12.
        month: u32,
    },
    /// A calendar quarter, 1–4.
    Quarter {
        /// Year.
        year: i32,
        /// Quarter 1–4.
        quarter: u32,
    },
    /// A calendar year.
    Year {
        /// Year.
        year: i32,
    },
    /// A projected year (the population at its end), one variant of a projection.
    Projection {
        /// Year.
        year: i32,
        /// Low, medium or high.
        variant: Variant,
    },
}

/// A projection variant: the fertility assumption's low, medium or high level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// Lower fertility.
    Low,
    /// The derived fertility level.
    Medium,
    /// Higher fertility.
    High,
}

impl Variant {
    /// Every variant, low first.
    pub const ALL: [Variant; 3] = [Variant::Low, Variant::Medium, Variant::High];

    /// The URL word: `low`, `medium`, `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Low => "low",
            Variant::Medium => "medium",
            Variant::High => "high",
        }
    }

    /// The variant a URL word names.
    pub fn parse(text: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.as_str() == text)
    }

    /// Its name in Vietnamese: `thấp`, `trung bình`, `cao`.
    pub fn words_vi(self) -> &'static str {
        match self {
            Variant::Low => "thấp",
            Variant::Medium => "trung bình",
            Variant::High => "cao",
        }
    }
}

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// One month.
    Month,
    /// Three months.
    Quarter,
    /// Twelve months.
    Year,
    /// A projected year of one variant: compared, played and classed only with its own
    /// variant's years, never with reported periods.
    Projection(Variant),
}

/// Why a period string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid period '{0}': expected a month 2025-10, a quarter 2025-Q3, a year 2025 or a projection 2030-medium (low, medium, high; years 1900-2999)"
)]
pub struct InvalidPeriod(pub String);

impl Period {
    /// A month, or `None` when `month` is outside 1–12 or the year outside 1900–2999.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        ((1900..=2999).contains(&year) && (1..=12).contains(&month))
            .then_some(Period::Month { year, month })
    }

    /// A quarter, or `None` when `quarter` is outside 1–4 or the year outside 1900–2999.
    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        ((1900..=2999).contains(&year) && (1..=4).contains(&quarter))
            .then_some(Period::Quarter { year, quarter })
    }

    /// A year, or `None` outside 1900–2999.
    pub fn year(year: i32) -> Option<Period> {
        (1900..=2999)
            .contains(&year)
            .then_some(Period::Year { year })
    }

    /// A projected year, or `None` outside 1900–2999.
    pub fn projection(year: i32, variant: Variant) -> Option<Period> {
        (1900..=2999)
            .contains(&year)
            .then_some(Period::Projection { year, variant })
    }

    /// The projection variant, for a projected year.
    pub fn variant(self) -> Option<Variant> {
        match self {
            Period::Projection { variant, .. } => Some(variant),
            _ => None,
        }
    }

    /// Whether the period is a projection (never a reported value).
    pub fn is_projection(self) -> bool {
        self.variant().is_some()
    }

    /// The calendar year the period lies in.
    pub fn year_of(self) -> i32 {
        match self {
            Period::Month { year, .. }
            | Period::Quarter { year, .. }
            | Period::Year { year }
            | Period::Projection { year, .. } => year,
        }
    }

    /// Month, quarter or year.
    pub fn granularity(self) -> Granularity {
        match self {
            Period::Month { .. } => Granularity::Month,
            Period::Quarter { .. } => Granularity::Quarter,
            Period::Year { .. } => Granularity::Year,
            Period::Projection { variant, .. } => Granularity::Projection(variant),
        }
    }

    /// Number of months the period spans (1, 3 or 12); used to annualise flow rates.
    pub fn month_count(self) -> u32 {
        match self {
            Period::Month { .. } => 1,
            Period::Quarter { .. } => 3,
            Period::Year { .. } | Period::Projection { .. } => 12,
        }
    }

    /// First month of the period as (year, month).
    fn first_month(self) -> (i32, u32) {
        match self {
            Period::Month { year, month } => (year, month),
            Period::Quarter { year, quarter } => (year, quarter * 3 - 2),
            Period::Year { year } | Period::Projection { year, .. } => (year, 1),
        }
    }

    /// First day of the period.
    pub fn start(self) -> NaiveDate {
        let (y, m) = self.first_month();
        NaiveDate::from_ymd_opt(y, m, 1).expect("valid period start")
    }

    /// Last day of the period: the date a stock is measured at and the version is chosen by.
    pub fn end(self) -> NaiveDate {
        let (y, m) = self.first_month();
        let (ny, nm) = month_add(y, m, self.month_count());
        NaiveDate::from_ymd_opt(ny, nm, 1)
            .and_then(|d| d.pred_opt())
            .expect("valid period end")
    }

    /// The months the period covers, in order.
    pub fn months(self) -> Vec<Period> {
        let (y, m) = self.first_month();
        (0..self.month_count())
            .map(|i| {
                let (yy, mm) = month_add(y, m, i);
                Period::Month {
                    year: yy,
                    month: mm,
                }
            })
            .collect()
    }

    /// The period of the same length just before this one (2025-01 → 2024-12, 2025-Q1 → 2024-Q4).
    pub fn previous(self) -> Option<Period> {
        match self {
            Period::Month { year, month } => {
                let (y, m) = if month == 1 {
                    (year - 1, 12)
                } else {
                    (year, month - 1)
                };
                Period::month(y, m)
            }
            Period::Quarter { year, quarter } => {
                let (y, q) = if quarter == 1 {
                    (year - 1, 4)
                } else {
                    (year, quarter - 1)
                };
                Period::quarter(y, q)
            }
            Period::Year { year } => Period::year(year - 1),
            Period::Projection { year, variant } => Period::projection(year - 1, variant),
        }
    }

    /// The month containing `date`.
    pub fn month_of(date: NaiveDate) -> Period {
        Period::Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Whether `other` lies entirely inside this period.
    pub fn contains(self, other: Period) -> bool {
        self.start() <= other.start() && other.end() <= self.end()
    }
}

/// Adds `n` months to (year, month).
fn month_add(year: i32, month: u32, n: u32) -> (i32, u32) {
    let idx = year * 12 + (month as i32 - 1) + n as i32;
    (idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u32)
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        self.end()
            .cmp(&other.end())
            .then(self.granularity().cmp(&other.granularity()))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            Period::Year { year } => write!(f, "{year:04}"),
            Period::Projection { year, variant } => write!(f, "{year:04}-{}", variant.as_str()),
        }
    }
}

impl FromStr for Period {
    type Err = InvalidPeriod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidPeriod(s.to_string());
        let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
        let (y, rest) = match s.split_once('-') {
            Some((y, rest)) => (y, Some(rest)),
            None => (s, None),
        };
        if !digits(y, 4) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        match rest {
            None => Period::year(year),
            Some(q) if q.len() == 2 && (q.starts_with('Q') || q.starts_with('q')) => {
                if !digits(&q[1..], 1) {
                    return Err(bad());
                }
                Period::quarter(year, q[1..].parse().map_err(|_| bad())?)
            }
            Some(m) if digits(m, 2) => Period::month(year, m.parse().map_err(|_| bad())?),
            Some(v) => Variant::parse(v).and_then(|v| Period::projection(year, v)),
        }
        .ok_or_else(bad)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        s.parse().unwrap()
    }

    #[test]
    fn round_trip_every_form() {
        for s in [
            "2025-10",
            "2025-01",
            "2025-Q3",
            "2025-Q1",
            "2025",
            "1999-12",
            "2030-low",
            "2030-medium",
            "2035-high",
        ] {
            assert_eq!(p(s).to_string(), s);
        }
        assert_eq!(p("2025-q2").to_string(), "2025-Q2");
        for y in 2000..2030 {
            for m in 1..=12 {
                let per = Period::month(y, m).unwrap();
                assert_eq!(per.to_string().parse::<Period>().unwrap(), per);
            }
        }
    }

    #[test]
    fn refuses_malformed() {
        for s in [
            "",
            "2025-13",
            "2025-00",
            "2025-Q5",
            "2025-Q0",
            "25-10",
            "2025-1",
            "2025/10",
            "2025-10-01",
            "20251",
            "abcd",
            "2025-Q",
            "2025-Q12",
            "2030-Medium",
            "2030-central",
            "0999",
            " 2025",
        ] {
            assert!(s.parse::<Period>().is_err(), "{s:?} should be refused");
        }
        assert_eq!(
            "2025-13".parse::<Period>().unwrap_err().to_string(),
            "invalid period '2025-13': expected a month 2025-10, a quarter 2025-Q3, a year 2025 or a projection 2030-medium (low, medium, high; years 1900-2999)"
        );
    }

    #[test]
    fn dates_and_months() {
        assert_eq!(
            p("2024-02").end(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert_eq!(
            p("2025-Q3").start(),
            NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()
        );
        assert_eq!(
            p("2025-Q3").end(),
            NaiveDate::from_ymd_opt(2025, 9, 30).unwrap()
        );
        assert_eq!(
            p("2025").end(),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
        assert_eq!(
            p("2025-Q4").months(),
            vec![p("2025-10"), p("2025-11"), p("2025-12")]
        );
        assert_eq!(p("2025").months().len(), 12);
        assert_eq!(p("2025-01").previous(), Some(p("2024-12")));
        assert_eq!(p("2025-Q1").previous(), Some(p("2024-Q4")));
        assert_eq!(p("2025").previous(), Some(p("2024")));
        assert!(p("2025").contains(p("2025-Q2")));
        assert!(!p("2025-Q2").contains(p("2025-07")));
    }

    #[test]
    fn total_order() {
        let mut v = [
            p("2025"),
            p("2025-10"),
            p("2025-Q3"),
            p("2025-09"),
            p("2024-12"),
        ];
        v.sort();
        let s: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(s, ["2024-12", "2025-09", "2025-Q3", "2025-10", "2025"]);
        let mut v = [
            p("2030-high"),
            p("2026-medium"),
            p("2030"),
            p("2030-low"),
            p("2029"),
        ];
        v.sort();
        let s: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(s, ["2026-medium", "2029", "2030", "2030-low", "2030-high"]);
        assert_eq!(p("2031-medium").previous(), Some(p("2030-medium")));
        assert_eq!(
            p("2030-high").granularity(),
            Granularity::Projection(Variant::High)
        );
        assert!(p("2030-low").is_projection() && !p("2030").is_projection());
    }

    #[test]
    fn serde_as_string() {
        let j = serde_json::to_string(&p("2025-Q3")).unwrap();
        assert_eq!(j, "\"2025-Q3\"");
        assert_eq!(serde_json::from_str::<Period>(&j).unwrap(), p("2025-Q3"));
    }
}
