//! Dates as people type them, parsed once at the edge.
//!
//! Parsing ([`DateExpr::from_str`]) checks the form only; a relative form is
//! turned into a calendar date by [`DateExpr::resolve`] with the day the
//! command runs on, so "today" is read in one place (the clock).

use chrono::{Datelike, Days, Months, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// The accepted forms, quoted in every date error so the fix is on screen.
pub const ACCEPTED_FORMS: &str = "YYYY-MM-DD, today, yesterday, tomorrow, +N/-N with d, w, m or y \
(+2w), YYYY-QN (end of that quarter), FYYYYY-QN (UK financial-year quarter), eom, eoq, eoy";

/// A unit of a relative date or a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

/// A date as written on the command line, before "today" is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateExpr {
    Exact(NaiveDate),
    /// `today` is `Relative(0, Day)`, `+2w` is `Relative(2, Week)`.
    Relative(i64, Unit),
    /// Last day of a calendar quarter.
    Quarter(i32, u32),
    /// Last day of a quarter of the UK financial year starting 1 April.
    FiscalQuarter(i32, u32),
    EndOfMonth,
    EndOfQuarter,
    EndOfYear,
}

/// Why a date could not be read or placed on the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError(pub String);

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DateError {}

fn refuse(input: &str, why: &str) -> DateError {
    DateError(format!("'{input}' {why}; accepted forms: {ACCEPTED_FORMS}"))
}

impl FromStr for DateExpr {
    type Err = DateError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim().to_ascii_lowercase();
        match s.as_str() {
            "today" => return Ok(DateExpr::Relative(0, Unit::Day)),
            "yesterday" => return Ok(DateExpr::Relative(-1, Unit::Day)),
            "tomorrow" => return Ok(DateExpr::Relative(1, Unit::Day)),
            "eom" => return Ok(DateExpr::EndOfMonth),
            "eoq" => return Ok(DateExpr::EndOfQuarter),
            "eoy" => return Ok(DateExpr::EndOfYear),
            _ => {}
        }
        if let Some(rest) = s.strip_prefix('+') {
            let (n, unit) = parse_count_unit(rest).ok_or_else(|| refuse(input, "is not a date"))?;
            return Ok(DateExpr::Relative(n, unit));
        }
        if let Some(rest) = s.strip_prefix('-') {
            let (n, unit) = parse_count_unit(rest).ok_or_else(|| refuse(input, "is not a date"))?;
            return Ok(DateExpr::Relative(-n, unit));
        }
        if let Some(rest) = s.strip_prefix("fy") {
            let (year, q) =
                parse_year_quarter(rest).ok_or_else(|| refuse(input, "is not a date"))?;
            return Ok(DateExpr::FiscalQuarter(year, q));
        }
        if let Some((year, q)) = parse_year_quarter(&s) {
            return Ok(DateExpr::Quarter(year, q));
        }
        parse_iso(&s)
            .map(DateExpr::Exact)
            .map_err(|why| refuse(input, why))
    }
}

/// Reads `YYYY-MM-DD` strictly: four-digit year, two-digit month and day.
pub fn parse_iso(s: &str) -> Result<NaiveDate, &'static str> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err("is not a date");
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    if num(0..4) == 0 {
        return Err("is in year 0; years run from 1 to 9999");
    }
    NaiveDate::from_ymd_opt(num(0..4) as i32, num(5..7), num(8..10))
        .ok_or("is not a day of the calendar")
}

fn parse_count_unit(s: &str) -> Option<(i64, Unit)> {
    let unit = match s.chars().last()? {
        'd' => Unit::Day,
        'w' => Unit::Week,
        'm' => Unit::Month,
        'y' => Unit::Year,
        _ => return None,
    };
    let digits = &s[..s.len() - 1];
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, unit))
}

fn parse_year_quarter(s: &str) -> Option<(i32, u32)> {
    let (year, q) = s.split_once("-q")?;
    if year.len() != 4 || !year.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let q: u32 = match q {
        "1" => 1,
        "2" => 2,
        "3" => 3,
        "4" => 4,
        _ => return None,
    };
    Some((year.parse().ok()?, q))
}

/// The last day of the month that `d` falls in.
pub fn end_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    first.checked_add_months(Months::new(1))?.pred_opt()
}

fn end_of_quarter(year: i32, q: u32) -> Option<NaiveDate> {
    end_of_month(year, q * 3)
}

impl DateExpr {
    /// Places the expression on the calendar, counting from `today`.
    pub fn resolve(self, today: NaiveDate) -> Result<NaiveDate, DateError> {
        let out = match self {
            DateExpr::Exact(d) => Some(d),
            DateExpr::Relative(n, unit) => shift(today, n, unit),
            DateExpr::Quarter(y, q) => end_of_quarter(y, q),
            // Q1 of FY2024 is April-June 2024; Q4 is January-March 2025.
            DateExpr::FiscalQuarter(y, 4) => end_of_quarter(y + 1, 1),
            DateExpr::FiscalQuarter(y, q) => end_of_quarter(y, q + 1),
            DateExpr::EndOfMonth => end_of_month(today.year(), today.month()),
            DateExpr::EndOfQuarter => end_of_quarter(today.year(), today.month0() / 3 + 1),
            DateExpr::EndOfYear => NaiveDate::from_ymd_opt(today.year(), 12, 31),
        };
        out.filter(|d| (1..=9999).contains(&d.year()))
            .ok_or_else(|| DateError("that date falls outside years 1 to 9999".into()))
    }
}

/// Moves `from` by `n` units; months and years keep the day, or fall back to
/// the month's last day (31 January + 1m = 28 or 29 February).
pub fn shift(from: NaiveDate, n: i64, unit: Unit) -> Option<NaiveDate> {
    let months = |m: i64| -> Option<NaiveDate> {
        let k = Months::new(u32::try_from(m.unsigned_abs()).ok()?);
        if m >= 0 {
            from.checked_add_months(k)
        } else {
            from.checked_sub_months(k)
        }
    };
    let days = |d: i64| -> Option<NaiveDate> {
        let k = Days::new(d.unsigned_abs());
        if d >= 0 {
            from.checked_add_days(k)
        } else {
            from.checked_sub_days(k)
        }
    };
    match unit {
        Unit::Day => days(n),
        Unit::Week => days(n.checked_mul(7)?),
        Unit::Month => months(n),
        Unit::Year => months(n.checked_mul(12)?),
    }
}

/// A length of time, for `--due-within` and `--stale`: `30d`, `2w`, `3m`,
/// `1q` (three months), `1y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Within(pub i64, pub Unit);

impl FromStr for Within {
    type Err = DateError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim().to_ascii_lowercase();
        let parsed = match s.strip_suffix('q') {
            Some(n) => parse_count_unit(&format!("{n}m")).map(|(n, u)| (n * 3, u)),
            None => parse_count_unit(&s),
        };
        match parsed {
            Some((n, unit)) => Ok(Within(n, unit)),
            None => Err(DateError(format!(
                "'{input}' is not a duration; write a number followed by d, w, m, q or y \
                 (30d, 2w, 3m, 1q, 1y)"
            ))),
        }
    }
}

impl Within {
    /// The last day the duration reaches, counting from `today`.
    pub fn until(self, today: NaiveDate) -> Result<NaiveDate, DateError> {
        shift(today, self.0, self.1)
            .filter(|d| (1..=9999).contains(&d.year()))
            .ok_or_else(|| DateError("that duration reaches past year 9999".into()))
    }

    /// The day the duration reaches back to from `day`.
    pub fn back_from(self, day: NaiveDate) -> Result<NaiveDate, DateError> {
        shift(day, -self.0, self.1)
            .filter(|d| (1..=9999).contains(&d.year()))
            .ok_or_else(|| DateError("that duration reaches back before year 1".into()))
    }
}

/// A strategy period: first day to last day, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    starts: NaiveDate,
    ends: NaiveDate,
}

impl Period {
    /// Refuses a period that ends before it starts.
    pub fn new(starts: NaiveDate, ends: NaiveDate) -> Result<Self, DateError> {
        if ends < starts {
            return Err(DateError(format!(
                "the period ends ({ends}) before it starts ({starts}); give the start first"
            )));
        }
        Ok(Period { starts, ends })
    }

    pub fn starts(&self) -> NaiveDate {
        self.starts
    }

    pub fn ends(&self) -> NaiveDate {
        self.ends
    }

    /// Days in the period, both ends included.
    pub fn days(&self) -> i64 {
        (self.ends - self.starts).num_days() + 1
    }

    /// Share of the period elapsed at the end of `on`, 0 to 100, rounded.
    pub fn elapsed_percent(&self, on: NaiveDate) -> u8 {
        let done = ((on - self.starts).num_days() + 1).clamp(0, self.days());
        round_ratio(done, self.days())
    }
}

/// `n / d` as a rounded percentage (half away from zero); 0 when `d` is 0.
pub fn round_ratio(n: i64, d: i64) -> u8 {
    if d <= 0 {
        return 0;
    }
    ((n * 200 + d) / (2 * d)).clamp(0, 100) as u8
}

/// `YYYY-YYYY`: 1 January of the first year to 31 December of the last.
impl FromStr for Period {
    type Err = DateError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bad = || {
            DateError(format!(
                "'{input}' is not a period; write two years such as 2020-2023, \
                 or use --starts and --ends"
            ))
        };
        let (a, b) = input.trim().split_once('-').ok_or_else(bad)?;
        let year = |s: &str| -> Option<i32> {
            (s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok())?
        };
        let (a, b) = (year(a).ok_or_else(bad)?, year(b).ok_or_else(bad)?);
        let starts = NaiveDate::from_ymd_opt(a, 1, 1).ok_or_else(bad)?;
        let ends = NaiveDate::from_ymd_opt(b, 12, 31).ok_or_else(bad)?;
        Period::new(starts, ends)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn resolve(s: &str, today: &str) -> Result<NaiveDate, DateError> {
        s.parse::<DateExpr>()?.resolve(d(today))
    }

    #[test]
    fn exact_dates_must_exist() {
        assert_eq!(
            resolve("2024-02-29", "2026-01-01").unwrap(),
            d("2024-02-29")
        );
        assert!(resolve("2023-02-29", "2026-01-01").is_err());
        assert!(resolve("2021-02-30", "2026-01-01").is_err());
        assert!(resolve("2021-13-01", "2026-01-01").is_err());
        assert!(resolve("2021-1-01", "2026-01-01").is_err());
    }

    #[test]
    fn other_notations_are_refused_with_the_accepted_forms() {
        for bad in [
            "31/12/2021",
            "soon",
            "",
            "+",
            "+3",
            "+3x",
            "2024-Q5",
            "FY24-Q1",
            "+-3d",
        ] {
            let err = bad.parse::<DateExpr>().unwrap_err();
            assert!(err.0.contains("accepted forms"), "{bad}: {err}");
        }
    }

    #[test]
    fn words_and_relative_forms_count_from_today() {
        assert_eq!(resolve("today", "2024-02-28").unwrap(), d("2024-02-28"));
        assert_eq!(resolve("tomorrow", "2024-02-28").unwrap(), d("2024-02-29"));
        assert_eq!(resolve("yesterday", "2024-03-01").unwrap(), d("2024-02-29"));
        assert_eq!(resolve("+2w", "2024-02-20").unwrap(), d("2024-03-05"));
        assert_eq!(resolve("-10d", "2024-03-05").unwrap(), d("2024-02-24"));
        assert_eq!(resolve("+1m", "2024-01-31").unwrap(), d("2024-02-29"));
        assert_eq!(resolve("+1y", "2024-02-29").unwrap(), d("2025-02-28"));
        assert_eq!(resolve("TODAY", "2024-02-28").unwrap(), d("2024-02-28"));
    }

    #[test]
    fn quarters_end_on_their_last_day() {
        assert_eq!(resolve("2024-Q1", "2026-01-01").unwrap(), d("2024-03-31"));
        assert_eq!(resolve("2024-q4", "2026-01-01").unwrap(), d("2024-12-31"));
        assert_eq!(resolve("FY2024-Q1", "2026-01-01").unwrap(), d("2024-06-30"));
        assert_eq!(resolve("FY2024-Q3", "2026-01-01").unwrap(), d("2024-12-31"));
        assert_eq!(resolve("FY2024-Q4", "2026-01-01").unwrap(), d("2025-03-31"));
    }

    #[test]
    fn ends_of_month_quarter_year() {
        assert_eq!(resolve("eom", "2024-02-10").unwrap(), d("2024-02-29"));
        assert_eq!(resolve("eom", "2023-02-10").unwrap(), d("2023-02-28"));
        assert_eq!(resolve("eoq", "2024-05-01").unwrap(), d("2024-06-30"));
        assert_eq!(resolve("eoq", "2024-12-31").unwrap(), d("2024-12-31"));
        assert_eq!(resolve("eoy", "2024-05-01").unwrap(), d("2024-12-31"));
    }

    #[test]
    fn huge_offsets_are_errors_not_panics() {
        assert!(resolve("+999999y", "2024-01-01").is_err());
        assert!(resolve("-999999y", "2024-01-01").is_err());
        assert!(resolve("+999999d", "2024-01-01").is_ok());
    }

    #[test]
    fn periods_cover_whole_years_and_refuse_reversal() {
        let p: Period = "2020-2023".parse().unwrap();
        assert_eq!((p.starts(), p.ends()), (d("2020-01-01"), d("2023-12-31")));
        assert_eq!(p.days(), 1461);
        assert!("2023-2020".parse::<Period>().is_err());
        assert!("2020".parse::<Period>().is_err());
        assert!("20-23".parse::<Period>().is_err());
        assert!(Period::new(d("2024-01-02"), d("2024-01-01")).is_err());
        assert!(Period::new(d("2024-01-01"), d("2024-01-01")).is_ok());
    }

    #[test]
    fn elapsed_percent_counts_the_report_day_and_clamps() {
        let p: Period = "2024-2024".parse().unwrap();
        assert_eq!(p.elapsed_percent(d("2023-12-31")), 0);
        assert_eq!(p.elapsed_percent(d("2024-01-01")), 0); // 1/366
        assert_eq!(p.elapsed_percent(d("2024-07-01")), 50); // 183/366
        assert_eq!(p.elapsed_percent(d("2024-12-31")), 100);
        assert_eq!(p.elapsed_percent(d("2030-01-01")), 100);
    }

    #[test]
    fn ratios_round_half_up() {
        assert_eq!(round_ratio(1, 2), 50);
        assert_eq!(round_ratio(1, 3), 33);
        assert_eq!(round_ratio(2, 3), 67);
        assert_eq!(round_ratio(1, 8), 13); // 12.5
        assert_eq!(round_ratio(0, 0), 0);
    }

    #[test]
    fn durations_for_due_within_and_stale() {
        assert_eq!("30d".parse::<Within>().unwrap(), Within(30, Unit::Day));
        assert_eq!("1q".parse::<Within>().unwrap(), Within(3, Unit::Month));
        assert_eq!("2Y".parse::<Within>().unwrap(), Within(2, Unit::Year));
        assert_eq!(
            "90d"
                .parse::<Within>()
                .unwrap()
                .back_from(d("2024-12-31"))
                .unwrap(),
            d("2024-10-02")
        );
        assert_eq!(
            "2w".parse::<Within>()
                .unwrap()
                .until(d("2024-01-01"))
                .unwrap(),
            d("2024-01-15")
        );
        assert!("q".parse::<Within>().is_err());
        assert!("soon".parse::<Within>().is_err());
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC*", days in -400_000i64..400_000) {
            let today = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap() + chrono::Duration::days(days / 4);
            if let Ok(expr) = s.parse::<DateExpr>() {
                let _ = expr.resolve(today);
            }
            let _ = s.parse::<Within>().map(|w| (w.until(today), w.back_from(today)));
            let _ = s.parse::<Period>();
            let _ = parse_iso(&s);
        }

        #[test]
        fn date_like_strings_never_panic(
            y in 0u32..10_000, m in 0u32..20, d in 0u32..40, q in 0u32..9, sign in "[+-]", n in 0u64..10_000_000, unit in "[dwmyx]"
        ) {
            let today = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
            for s in [
                format!("{y:04}-{m:02}-{d:02}"),
                format!("{y:04}-Q{q}"),
                format!("FY{y:04}-Q{q}"),
                format!("{sign}{n}{unit}"),
            ] {
                if let Ok(expr) = s.parse::<DateExpr>() {
                    let _ = expr.resolve(today);
                }
            }
        }

        #[test]
        fn exact_dates_round_trip(days in 0i64..3_000_000) {
            let d = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Duration::days(days);
            if d.year() <= 9999 {
                let parsed: DateExpr = d.to_string().parse().unwrap();
                proptest::prop_assert_eq!(parsed.resolve(d).unwrap(), d);
            }
        }
    }
}
