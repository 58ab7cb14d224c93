//! RFC 3339 timestamps as ASL reads them: uppercase `T`, and `Z` or a
//! numeric offset; fractional seconds up to nanoseconds.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

pub fn parse(s: &str) -> Option<DateTime<FixedOffset>> {
    let bytes = s.as_bytes();
    if bytes.len() < 20 || bytes[10] != b'T' || s.ends_with('z') {
        return None;
    }
    DateTime::parse_from_rfc3339(s).ok()
}

/// The context object's format: UTC, milliseconds, trailing zeros trimmed
/// (`2019-03-26T20:14:13.192Z`).
pub fn format_context(t: DateTime<Utc>) -> String {
    let s = t.to_rfc3339_opts(SecondsFormat::Millis, true);
    match s.strip_suffix('Z') {
        Some(body) if body.contains('.') => {
            let trimmed = body.trim_end_matches('0').trim_end_matches('.');
            format!("{trimmed}Z")
        }
        _ => s,
    }
}

/// An HTTP date (`Sun, 29 Nov 2026 09:40:00 GMT`), written out rather than
/// through chrono's format strings, whose parser every binary would carry.
pub fn http_date(t: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[t.weekday().num_days_from_monday() as usize],
        t.day(),
        MONTHS[t.month0() as usize],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A time as the JSON protocol sends it: seconds since the epoch.
pub fn epoch(t: DateTime<Utc>) -> serde_json::Value {
    serde_json::json!(t.timestamp_millis() as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::{http_date, parse};

    #[test]
    fn http_dates_name_the_day_and_month() {
        let t = parse("2026-11-29T09:04:05Z").map(|t| t.with_timezone(&chrono::Utc));
        assert_eq!(t.map(http_date).as_deref(), Some("Sun, 29 Nov 2026 09:04:05 GMT"));
    }

    #[test]
    fn rfc3339_as_asl_reads_it() {
        assert!(parse("2016-03-14T01:59:00Z").is_some());
        assert!(parse("2016-03-14T01:59:00.123456789Z").is_some());
        assert!(parse("2016-03-14T01:59:00+01:00").is_some());
        assert!(parse("2016-03-14t01:59:00Z").is_none());
        assert!(parse("2016-03-14T01:59:00").is_none());
        assert!(parse("2016-13-14T01:59:00Z").is_none());
        assert!(parse("05-12-2016T21:29:29Z").is_none());
    }
}
