//! The Step Functions service model (botocore's `service-2.json`, 2016-11-23,
//! with its documentation strings removed) and the validation every request
//! gets against it: required members, types, lengths, patterns, enums and
//! ranges, with the messages AWS's front end gives.
//!
//! The model comes from PyPI's `botocore` 1.44.8
//! (`botocore/data/stepfunctions/2016-11-23/service-2.json.gz`).

use serde_json::{Map, Value};
use std::sync::OnceLock;

const MODEL_JSON: &str = include_str!("service-2.json");

/// The parsed model; the embedded text is known to be valid JSON (a unit
/// test reads it), so a failure leaves an empty model and every request
/// is refused as an unknown operation rather than a panic.
pub fn model() -> &'static Value {
    static MODEL: OnceLock<Value> = OnceLock::new();
    MODEL.get_or_init(|| serde_json::from_str(MODEL_JSON).unwrap_or(Value::Null))
}

fn shape(name: &str) -> Option<&'static Value> {
    model().get("shapes")?.get(name)
}

/// The input shape of an operation the model declares.
pub fn input_shape(operation: &str) -> Option<&'static str> {
    model().get("operations")?.get(operation)?.get("input")?.get("shape")?.as_str()
}

/// Whether the model declares `operation`.
pub fn has_operation(operation: &str) -> bool {
    model().get("operations").and_then(|o| o.get(operation)).is_some()
}

/// A request that does not fit its shape: AWS's `__type` and message.
#[derive(Debug, PartialEq)]
pub struct Invalid {
    pub kind: &'static str,
    pub message: String,
}

/// Checks a request body against the operation's input shape. Values of
/// the wrong JSON type are `SerializationException`s, as AWS's JSON
/// protocol reports them; constraint failures are `ValidationException`s
/// listing every problem ("2 validation errors detected: ...").
pub fn validate(operation: &str, body: &Value) -> Result<(), Invalid> {
    let Some(input) = input_shape(operation) else { return Ok(()) };
    let mut problems = Vec::new();
    check(input, body, "", &mut problems)?;
    if problems.is_empty() {
        return Ok(());
    }
    let n = problems.len();
    let noun = if n == 1 { "error" } else { "errors" };
    Err(Invalid {
        kind: "ValidationException",
        message: format!("{n} validation {noun} detected: {}", problems.join("; ")),
    })
}

fn serialization(path: &str, expected: &str) -> Invalid {
    let at = if path.is_empty() { "the request".to_string() } else { format!("'{path}'") };
    Invalid { kind: "SerializationException", message: format!("Expected {expected} for {at}") }
}

/// AWS quotes string values in its messages and writes null bare.
fn quoted(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

fn check(shape_name: &str, v: &Value, path: &str, problems: &mut Vec<String>) -> Result<(), Invalid> {
    let Some(s) = shape(shape_name) else { return Ok(()) };
    let ty = s.get("type").and_then(Value::as_str).unwrap_or("");
    let fail = |problems: &mut Vec<String>, what: String| {
        problems.push(format!("Value {} at '{path}' failed to satisfy constraint: {what}", quoted(v)));
    };
    match ty {
        "structure" => {
            let Value::Object(m) = v else { return Err(serialization(path, "an object")) };
            structure(s, m, path, problems)?;
        }
        "list" => {
            let Value::Array(items) = v else { return Err(serialization(path, "a list")) };
            length(s, items.len(), &mut |w| fail(problems, w));
            let member = s.get("member").and_then(|m| m.get("shape")).and_then(Value::as_str).unwrap_or("");
            for (i, item) in items.iter().enumerate() {
                check(member, item, &format!("{path}.{}.member", i + 1), problems)?;
            }
        }
        "map" => {
            let Value::Object(m) = v else { return Err(serialization(path, "a map")) };
            let value = s.get("value").and_then(|m| m.get("shape")).and_then(Value::as_str).unwrap_or("");
            for (k, item) in m {
                check(value, item, &format!("{path}.{k}"), problems)?;
            }
        }
        "string" => {
            let Value::String(text) = v else { return Err(serialization(path, "a string")) };
            length(s, text.chars().count(), &mut |w| fail(problems, w));
            if let Some(p) = s.get("pattern").and_then(Value::as_str) {
                if !pattern_matches(p, text) {
                    fail(problems, format!("Member must satisfy regular expression pattern: {p}"));
                }
            }
            if let Some(Value::Array(allowed)) = s.get("enum") {
                if !allowed.iter().any(|a| a.as_str() == Some(text)) {
                    let set: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                    fail(problems, format!("Member must satisfy enum value set: [{}]", set.join(", ")));
                }
            }
        }
        "integer" | "long" => {
            let Some(n) = v.as_i64() else { return Err(serialization(path, "an integer")) };
            if let Some(min) = s.get("min").and_then(Value::as_i64).filter(|m| n < *m) {
                fail(problems, format!("Member must have value greater than or equal to {min}"));
            }
            if let Some(max) = s.get("max").and_then(Value::as_i64).filter(|m| n > *m) {
                fail(problems, format!("Member must have value less than or equal to {max}"));
            }
        }
        "float" | "double" if !v.is_number() => return Err(serialization(path, "a number")),
        "boolean" if !v.is_boolean() => return Err(serialization(path, "a boolean")),
        "timestamp" if !v.is_number() && !v.is_string() => return Err(serialization(path, "a timestamp")),
        _ => {}
    }
    Ok(())
}

fn structure(s: &Value, m: &Map<String, Value>, path: &str, problems: &mut Vec<String>) -> Result<(), Invalid> {
    let members = s.get("members").and_then(Value::as_object);
    let at = |name: &str| if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
    for required in s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        if m.get(required).is_none_or(Value::is_null) {
            problems.push(format!(
                "Value null at '{}' failed to satisfy constraint: Member must not be null",
                at(required)
            ));
        }
    }
    for (name, value) in m {
        // Unknown members are ignored, as AWS's JSON protocol does.
        let Some(member) = members.and_then(|ms| ms.get(name)) else { continue };
        if value.is_null() {
            continue;
        }
        let member_shape = member.get("shape").and_then(Value::as_str).unwrap_or("");
        check(member_shape, value, &at(name), problems)?;
    }
    Ok(())
}

fn length(s: &Value, len: usize, fail: &mut dyn FnMut(String)) {
    let len = len as i64;
    if let Some(min) = s.get("min").and_then(Value::as_i64).filter(|m| len < *m) {
        fail(format!("Member must have length greater than or equal to {min}"));
    }
    if let Some(max) = s.get("max").and_then(Value::as_i64).filter(|m| len > *m) {
        fail(format!("Member must have length less than or equal to {max}"));
    }
}

/// The model's three patterns, written out (one needs a look-ahead that
/// Rust's regular expressions lack); an unknown pattern matches, and a
/// unit test keeps this list complete.
fn pattern_matches(pattern: &str, s: &str) -> bool {
    match pattern {
        // CharacterRestrictedName: letters, digits, `_-.`, not only digits.
        r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$" => {
            s.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
                && s.chars().any(|c| c.is_ascii_alphabetic() || "_-.".contains(c))
        }
        "[!-~]+" => !s.is_empty() && s.chars().all(|c| ('!'..='~').contains(&c)),
        r"\p{ASCII}*" => s.is_ascii(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_embedded_model_reads_and_every_pattern_is_known() {
        let shapes = model()["shapes"].as_object().expect("the model has shapes");
        let known = [r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$", "[!-~]+", r"\p{ASCII}*"];
        for (name, s) in shapes {
            if let Some(p) = s.get("pattern").and_then(Value::as_str) {
                assert!(known.contains(&p), "{name} has a pattern the validator does not know: {p}");
            }
        }
        assert!(has_operation("StartExecution"));
        assert_eq!(input_shape("StartExecution"), Some("StartExecutionInput"));
    }

    #[test]
    fn constraint_failures_are_listed_as_aws_lists_them() {
        let e = validate("StartExecution", &json!({"name": ""})).expect_err("invalid");
        assert_eq!(e.kind, "ValidationException");
        assert_eq!(
            e.message,
            "2 validation errors detected: Value null at 'stateMachineArn' failed to satisfy constraint: \
             Member must not be null; Value '' at 'name' failed to satisfy constraint: Member must have length \
             greater than or equal to 1"
        );
        let e = validate("ListExecutions", &json!({"maxResults": 5000, "statusFilter": "DONE"})).expect_err("invalid");
        assert!(e.message.contains("Member must have value less than or equal to 1000"), "{}", e.message);
        assert!(e.message.contains("Member must satisfy enum value set: [RUNNING,"), "{}", e.message);
        let e = validate("CreateActivity", &json!({"name": "a", "tags": [{"key": "k", "value": 1}]})).expect_err("x");
        assert_eq!(e.kind, "SerializationException");
        assert!(validate("StartExecution", &json!({"stateMachineArn": "arn", "input": "{}"})).is_ok());
    }

    #[test]
    fn patterns() {
        let p = r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$";
        assert!(pattern_matches(p, "my-activity_1"));
        assert!(!pattern_matches(p, "123"));
        assert!(!pattern_matches(p, "a b"));
        assert!(pattern_matches("[!-~]+", "token-1"));
        assert!(!pattern_matches("[!-~]+", "with space"));
    }
}
