//! TestState's check of a mocked result against the response shape of the
//! API the Task calls (`mock.fieldValidationMode`): STRICT (the default)
//! wants every required field and every present field of the right type,
//! value set and range; PRESENT checks present fields only; NONE nothing.
//! Fields the API does not have are let through, as AWS does.
//!
//! The shapes are botocore's, written to `result-shapes.txt` by
//! `result-shapes.py` (its header says the format); a service's part of
//! the file is read when a Task of that service is tested.

use serde_json::Value;
use std::collections::HashMap;

const SHAPES: &str = include_str!("result-shapes.txt");

#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    Strict,
    Present,
}

/// The optimised integrations whose service has another name in the SDK.
const SERVICE_NAMES: &[(&str, &str)] = &[("events", "eventbridge"), ("states", "sfn"), ("elasticmapreduce", "emr")];

/// Checks `result`, the mocked answer of a Task on `resource`. Resources
/// whose answer is not an API response (`.sync` descriptions, callbacks,
/// HTTP, activities, Lambda ARNs) and APIs botocore does not describe are
/// not checked.
pub fn check(resource: &str, result: &Value, mode: Mode) -> Result<(), String> {
    let Some(rest) = resource.strip_prefix("arn:aws:states:::") else { return Ok(()) };
    let (service, action, optimised) = match rest.strip_prefix("aws-sdk:") {
        Some(sdk) => match sdk.split_once(':') {
            Some((s, a)) => (s.to_string(), a, false),
            None => return Ok(()),
        },
        None => match rest.split_once(':') {
            Some((s, a)) if !a.contains('.') => {
                let s = SERVICE_NAMES.iter().find(|(from, _)| *from == s).map_or(s, |(_, to)| *to);
                (s.to_string(), a, true)
            }
            _ => return Ok(()),
        },
    };
    let Some(api) = Service::read(&service) else { return Ok(()) };
    let Some(shape) = api.operation(action) else { return Ok(()) };
    // Step Functions hands Lambda's payload on as JSON, not as a blob.
    let lambda_payload = optimised && service == "lambda";
    let checker = Checker { api: &api, mode, lambda_payload };
    checker.value("", shape, result)
}

/// One service's part of the file: its operations and numbered shapes.
struct Service {
    operations: HashMap<&'static str, &'static str>,
    shapes: HashMap<&'static str, Vec<&'static str>>,
}

impl Service {
    fn read(name: &str) -> Option<Service> {
        let header = format!("@{name}\n");
        let start = SHAPES.find(&header)? + header.len();
        let part = &SHAPES[start..];
        let part = &part[..part.find("\n@").map_or(part.len(), |i| i + 1)];
        let mut service = Service { operations: HashMap::new(), shapes: HashMap::new() };
        for line in part.lines() {
            let mut words = line.split(' ');
            let (Some(first), Some(second)) = (words.next(), words.next()) else { continue };
            match first.strip_prefix('>') {
                Some(op) => {
                    service.operations.insert(op, second);
                }
                None => {
                    service.shapes.insert(first, std::iter::once(second).chain(words).collect());
                }
            }
        }
        Some(service)
    }

    /// An action as a Task names it (`getObject`) is the operation `GetObject`.
    fn operation(&self, action: &str) -> Option<&'static str> {
        self.operations.iter().find(|(op, _)| lower_first(op) == action).map(|(_, shape)| *shape)
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
}

struct Checker<'a> {
    api: &'a Service,
    mode: Mode,
    lambda_payload: bool,
}

impl Checker<'_> {
    /// `field`: the member the value is in, as AWS names it in messages.
    fn value(&self, field: &str, shape: &str, v: &Value) -> Result<(), String> {
        let fail = |what: &str| Err(format!("Field '{field}' {what}"));
        if v.is_null() {
            return Ok(());
        }
        match shape {
            "s" | "B" => return if v.is_string() { Ok(()) } else { fail("must be a string") },
            "i" => return if v.is_i64() || v.is_u64() { Ok(()) } else { fail("must be a number") },
            "n" => return if v.is_number() { Ok(()) } else { fail("must be a number") },
            "b" => return if v.is_boolean() { Ok(()) } else { fail("must be a boolean") },
            "t" => return if v.is_string() || v.is_number() { Ok(()) } else { fail("must be a string") },
            _ => {}
        }
        let Some(def) = self.api.shapes.get(shape) else { return Ok(()) };
        match def.as_slice() {
            ["S", required, members @ ..] => {
                let Value::Object(o) = v else { return fail("must be an object") };
                if self.mode == Mode::Strict {
                    if let Some(missing) = required.split(',').find(|r| *r != "-" && !o.contains_key(*r)) {
                        return Err(format!("Field '{missing}' is required"));
                    }
                }
                for m in members {
                    let Some((name, member_shape)) = m.split_once('=') else { continue };
                    if let Some(mv) = o.get(name) {
                        if self.lambda_payload && name == "Payload" && field.is_empty() {
                            continue;
                        }
                        self.value(name, member_shape, mv)?;
                    }
                }
                Ok(())
            }
            ["L", member] => {
                let Value::Array(a) = v else { return fail("must be an array") };
                a.iter().try_for_each(|item| self.value(field, member, item))
            }
            ["M", value] => {
                let Value::Object(o) = v else { return fail("must be an object") };
                o.values().try_for_each(|item| self.value(field, value, item))
            }
            ["e", values] => match v.as_str() {
                Some(s) if values.split('|').any(|e| e == s) => Ok(()),
                Some(_) => fail("is not an expected value"),
                None => fail("must be a string"),
            },
            ["i", min, max] => {
                let Some(n) = v.as_f64().filter(|_| v.is_i64() || v.is_u64()) else { return fail("must be a number") };
                if min.parse::<f64>().is_ok_and(|m| n < m) {
                    return fail("is less than the minimum value");
                }
                if max.parse::<f64>().is_ok_and(|m| n > m) {
                    return fail("exceeds the maximum value");
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sdk_results_are_checked_against_their_shapes() {
        let s3 = "arn:aws:states:::aws-sdk:s3:getObject";
        assert_eq!(check(s3, &json!({"ContentLength": 3, "Other": [1]}), Mode::Strict), Ok(()));
        assert_eq!(
            check(s3, &json!({"ContentLength": "3"}), Mode::Present),
            Err("Field 'ContentLength' must be a number".into())
        );
        assert_eq!(
            check(s3, &json!({"StorageClass": "Stone"}), Mode::Strict),
            Err("Field 'StorageClass' is not an expected value".into())
        );
        let lambda = "arn:aws:states:::aws-sdk:lambda:getFunction";
        let memory = |m: u64| json!({"Configuration": {"MemorySize": m}});
        assert_eq!(check(lambda, &memory(128), Mode::Strict), Ok(()));
        assert_eq!(
            check(lambda, &memory(64), Mode::Strict),
            Err("Field 'MemorySize' is less than the minimum value".into())
        );
        assert_eq!(
            check(lambda, &memory(40000), Mode::Strict),
            Err("Field 'MemorySize' exceeds the maximum value".into())
        );
    }

    #[test]
    fn optimised_integrations_use_their_sdk_api() {
        let events = "arn:aws:states:::events:putEvents";
        assert_eq!(check(events, &json!({"Entries": [{"EventId": "a"}]}), Mode::Strict), Ok(()));
        assert_eq!(
            check(events, &json!({"Entries": {}}), Mode::Strict),
            Err("Field 'Entries' must be an array".into())
        );
        assert_eq!(
            check(events, &json!({"Entries": [{"EventId": "a"}, {"EventId": 1}]}), Mode::Strict),
            Err("Field 'EventId' must be a string".into())
        );
        // Lambda's payload is JSON here, not a blob.
        let invoke = "arn:aws:states:::lambda:invoke";
        assert_eq!(check(invoke, &json!({"Payload": {"a": 1}, "StatusCode": 200}), Mode::Strict), Ok(()));
        assert_eq!(
            check(invoke, &json!({"StatusCode": "200"}), Mode::Strict),
            Err("Field 'StatusCode' must be a number".into())
        );
        // Not API responses: not checked.
        assert_eq!(check("arn:aws:states:::lambda:invoke.waitForTaskToken", &json!(1), Mode::Strict), Ok(()));
        assert_eq!(check("arn:aws:lambda:us-east-1:1:function:f", &json!(1), Mode::Strict), Ok(()));
    }
}
