//! JSONata's operators as generated code calls them (`aslc`'s
//! `codegen/jsonata.rs` compiles the expressions workflows write most):
//! each gives the result where JSONata's is plain, and `None` everywhere
//! else (a type JSONata would coerce or refuse, undefined, a sequence, a
//! number out of range). Generated code then lets the state run through
//! the JSONata engine, which gives the value or AWS's error, so nothing
//! here has to reproduce an error.

use serde_json::Value;

/// A computed number as JSON, as the engine writes it (`convert`):
/// integral values as integers. `None` when it is not finite (JSONata's
/// D1001).
pub fn number(n: f64) -> Option<Value> {
    n.is_finite().then(|| super::json_number(n))
}

/// A JSON number as JSONata computes with it (f64).
pub fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// A value read by a path or a variable, where JSONata's reading is the
/// value itself: not an array, which JSONata reads as a sequence (and a
/// one-item sequence as its item).
pub fn plain(v: &Value) -> Option<&Value> {
    (!v.is_array()).then_some(v)
}

/// A read value as the engine gives it back: numbers as JSONata computes
/// them (f64, integral ones as integers), everything else as it is.
pub fn read(v: &Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) => super::json_number(f),
            None => v.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(read).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), read(v))).collect()),
        other => other.clone(),
    }
}

/// One path step: a field of an object.
pub fn field<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    plain(v.as_object()?.get(name)?)
}

/// `+ - * / %` on two numbers.
pub fn arithmetic(op: char, a: &Value, b: &Value) -> Option<Value> {
    let (a, b) = (num(a)?, num(b)?);
    number(match op {
        '+' => a + b,
        '-' => a - b,
        '*' => a * b,
        '/' => a / b,
        '%' => a % b,
        _ => return None,
    })
}

/// Unary minus.
pub fn negate(a: &Value) -> Option<Value> {
    number(-num(a)?)
}

/// `< <= > >=`: two numbers, or two ASCII strings (JavaScript orders
/// strings by UTF-16 code unit, which agrees with Rust's order on ASCII).
pub fn order(op: &str, a: &Value, b: &Value) -> Option<bool> {
    let ord = match (a, b) {
        (Value::Number(_), Value::Number(_)) => num(a)?.partial_cmp(&num(b)?)?,
        (Value::String(x), Value::String(y)) if x.is_ascii() && y.is_ascii() => x.cmp(y),
        _ => return None,
    };
    Some(match op {
        "<" => ord.is_lt(),
        "<=" => ord.is_le(),
        ">" => ord.is_gt(),
        ">=" => ord.is_ge(),
        _ => return None,
    })
}

/// `=`: two numbers, strings, booleans or nulls.
pub fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => Some(num(a)? == num(b)?),
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Null, Value::Null) => Some(true),
        _ => None,
    }
}

/// `&` on two strings.
pub fn concat(a: &Value, b: &Value) -> Option<Value> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(Value::String(format!("{x}{y}"))),
        _ => None,
    }
}

/// A boolean operand (`and`, `or`, a condition): only a boolean itself.
pub fn boolean(v: &Value) -> Option<bool> {
    v.as_bool()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_results_only() {
        assert_eq!(arithmetic('+', &json!(1), &json!(2)), Some(json!(3)));
        assert_eq!(arithmetic('/', &json!(1), &json!(4)), Some(json!(0.25)));
        assert_eq!(arithmetic('/', &json!(1), &json!(0)), None);
        assert_eq!(arithmetic('+', &json!("1"), &json!(2)), None);
        assert_eq!(order("<", &json!("a"), &json!("b")), Some(true));
        assert_eq!(order("<", &json!("é"), &json!("b")), None);
        assert_eq!(equal(&json!(1), &json!(1.0)), Some(true));
        assert_eq!(equal(&json!(1), &json!("1")), None);
        assert_eq!(field(&json!({"a": [1]}), "a"), None);
        assert_eq!(concat(&json!("a"), &json!(1)), None);
    }
}
