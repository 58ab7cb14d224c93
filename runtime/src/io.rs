//! The JSONPath input/output chain: `InputPath` → `Parameters` → work →
//! `ResultSelector` → `ResultPath` (into the *raw* input) → `OutputPath`.
//! An explicit `null` is not the same as an absent field, so each path
//! field is an `Option<Path>` where `None` means `null`; the model turns an
//! absent field into `$`.

use crate::env::{Context, Env};
use crate::error::{names, StatesError};
use crate::path::{Path, Segment};
use crate::vars::Vars;
use serde_json::{Map, Value};

/// `InputPath`/`OutputPath`: `null` gives `{}`; a path that selects nothing
/// is `States.Runtime`.
pub fn select(env: &Env<'_>, path: Option<&Path>) -> Result<Value, StatesError> {
    match path {
        None => Ok(Value::Object(Map::new())),
        Some(p) if p.is_root() => Ok(env.input.clone()),
        Some(p) => env.read(p).map_err(|e| StatesError::runtime(format!("Invalid path '{}' : {}", p.text, e))),
    }
}

/// `select` over a value the caller gives up: `$` hands it on uncopied.
pub fn select_from(
    input: Value,
    context: &Context<'_>,
    vars: &Vars,
    path: Option<&Path>,
) -> Result<Value, StatesError> {
    match path {
        Some(p) if p.is_root() => Ok(input),
        _ => select(&Env { input: &input, context, vars }, path),
    }
}

/// A value as AWS quotes it inside error messages: strings without their
/// quotes, anything else as compact JSON.
pub fn bare_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An upper bound of `v`'s serialised length, computed without
/// formatting anything.
pub fn bound(v: &Value) -> usize {
    match v {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 32,
        Value::String(s) => s.len() * 6 + 2,
        Value::Array(a) => 2 + a.iter().map(|x| bound(x) + 1).sum::<usize>(),
        Value::Object(m) => 2 + m.iter().map(|(k, x)| k.len() * 6 + 4 + bound(x)).sum::<usize>(),
    }
}

/// Whether `v` serialises within `limit` bytes, counted without building
/// the text and abandoned as soon as the limit is passed.
pub fn fits(v: &Value, limit: usize) -> bool {
    // Most payloads are far below the limit: the bound settles them.
    if bound(v) <= limit {
        return true;
    }
    struct Counter {
        left: usize,
    }
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.left = self.left.checked_sub(buf.len()).ok_or(std::io::ErrorKind::WriteZero)?;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    serde_json::to_writer(Counter { left: limit }, v).is_ok()
}

/// `ResultPath`: `null` keeps the raw input; `$` replaces it; any other path
/// writes the result there, creating intermediate objects.
pub fn merge_result(mut raw: Value, result: Value, path: Option<&Path>) -> Result<Value, StatesError> {
    merge_result_into(&mut raw, result, path)
}

/// `merge_result` over a raw input the caller keeps for a catcher or a
/// retry: it is taken only once the path is known to apply, so on
/// `States.ResultPathMatchFailure` it is still there, and on success it
/// is written into rather than copied.
pub fn merge_result_into(raw: &mut Value, result: Value, path: Option<&Path>) -> Result<Value, StatesError> {
    let Some(path) = path else { return Ok(std::mem::take(raw)) };
    if path.segments.is_empty() {
        return Ok(result);
    }
    // The path is checked before the input is changed, so a failure can
    // quote the input without a copy being kept for it.
    if !applicable(raw, &path.segments) {
        return Err(StatesError::scoped(
            names::RESULT_PATH_MATCH_FAILURE,
            format!("Unable to apply ResultPath '{}' to input '{raw}'", path.text),
        ));
    }
    let mut doc = std::mem::take(raw);
    let mut cur = &mut doc;
    for seg in &path.segments {
        if cur.is_null() {
            *cur = Value::Object(Map::new());
        }
        cur = match (seg, cur) {
            (Segment::Child(name), Value::Object(map)) => map.entry(name.clone()).or_insert(Value::Null),
            (Segment::Index(i), Value::Array(items)) => {
                let idx = if *i < 0 { items.len() as i64 + i } else { *i };
                match usize::try_from(idx).ok().and_then(|i| items.get_mut(i)) {
                    Some(v) => v,
                    None => return Err(unapplicable(path)),
                }
            }
            _ => return Err(unapplicable(path)),
        };
    }
    *cur = result;
    Ok(doc)
}

/// Whether `ResultPath` segments can be written into `doc`: through
/// objects (a missing or null member becomes an object) and existing
/// array items.
fn applicable(doc: &Value, segments: &[Segment]) -> bool {
    let mut cur = Some(doc);
    for seg in segments {
        cur = match (seg, cur) {
            (Segment::Child(_), None | Some(Value::Null)) => None,
            (Segment::Child(name), Some(Value::Object(map))) => map.get(name),
            (Segment::Index(i), Some(Value::Array(items))) => {
                let idx = if *i < 0 { items.len() as i64 + i } else { *i };
                match usize::try_from(idx).ok().and_then(|i| items.get(i)) {
                    Some(v) => Some(v),
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    true
}

/// What `applicable` rules out (never reached once it said yes).
fn unapplicable(path: &Path) -> StatesError {
    StatesError::scoped(names::RESULT_PATH_MATCH_FAILURE, format!("Unable to apply ResultPath '{}'", path.text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vars::Vars;
    use serde_json::json;

    #[test]
    fn result_path_creates_intermediate_objects() {
        let raw = json!({"master": {"detail": [1, 2, 3]}});
        let p = Path::parse("$.master.result.sum").unwrap();
        assert_eq!(
            merge_result(raw, json!(6), Some(&p)).unwrap(),
            json!({"master": {"detail": [1, 2, 3], "result": {"sum": 6}}})
        );
    }

    #[test]
    fn result_path_null_and_mismatch() {
        assert_eq!(merge_result(json!({"a": 1}), json!(2), None).unwrap(), json!({"a": 1}));
        let p = Path::parse("$.x").unwrap();
        let err = merge_result(json!("foo"), json!(1), Some(&p)).unwrap_err();
        assert_eq!(err.name(), names::RESULT_PATH_MATCH_FAILURE);
    }

    #[test]
    fn input_path_null_and_missing() {
        let vars = Vars::root();
        let input = json!({"a": 1});
        let context = crate::env::Context::default();
        let env = Env { input: &input, context: &context, vars: &vars };
        assert_eq!(select(&env, None).unwrap(), json!({}));
        let err = select(&env, Some(&Path::parse("$.b").unwrap())).unwrap_err();
        assert_eq!(err.cause.as_deref(), Some("Invalid path '$.b' : No results for path: $['b']"));
        assert!(err.is_runtime());
    }
}
