//! serde_json values to JSONata values and back. Integral numbers come back
//! as integers (JSONata computes in f64), so `1` stays `1`, not `1.0`.

use jsonata_core::value::JValue;
use serde_json::Value;

pub fn to_jvalue(v: &Value) -> JValue {
    JValue::from(v.clone())
}

/// The most values a result may hold. Every JSON value takes at least one
/// byte, so a result with more could never fit AWS's 256 KiB payload; the
/// bound stops a huge result (`1..9999999`) before it is copied, not after.
const MAX_VALUES: usize = crate::exec::MAX_PAYLOAD_BYTES;

/// `None` for undefined; functions and regexes have no JSON form and read
/// as null. A result too large for any payload is an error.
pub fn from_jvalue(v: &JValue) -> Result<Option<Value>, String> {
    let mut budget = MAX_VALUES;
    convert(v, &mut budget).ok_or_else(|| {
        format!("The result holds more than {MAX_VALUES} values, more than the maximum payload size allows")
    })
}

/// `None` once `budget` runs out; `Some(None)` for undefined.
fn convert(v: &JValue, budget: &mut usize) -> Option<Option<Value>> {
    *budget = budget.checked_sub(1)?;
    Some(Some(match v {
        JValue::Undefined => return Some(None),
        JValue::Null => Value::Null,
        JValue::Bool(b) => Value::Bool(*b),
        JValue::Number(n) => super::json_number(*n),
        JValue::String(s) => Value::String(s.to_string()),
        JValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len().min(*budget));
            for item in items.iter() {
                out.extend(convert(item, budget)?);
            }
            Value::Array(out)
        }
        JValue::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map.iter() {
                if let Some(v) = convert(v, budget)? {
                    out.insert(k.clone(), v);
                }
            }
            Value::Object(out)
        }
        _ => Value::Null,
    }))
}
