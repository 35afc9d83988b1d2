//! The period parsers: `Period: FromStr` and the URL's `PeriodRef` (`latest`, a period, or
//! `period@rN`, what the one period resolver takes), and their formats.

use geodata::Period;
use proptest::prelude::*;
use tileserver::state::published::PeriodRef;

/// Any valid period: a month, a quarter or a year of 1900–2999 (what the constructors allow).
fn period() -> impl Strategy<Value = Period> {
    prop_oneof![
        (1900i32..=2999, 1u32..=12).prop_map(|(y, m)| Period::month(y, m).unwrap()),
        (1900i32..=2999, 1u32..=4).prop_map(|(y, q)| Period::quarter(y, q).unwrap()),
        (1900i32..=2999).prop_map(|y| Period::year(y).unwrap()),
    ]
}

proptest! {
    #![proptest_config(crate::config(2000))]

    /// format → parse gives the period back, and the text is canonical.
    #[test]
    fn format_then_parse_round_trips(p in period()) {
        let text = p.to_string();
        let back: Period = text.parse().unwrap();
        prop_assert_eq!(back, p);
        prop_assert_eq!(back.to_string(), text);
    }

    /// Years outside 1900–2999 are refused in every form, the error naming the text.
    #[test]
    fn out_of_range_years_are_refused(y in prop_oneof![0i32..1900, 3000i32..=9999], m in 1u32..=12) {
        for text in [format!("{y:04}"), format!("{y:04}-{m:02}"), format!("{y:04}-Q{}", m % 4 + 1)] {
            prop_assert_eq!(text.parse::<Period>().unwrap_err().0, text);
        }
    }

    /// Any text: no panic; an error carries the text as given; a success formats back to the
    /// same text up to the case of `q`.
    #[test]
    fn any_text_parses_or_names_itself(s in prop_oneof![
        any::<String>(),
        "[0-9]{0,5}(-([0-9qQ]{0,3}|[^0-9]{1,2}))?",
    ]) {
        match s.parse::<Period>() {
            Ok(p) => prop_assert_eq!(p.to_string(), s.replace('q', "Q")),
            Err(e) => prop_assert_eq!(e.0, s),
        }
    }

    /// A `PeriodRef` formats and parses back to itself.
    #[test]
    fn period_ref_round_trips(r in prop_oneof![
        Just(PeriodRef::Latest),
        period().prop_map(PeriodRef::Newest),
        (period(), 1..=i64::MAX).prop_map(|(p, n)| PeriodRef::Revision(p, n)),
    ]) {
        prop_assert_eq!(r.to_string().parse::<PeriodRef>().unwrap(), r);
    }

    /// Any text: a `PeriodRef` that formats to a text parsing to the same reference, or an
    /// error quoting the text and naming the accepted forms; never a panic.
    #[test]
    fn any_text_is_a_period_ref_or_says_why(s in prop_oneof![
        any::<String>(),
        "(latest|[0-9]{4}(-([0-9]{2}|[qQ][0-9]))?)(@r[0-9+-]{0,20})?",
    ]) {
        match s.parse::<PeriodRef>() {
            Ok(r) => prop_assert_eq!(r.to_string().parse::<PeriodRef>().unwrap(), r),
            Err(e) => {
                let text = e.to_string();
                prop_assert!(text.starts_with(&format!("'{s}' is not a period")), "{}", text);
            }
        }
    }
}
