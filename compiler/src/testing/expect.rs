//! Checking a case's expectations against the observed document, and
//! showing what differs as a diff of expected against actual.

use super::file::{Assertion, Expect, PathCheck};
use serde_json::Value;

/// One expectation that did not hold.
pub struct Mismatch {
    /// What was checked: `output`, `states.Poll[2].input`, an assertion.
    pub what: String,
    pub expected: Value,
    pub actual: Value,
    /// Said instead of a diff (an assertion that was false or failed).
    pub note: Option<String>,
}

/// Equal as JSON values, numbers by value (`1` is `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// `expected` is found in `actual`: an object's listed keys (recursively),
/// an array's elements in order and number, any other value equal.
pub fn includes(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(x), Value::Object(y)) => x.iter().all(|(k, v)| y.get(k).is_some_and(|w| includes(v, w))),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| includes(a, b)),
        _ => same(expected, actual),
    }
}

/// The status a case expects: given, else FAILED when it names an error
/// or cause, else SUCCEEDED.
pub fn expected_status(e: &Expect) -> &str {
    match &e.status {
        Some(s) => s,
        None if e.error.is_some() || e.cause.is_some() => "FAILED",
        None => "SUCCEEDED",
    }
}

/// Every expectation of `e` that `doc` (see `observe`) does not meet.
pub fn check(e: &Expect, doc: &Value) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let compare = |out: &mut Vec<Mismatch>, what: String, expected: &Value, actual: &Value, subset: bool| {
        let holds = if subset { includes(expected, actual) } else { same(expected, actual) };
        if !holds {
            out.push(Mismatch { what, expected: expected.clone(), actual: actual.clone(), note: None });
        }
    };
    compare(&mut out, "status".into(), &Value::String(expected_status(e).into()), &doc["status"], false);
    if let (Some(m), Some(error)) = (out.first_mut(), doc["error"].as_str()) {
        // A run that failed unexpectedly says why.
        let cause = doc["cause"].as_str().unwrap_or("");
        m.note = Some(format!("expected {}, got {} ({error}: {cause})", m.expected, m.actual));
    }
    if let Some(o) = &e.output {
        compare(&mut out, "output".into(), o, &doc["output"], false);
    }
    if let Some(o) = &e.output_includes {
        compare(&mut out, "outputIncludes".into(), o, &doc["output"], true);
    }
    for (key, given) in [("error", &e.error), ("cause", &e.cause)] {
        if let Some(v) = given {
            compare(&mut out, key.into(), &Value::String(v.clone()), &doc[key], false);
        }
    }
    if let Some(p) = &e.path {
        compare(&mut out, "path".into(), &serde_json::json!(p), &doc["path"], false);
    }
    for (name, s) in &e.states {
        let runs = doc["states"][name].as_array().cloned().unwrap_or_default();
        if let Some(n) = s.count {
            compare(
                &mut out,
                format!("states.{name}.count"),
                &serde_json::json!(n),
                &serde_json::json!(runs.len()),
                false,
            );
        }
        if s.values.is_empty() {
            continue;
        }
        let index = if s.run > 0 { s.run - 1 } else { runs.len() as i64 + s.run };
        let Some(run) = usize::try_from(index).ok().and_then(|i| runs.get(i)) else {
            out.push(Mismatch {
                what: format!("states.{name}"),
                expected: Value::Null,
                actual: Value::Null,
                note: Some(format!("run {} of '{name}' was expected, and it ran {} time(s)", s.run, runs.len())),
            });
            continue;
        };
        for (key, subset, v) in &s.values {
            let what = format!("states.{name}[run {}].{key}{}", s.run, if *subset { " (includes)" } else { "" });
            compare(&mut out, what, v, &run[*key], *subset);
        }
    }
    if let Some(vars) = &e.variables {
        for (k, v) in vars {
            compare(&mut out, format!("variables.{k}"), v, &doc["variables"][k], false);
        }
    }
    out.extend(e.assertions.iter().filter_map(|a| assertion(a, doc)));
    out
}

fn assertion(a: &Assertion, doc: &Value) -> Option<Mismatch> {
    match a {
        Assertion::Jsonata(text) => {
            let failed = |note: String| Mismatch {
                what: text.clone(),
                expected: Value::Null,
                actual: Value::Null,
                note: Some(note),
            };
            let quoted = Value::String(text.clone());
            let inner = asl_runtime::jsonata::expression_text(&quoted)?;
            let expr = match asl_runtime::jsonata::Expr::parse(inner) {
                Ok(e) => e,
                Err(e) => return Some(failed(e.message)),
            };
            // The document's parts are the expression's variables
            // (`$states` too: the evaluator binds it itself).
            let vars = asl_runtime::vars::Vars::root();
            if let Value::Object(parts) = doc {
                vars.assign(parts.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
            }
            match expr.eval(&doc["states"], &vars) {
                Ok(Some(Value::Bool(true))) => None,
                Ok(v) => Some(failed(format!(
                    "evaluated to {}, not true",
                    v.map_or("undefined".to_string(), |v| v.to_string())
                ))),
                Err(e) => Some(failed(format!("failed: {e}"))),
            }
        }
        Assertion::Path { path, check } => {
            let p = asl_runtime::path::Path::parse(path).ok()?;
            let found = p.select(doc).ok();
            let (holds, expected) = match check {
                PathCheck::Equals(v) => (found.as_ref().is_some_and(|f| same(v, f)), v.clone()),
                PathCheck::Includes(v) => (found.as_ref().is_some_and(|f| includes(v, f)), v.clone()),
                PathCheck::Exists(e) => (found.is_some() == *e, Value::Bool(*e)),
            };
            let note = match check {
                PathCheck::Exists(e) => Some(e),
                _ => None,
            }
            .map(|e| {
                let (want, got) = if *e { ("to exist", "it does not") } else { ("not to exist", "it does") };
                format!("expected {want}, {got}")
            });
            (!holds).then(|| Mismatch { what: path.clone(), expected, actual: found.unwrap_or(Value::Null), note })
        }
    }
}

/// A mismatch as the report shows it: a note, or a diff of the values'
/// pretty JSON (`-` expected, `+` actual).
pub fn render(m: &Mismatch) -> String {
    if let Some(note) = &m.note {
        return format!("{}: {note}\n", m.what);
    }
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default() + "\n";
    let (expected, actual) = (pretty(&m.expected), pretty(&m.actual));
    if !expected.contains('\n') || (expected.lines().count() == 1 && actual.lines().count() == 1) {
        return format!("{}: expected {}, got {}\n", m.what, expected.trim_end(), actual.trim_end());
    }
    let mut out = format!("{} differs (- expected, + actual):\n", m.what);
    for change in similar::TextDiff::from_lines(&expected, &actual).iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        out.push_str(&format!("  {sign} {}", change));
        if change.missing_newline() {
            out.push('\n');
        }
    }
    out
}
