//! serde_json values to JSONata values and back. Integral numbers come back
//! as integers (JSONata computes in f64), so `1` stays `1`, not `1.0`.

use jsonata_core::value::JValue;
use serde_json::{Number, Value};

pub fn to_jvalue(v: &Value) -> JValue {
    JValue::from(v.clone())
}

/// `None` for undefined; functions and regexes have no JSON form and read as null.
pub fn from_jvalue(v: &JValue) -> Option<Value> {
    Some(match v {
        JValue::Undefined => return None,
        JValue::Null => Value::Null,
        JValue::Bool(b) => Value::Bool(*b),
        JValue::Number(n) => number(*n),
        JValue::String(s) => Value::String(s.to_string()),
        JValue::Array(items) => Value::Array(items.iter().filter_map(from_jvalue).collect()),
        JValue::Object(map) => {
            Value::Object(map.iter().filter_map(|(k, v)| from_jvalue(v).map(|v| (k.clone(), v))).collect())
        }
        _ => Value::Null,
    })
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        Value::Number((n as i64).into())
    } else {
        Number::from_f64(n).map(Value::Number).unwrap_or(Value::Null)
    }
}
