//! The age × sex rules of a table: it gives all of the catalog's age groups or none
//! (`age_groups_partial`), and in each row the male groups sum to `males`, the female groups to
//! `females` (`age_groups_sum`) and the female groups 15–19 … 45–49 to `women_15_49`
//! (`women_15_49_groups`). A table without age groups is fine: monthly reports often have none.

use geodata::{Catalog, Sex};

use crate::report::Issue;
use crate::table::{Form, Row, Table};

/// How many missing ids an error lists before "and N more".
const LISTED: usize = 6;

/// The catalog's age groups as the rules need them.
#[derive(Debug, Clone)]
pub struct AgeGroups {
    /// Every group id, in catalog order.
    all: Vec<String>,
    /// (total id, its groups) for `males` and `females`.
    sexes: [(&'static str, Vec<String>); 2],
    /// The female groups inside 15–49.
    women: Vec<String>,
}

impl AgeGroups {
    /// The groups of `catalog` (none: every rule is silent).
    pub fn of(catalog: &Catalog) -> AgeGroups {
        let ids = |f: &dyn Fn(&geodata::BaseIndicator) -> bool| -> Vec<String> {
            catalog
                .age_groups()
                .filter(|b| f(b))
                .map(|b| b.id.clone())
                .collect()
        };
        AgeGroups {
            all: ids(&|_| true),
            sexes: [
                ("males", ids(&|b| b.sex == Some(Sex::Male))),
                ("females", ids(&|b| b.sex == Some(Sex::Female))),
            ],
            women: ids(&|b| {
                b.sex == Some(Sex::Female)
                    && b.age_from.is_some_and(|a| a >= 15)
                    && b.age_to.is_some_and(|a| a <= 49)
            }),
        }
    }

    /// Missing ids of a partial set, listed for an error ("a, b … and 3 more").
    fn listed(missing: &[&String]) -> String {
        let mut s = missing
            .iter()
            .take(LISTED)
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        if missing.len() > LISTED {
            s.push_str(&format!(" and {} more", missing.len() - LISTED));
        }
        s
    }

    /// The table-level error when the header (wide) or the indicators given (long) have some
    /// of the age groups but not all.
    pub fn partial_table(&self, table: &Table) -> Option<Issue> {
        let given = table.indicators.as_ref()?;
        let missing: Vec<&String> = self.all.iter().filter(|g| !given.contains(*g)).collect();
        if missing.is_empty() || missing.len() == self.all.len() {
            return None;
        }
        let what = match table.form {
            Form::Wide => "columns",
            Form::Long => "indicators",
        };
        let mut issue = Issue::file(
            "age_groups_partial",
            &table.file,
            format!(
                "the table gives {} of the {} age × sex groups: give all of them or none \
                 (missing {what}: {})",
                self.all.len() - missing.len(),
                self.all.len(),
                Self::listed(&missing)
            ),
        )
        .col(missing[0]);
        if table.form == Form::Wide {
            issue.line = Some(1);
        }
        Some(issue)
    }

    /// The rows' completeness, once the table is read: a table giving the groups gives them for
    /// every unit it reports (an empty cell or a missing long row is refused: the sums up the
    /// hierarchy would otherwise mix units with and without age). At most [`LISTED`] units are
    /// named, then one issue counts the rest.
    pub fn incomplete_rows(&self, table: &Table, kept: &[Row]) -> Vec<Issue> {
        let given = table.indicators.as_ref();
        if self.all.is_empty() || !given.is_some_and(|g| self.all.iter().all(|a| g.contains(a))) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut more = 0;
        for row in kept {
            let missing: Vec<&String> = self.all.iter().filter(|g| row.get(g).is_none()).collect();
            if missing.is_empty() {
                continue;
            }
            if out.len() == LISTED {
                more += 1;
                continue;
            }
            out.push(
                Issue::file(
                    "age_groups_partial",
                    &table.file,
                    format!(
                        "unit {} gives {} of the {} age × sex groups the table has: give all of \
                         them for every unit (missing: {})",
                        row.code,
                        self.all.len() - missing.len(),
                        self.all.len(),
                        Self::listed(&missing)
                    ),
                )
                .at(row.line_of(missing[0]))
                .col(missing[0])
                .unit(&row.code),
            );
        }
        if more > 0 {
            out.push(Issue::file(
                "age_groups_partial",
                &table.file,
                format!("{more} more units lack some of the age × sex groups"),
            ));
        }
        out
    }

    /// The row rules, when the row gives every group: the groups sum to the sexes, and the
    /// female groups 15–49 to `women_15_49`.
    pub fn check_row(&self, file: &str, row: &Row, out: &mut Vec<Issue>) {
        if self.all.is_empty() || self.all.iter().any(|g| row.get(g).is_none()) {
            return;
        }
        for (total, groups) in &self.sexes {
            self.sum_rule(file, row, "age_groups_sum", groups, total, out);
        }
        self.sum_rule(
            file,
            row,
            "women_15_49_groups",
            &self.women,
            "women_15_49",
            out,
        );
    }

    /// One "groups sum to total" rule; silent when the row has no `total`.
    fn sum_rule(
        &self,
        file: &str,
        row: &Row,
        rule: &'static str,
        groups: &[String],
        total: &str,
        out: &mut Vec<Issue>,
    ) {
        let Some(t) = row.get(total) else {
            return;
        };
        let sum: i64 = groups.iter().filter_map(|g| row.get(g)).sum();
        if sum == t {
            return;
        }
        let (first, last) = (&groups[0], &groups[groups.len() - 1]);
        out.push(
            Issue::file(
                rule,
                file,
                format!("the groups {first} … {last} sum to {sum} but {total} is {t}"),
            )
            .at(row.line_of(first))
            .col(first)
            .unit(&row.code),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(vals: &[(&str, i64)]) -> Row {
        let mut r = Row::new(2, "00001");
        for (k, v) in vals {
            r.values.insert(k.to_string(), Some(*v));
        }
        r
    }

    fn full(males: i64, females: i64) -> Vec<(String, i64)> {
        let g = AgeGroups::of(&Catalog::builtin());
        let mut v: Vec<(String, i64)> = Vec::new();
        for (i, id) in g.sexes[0].1.iter().enumerate() {
            v.push((id.clone(), if i == 0 { males - 16 } else { 1 }));
        }
        for (i, id) in g.sexes[1].1.iter().enumerate() {
            v.push((id.clone(), if i == 0 { females - 16 } else { 1 }));
        }
        v.extend([
            ("males".into(), males),
            ("females".into(), females),
            ("women_15_49".into(), 7),
        ]);
        v
    }

    fn issues(vals: &[(String, i64)]) -> Vec<Issue> {
        let vals: Vec<(&str, i64)> = vals.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let mut out = Vec::new();
        AgeGroups::of(&Catalog::builtin()).check_row("t.csv", &row(&vals), &mut out);
        out
    }

    #[test]
    fn consistent_groups_pass_and_rows_without_age_are_silent() {
        assert!(issues(&full(100, 120)).is_empty());
        assert!(issues(&[("males".into(), 5)]).is_empty());
    }

    #[test]
    fn each_broken_rule_is_named() {
        let mut v = full(100, 120);
        v.iter_mut().find(|x| x.0 == "males_5_9").unwrap().1 = 2;
        let e = issues(&v);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].rule, "age_groups_sum");
        assert!(
            e[0].message
                .contains("males_0_4 … males_80p sum to 101 but males is 100")
        );
        let mut v = full(100, 120);
        v.iter_mut().find(|x| x.0 == "women_15_49").unwrap().1 = 8;
        assert_eq!(issues(&v)[0].rule, "women_15_49_groups");
        let mut v = full(100, 120);
        v.retain(|x| x.0 != "females_80p");
        assert!(
            issues(&v).is_empty(),
            "an incomplete row is the table check's"
        );
    }
}
