//! `Retry` and `Catch`: their fields, ranges and the `States.ALL` rules.

use super::{child, index, Reader};
use crate::model::{Catcher, QueryLanguage, Retrier};
use serde_json::{Map, Value};

impl Reader {
    fn error_equals(&mut self, obj: &Map<String, Value>, at: &str, last: bool) -> Vec<String> {
        let ep = child(at, "ErrorEquals");
        let Some(v) = obj.get("ErrorEquals") else {
            return Vec::new();
        };
        let Value::Array(items) = v else {
            self.error(&ep, "Value is not an Array");
            return Vec::new();
        };
        if items.is_empty() {
            self.error(&ep, "Value cannot be empty");
        }
        let names: Vec<String> = items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect();
        if names.len() != items.len() {
            self.error(&ep, "Value is not an Array of Strings");
        }
        if names.iter().any(|n| n == "States.ALL") {
            if names.len() > 1 {
                self.error(&ep, "'States.ALL' must be the only element in 'ErrorEquals'");
            }
            if !last {
                self.error(&ep, "'States.ALL' must appear in the last element of the array");
            }
        }
        names
    }

    fn list<'v>(&mut self, obj: &'v Map<String, Value>, sp: &str, key: &str) -> Vec<(String, &'v Map<String, Value>)> {
        let at = child(sp, key);
        match obj.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    let ip = index(&at, i);
                    match item {
                        Value::Object(o) => Some((ip, o)),
                        _ => {
                            self.error(&ip, "Value is not an Object");
                            None
                        }
                    }
                })
                .collect(),
            Some(_) => {
                self.error(&at, "Value is not an Array");
                Vec::new()
            }
        }
    }

    pub(crate) fn retriers(&mut self, obj: &Map<String, Value>, sp: &str) -> Vec<Retrier> {
        let items = self.list(obj, sp, "Retry");
        let n = items.len();
        let mut out = Vec::new();
        for (i, (at, o)) in items.into_iter().enumerate() {
            self.only(
                o,
                &at,
                &[
                    "ErrorEquals",
                    "IntervalSeconds",
                    "MaxAttempts",
                    "BackoffRate",
                    "MaxDelaySeconds",
                    "JitterStrategy",
                    "Comment",
                ],
            );
            self.require(o, &at, &["ErrorEquals"]);
            let error_equals = self.error_equals(o, &at, i + 1 == n);
            let interval_seconds = self.opt_uint(o, &at, "IntervalSeconds", 1, 99_999_999).unwrap_or(1);
            let max_attempts = self.opt_uint(o, &at, "MaxAttempts", 0, 99_999_999).unwrap_or(3);
            let max_delay_seconds = self.opt_uint(o, &at, "MaxDelaySeconds", 1, 31_622_400);
            let backoff_rate = match self.opt_number(o, &at, "BackoffRate") {
                Some(b) if b < 1.0 => {
                    self.error(&child(&at, "BackoffRate"), "Minimum value is 1.0");
                    2.0
                }
                Some(b) => b,
                None => 2.0,
            };
            let full_jitter = match self.opt_string(o, &at, "JitterStrategy").as_deref() {
                Some("FULL") => true,
                Some("NONE") | None => false,
                Some(_) => {
                    self.error(
                        &child(&at, "JitterStrategy"),
                        "The field 'JitterStrategy' should have one of these values: [FULL, NONE]",
                    );
                    false
                }
            };
            out.push(Retrier {
                error_equals,
                interval_seconds,
                max_attempts,
                backoff_rate,
                max_delay_seconds,
                full_jitter,
            });
        }
        out
    }

    pub(crate) fn catchers(&mut self, obj: &Map<String, Value>, sp: &str, ql: QueryLanguage) -> Vec<Catcher> {
        let items = self.list(obj, sp, "Catch");
        let n = items.len();
        let mut out = Vec::new();
        for (i, (at, o)) in items.into_iter().enumerate() {
            let allowed: &[&str] = match ql {
                QueryLanguage::JsonPath => &["ErrorEquals", "Next", "ResultPath", "Assign", "Comment"],
                QueryLanguage::Jsonata => &["ErrorEquals", "Next", "Output", "Assign", "Comment"],
            };
            self.only(o, &at, allowed);
            self.require(o, &at, &["ErrorEquals", "Next"]);
            let error_equals = self.error_equals(o, &at, i + 1 == n);
            let next = self.opt_string(o, &at, "Next").unwrap_or_default();
            let result_path = match ql {
                QueryLanguage::JsonPath => self.result_path(o, &at),
                QueryLanguage::Jsonata => asl_runtime::path::Path::parse("$").ok(),
            };
            let output = match o.get("Output") {
                Some(v) => self.jsonata_template(v, &child(&at, "Output")),
                None => None,
            };
            let assign = match o.get("Assign") {
                Some(a) => self.assign(a, &child(&at, "Assign"), ql),
                None => None,
            };
            out.push(Catcher { pointer: at, error_equals, next, result_path, output, assign });
        }
        out
    }
}
