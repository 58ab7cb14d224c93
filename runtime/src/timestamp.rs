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

/// A time as the JSON protocol sends it: seconds since the epoch.
pub fn epoch(t: DateTime<Utc>) -> serde_json::Value {
    serde_json::json!(t.timestamp_millis() as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::parse;

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
