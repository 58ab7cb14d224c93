//! JSONata's operators as generated code calls them (`aslc`'s
//! `codegen/jsonata.rs` compiles the expressions workflows write most):
//! each gives the result where JSONata's is plain, and `None` everywhere
//! else (a type JSONata would coerce or refuse, undefined, a sequence, a
//! number out of range). Generated code then lets the state run through
//! the JSONata engine, which gives the value or AWS's error, so nothing
//! here has to reproduce an error.

use serde_json::Value;
use std::borrow::Cow;

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

/// A top-level field of the execution's part of `$states.context`
/// (`Execution`, `StateMachine`).
pub fn context<'c>(context: &'c crate::env::ExecutionContext, key: &str) -> Option<&'c Value> {
    plain(context.map().get(key)?)
}

/// `$states.context.State…` or `$states.context.Task…`: the state's own
/// part of its context object (`key`), as the runtime assembles it for the
/// step that reads it, then field names as any path reads them (`walked`).
/// Undefined declines.
pub fn state_context(context: &crate::env::Context<'_>, key: &str, names: &[&str]) -> Option<Value> {
    walked(&context.get(key)?, names)
}

/// One path step: a field of an object.
pub fn field<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    plain(v.as_object()?.get(name)?)
}

/// A path step with an index predicate, `name[index]`: an item of the
/// field's sequence (an array's items, any other value alone), counted
/// from the end when negative.
pub fn at<'v>(v: &'v Value, name: &str, index: i64) -> Option<&'v Value> {
    let items = seq(v.as_object()?.get(name)?)?;
    let i = if index < 0 {
        items.len().checked_sub(usize::try_from(index.unsigned_abs()).ok()?)?
    } else {
        usize::try_from(index).ok()?
    };
    plain(items.get(i)?)
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

/// `in`: whether a plain value equals an item of an array of plain
/// values, or the value itself where it is not an array.
pub fn member(a: &Value, b: &Value) -> Option<bool> {
    let a = plain(a)?;
    match b {
        Value::Array(items) => {
            for item in items {
                if equal(a, item)? {
                    return Some(true);
                }
            }
            Some(false)
        }
        other => equal(a, other),
    }
}

/// `$type` of a value that is not an array (JSONata reads those as
/// sequences).
pub fn type_of(v: &Value) -> Option<Value> {
    Some(Value::String(super::type_name(plain(v)?).to_string()))
}

/// `$lookup` of a string key in an object: its value where it is there
/// and not an array.
pub fn lookup(object: &Value, key: &Value) -> Option<Value> {
    let v = object.as_object()?.get(key.as_str()?)?;
    Some(read(plain(v)?))
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

/// What a function reads where JSONata takes a sequence (`$count`,
/// `$sum`, `$join`): an array of plain values is its items, any other
/// plain value a sequence of itself. An array holding arrays declines
/// (JSONata flattens them).
pub fn seq(v: &Value) -> Option<&[Value]> {
    match v {
        Value::Array(items) if items.iter().all(|i| !i.is_array()) => Some(items),
        Value::Array(_) => None,
        other => Some(std::slice::from_ref(other)),
    }
}

/// Field `names` after a path's root (`$states.input`, `$states.result`,
/// a variable) as JSONata reads them: objects all the way give the value itself,
/// borrowed; an array met on the way (the root included) is mapped over
/// (`mapped`). `Some(None)` is undefined (a field missing, or read from
/// something that is not an object); `None` declines.
pub fn walk<'v>(root: &'v Value, names: &[&str]) -> Option<Option<Cow<'v, Value>>> {
    let mut v = root;
    for (i, name) in names.iter().enumerate() {
        v = match v {
            Value::Object(o) => match o.get(*name) {
                Some(next) => next,
                None => return Some(None),
            },
            Value::Array(items) => return Some(mapped(items, &names[i..])?.map(Cow::Owned)),
            _ => return Some(None),
        };
    }
    Some(Some(Cow::Borrowed(v)))
}

/// Field `names` over the items of an array a path met: each step keeps
/// the items' fields as a sequence, arrays among them flattened into it,
/// except that a last step finding a single array gives that array as it
/// is. A sequence of one item is that item; an empty one is undefined. An
/// array among the items, which JSONata's lookup would map into as well,
/// declines.
fn mapped(items: &[Value], names: &[&str]) -> Option<Option<Value>> {
    let mut current: Vec<&Value> = items.iter().collect();
    for (i, name) in names.iter().enumerate() {
        let mut found = Vec::with_capacity(current.len());
        for item in current {
            match item {
                Value::Object(o) => found.extend(o.get(*name)),
                Value::Array(_) => return None,
                _ => {}
            }
        }
        if let [single @ Value::Array(_)] = found.as_slice() {
            if i + 1 == names.len() {
                return Some(Some(read(single)));
            }
        }
        current = Vec::with_capacity(found.len());
        for v in found {
            match v {
                Value::Array(a) => current.extend(a),
                other => current.push(other),
            }
        }
        if current.is_empty() {
            return Some(None);
        }
    }
    Some(Some(match current.as_slice() {
        [one] => read(one),
        many => Value::Array(many.iter().map(|v| read(v)).collect()),
    }))
}

/// A whole expression that is a path of field names: its value as the
/// engine gives it back. Undefined declines (the state tells).
pub fn walked(root: &Value, names: &[&str]) -> Option<Value> {
    Some(match walk(root, names)?? {
        Cow::Borrowed(v) => read(v),
        Cow::Owned(v) => v,
    })
}

/// A path of field names read as a sequence (a function's argument):
/// undefined is the empty sequence.
pub fn walked_seq<'v>(root: &'v Value, names: &[&str]) -> Option<Cow<'v, [Value]>> {
    Some(match walk(root, names)? {
        None => Cow::Borrowed(&[]),
        Some(Cow::Borrowed(v)) => Cow::Borrowed(seq(v)?),
        Some(Cow::Owned(v)) => {
            seq(&v)?;
            Cow::Owned(match v {
                Value::Array(items) => items,
                other => vec![other],
            })
        }
    })
}

/// The last step of a path read as a sequence: a missing field is the
/// empty sequence (JSONata's undefined, which `$count` counts as 0).
pub fn member_seq<'v>(v: &'v Value, name: &str) -> Option<&'v [Value]> {
    match v.as_object()?.get(name) {
        None => Some(&[]),
        Some(item) => seq(item),
    }
}

/// A sequence that is not empty (an empty one may be JSONata's
/// undefined, which most functions pass on).
pub fn nonempty(items: &[Value]) -> Option<&[Value]> {
    (!items.is_empty()).then_some(items)
}

/// `$count`.
pub fn count(items: &[Value]) -> Value {
    Value::from(items.len())
}

/// `$sum` of numbers.
pub fn sum(items: &[Value]) -> Option<Value> {
    number(total(items)?)
}

/// The sum of numbers, in order, as JSONata adds them.
fn total(items: &[Value]) -> Option<f64> {
    let mut total = 0.0;
    for i in items {
        total += num(i)?;
    }
    Some(total)
}

/// `$max` (`max`) or `$min` of numbers.
pub fn extremum(items: &[Value], max: bool) -> Option<Value> {
    let mut best: Option<f64> = None;
    for i in items {
        let n = num(i)?;
        best = Some(match best {
            Some(b) if max => b.max(n),
            Some(b) => b.min(n),
            None => n,
        });
    }
    number(best?)
}

/// `$average` of numbers.
pub fn average(items: &[Value]) -> Option<Value> {
    number(total(items)? / items.len() as f64)
}

/// The engine's own function's result, where it is a plain value: the
/// functions whose rules are subtle (rounding half to even, UTF-16
/// positions, which whitespace collapses) are the engine's code, called
/// directly once their arguments are of the types they take (so they
/// exist where the engine is built in, as it is for every machine that
/// writes JSONata).
#[cfg(feature = "jsonata")]
fn engine<E>(result: Result<jsonata_core::value::JValue, E>) -> Option<Value> {
    super::convert::from_jvalue(&result.ok()?).ok()?
}

/// `$trim` of a string.
#[cfg(feature = "jsonata")]
pub fn trim(v: &Value) -> Option<Value> {
    engine(jsonata_core::functions::string::trim(v.as_str()?))
}

/// `$round` of a number, to an integer number of decimal places or none.
#[cfg(feature = "jsonata")]
pub fn round(v: &Value, precision: Option<&Value>) -> Option<Value> {
    let precision = match precision {
        None => None,
        Some(p) => Some(i32::try_from(p.as_i64()?).ok()?),
    };
    engine(jsonata_core::functions::numeric::round(num(v)?, precision))
}

/// `$substring` of a string from an integer position, for an integer
/// length or to its end.
#[cfg(feature = "jsonata")]
pub fn substring(v: &Value, start: &Value, length: Option<&Value>) -> Option<Value> {
    let length = match length {
        None => None,
        Some(l) => Some(l.as_i64()?),
    };
    engine(jsonata_core::functions::string::substring(v.as_str()?, start.as_i64()?, length))
}

/// `$substringBefore` (or, `after`, `$substringAfter`) of a string at a
/// separator string.
#[cfg(feature = "jsonata")]
pub fn substring_around(v: &Value, separator: &Value, after: bool) -> Option<Value> {
    use jsonata_core::functions::string::{substring_after, substring_before};
    let (v, separator) = (v.as_str()?, separator.as_str()?);
    engine(if after { substring_after(v, separator) } else { substring_before(v, separator) })
}

/// `$replace` of a string pattern (not empty) by a string, at most `limit`
/// times (a number not negative, rounded up, as the engine takes it).
#[cfg(feature = "jsonata")]
pub fn replace(v: &Value, pattern: &Value, replacement: &Value, limit: Option<&Value>) -> Option<Value> {
    let limit = match limit {
        None => None,
        Some(l) => Some(num(l).filter(|n| *n >= 0.0)?.ceil() as usize),
    };
    let pattern = pattern.as_str().filter(|p| !p.is_empty())?;
    let pattern = jsonata_core::value::JValue::from(Value::String(pattern.to_string()));
    engine(jsonata_core::functions::string::replace(v.as_str()?, &pattern, replacement.as_str()?, limit))
}

/// `$formatNumber` of a number with a picture string (no options).
#[cfg(feature = "jsonata")]
pub fn format_number(v: &Value, picture: &Value) -> Option<Value> {
    engine(jsonata_core::functions::numeric::format_number(num(v)?, picture.as_str()?, None))
}

/// `$base64encode`, `$base64decode`, `$encodeUrl`, `$decodeUrl`,
/// `$encodeUrlComponent` or `$decodeUrlComponent` (`function`, by its
/// name) of a string.
#[cfg(feature = "jsonata")]
pub fn encoding(function: &str, v: &Value) -> Option<Value> {
    use jsonata_core::functions::encoding as e;
    let f = match function {
        "base64encode" => e::base64encode,
        "base64decode" => e::base64decode,
        "encodeUrl" => e::encode_url,
        "decodeUrl" => e::decode_url,
        "encodeUrlComponent" => e::encode_url_component,
        "decodeUrlComponent" => e::decode_url_component,
        _ => return None,
    };
    engine(f(v.as_str()?))
}

/// `$join` of strings, with a separator string or none.
pub fn join(items: &[Value], separator: Option<&Value>) -> Option<Value> {
    let separator = match separator {
        None => "",
        Some(Value::String(s)) => s,
        Some(_) => return None,
    };
    let parts: Vec<&str> = items.iter().map(Value::as_str).collect::<Option<_>>()?;
    Some(Value::String(parts.join(separator)))
}

/// `$string`, optionally prettified (a boolean): a string, a boolean,
/// `null` or an integer JSONata holds exactly are written here; other
/// numbers (15 significant digits), objects and arrays by the engine's
/// own serialiser.
#[cfg(feature = "jsonata")]
pub fn string(v: &Value, prettify: Option<&Value>) -> Option<Value> {
    const EXACT: u64 = 1 << 53;
    let prettify = match prettify {
        None => None,
        Some(p) => Some(p.as_bool()?),
    };
    let text = match v {
        _ if prettify.is_some() => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("null".to_string()),
        Value::Number(n) => n.as_i64().filter(|i| i.unsigned_abs() <= EXACT).map(|i| i.to_string()),
        _ => None,
    };
    match text {
        Some(t) => Some(Value::String(t)),
        None => engine(jsonata_core::functions::string::string(&super::convert::to_jvalue(v), prettify)),
    }
}

/// `$number`: a number as it is, a string of decimal digits here, any
/// other value by the engine's own conversion (other numerals, booleans;
/// what it refuses declines).
#[cfg(feature = "jsonata")]
pub fn to_number(v: &Value) -> Option<Value> {
    if let Value::Number(_) = v {
        return Some(read(v));
    }
    if let Value::String(s) = v {
        let digits = s.strip_prefix('-').unwrap_or(s);
        let plain = !digits.is_empty()
            && digits.len() <= 15
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        if plain {
            return number(s.parse::<f64>().ok()?);
        }
    }
    engine(jsonata_core::functions::numeric::number(&super::convert::to_jvalue(v)))
}

/// `$length` of a string: its bytes where it is ASCII, else as the
/// engine counts.
#[cfg(feature = "jsonata")]
pub fn length(v: &Value) -> Option<Value> {
    let s = v.as_str()?;
    if s.is_ascii() {
        return Some(Value::from(s.len()));
    }
    engine(jsonata_core::functions::string::length(s))
}

/// `$uppercase` and `$lowercase` of a string (beyond ASCII, the engine's
/// case mapping).
#[cfg(feature = "jsonata")]
pub fn case(v: &Value, upper: bool) -> Option<Value> {
    use jsonata_core::functions::string::{lowercase, uppercase};
    let s = v.as_str()?;
    if s.is_ascii() {
        return Some(Value::String(if upper { s.to_ascii_uppercase() } else { s.to_ascii_lowercase() }));
    }
    engine(if upper { uppercase(s) } else { lowercase(s) })
}

/// `$contains` of a string and a substring.
pub fn contains(v: &Value, part: &Value) -> Option<Value> {
    Some(Value::Bool(v.as_str()?.contains(part.as_str()?)))
}

/// `$abs`, `$floor` and `$ceil` of a number.
pub fn rounding(v: &Value, f: fn(f64) -> f64) -> Option<Value> {
    number(f(num(v)?))
}

/// `$split` of a string by a string separator, up to `limit` parts (a
/// whole number). An empty separator splits into characters only in
/// ASCII text (JavaScript splits UTF-16 code units).
pub fn split(v: &Value, separator: &Value, limit: Option<&Value>) -> Option<Value> {
    let (s, sep) = (v.as_str()?, separator.as_str()?);
    let limit = match limit {
        None => usize::MAX,
        Some(l) => {
            let n = num(l)?;
            if n < 0.0 || n.fract() != 0.0 {
                return None;
            }
            n as usize
        }
    };
    let parts: Vec<Value> = if sep.is_empty() {
        if !s.is_ascii() {
            return None;
        }
        s.chars().map(|c| Value::String(c.to_string())).take(limit).collect()
    } else {
        s.split(sep).map(|p| Value::String(p.to_string())).take(limit).collect()
    };
    Some(Value::Array(parts))
}

/// A sequence a function built, where JSONata's value for it is plainly
/// an array: two items or more. None is undefined, and one item is
/// unwrapped or kept as a sequence depending on what the expression
/// around does with it: both decline.
pub fn several(items: Vec<Value>) -> Option<Value> {
    (items.len() > 1).then_some(Value::Array(items))
}

/// Field `names` from one item of a sequence a path maps over (a
/// filter's kept item): `Some(None)` where a field is missing or a value
/// on the way is not an object (the item gives nothing), `None` where an
/// array is met (JSONata would flatten it into the sequence).
pub fn follow<'v>(item: &'v Value, names: &[&str]) -> Option<Option<&'v Value>> {
    let mut v = item;
    for name in names {
        match v {
            Value::Array(_) => return None,
            Value::Object(o) => match o.get(*name) {
                Some(next) => v = next,
                None => return Some(None),
            },
            _ => return Some(None),
        }
    }
    (!v.is_array()).then_some(Some(v))
}

/// `$keys` of an object, as a sequence.
pub fn keys(v: &Value) -> Option<Value> {
    several(v.as_object()?.keys().map(|k| Value::String(k.clone())).collect())
}

/// `$merge` of a sequence of objects: later keys win, in the place the
/// first one took.
pub fn merge(items: &[Value]) -> Option<Value> {
    let mut out = serde_json::Map::new();
    for item in items {
        for (k, v) in item.as_object()? {
            out.insert(k.clone(), read(v));
        }
    }
    Some(Value::Object(out))
}

/// `$append` of two sequences, neither empty (an empty one may be
/// undefined, for which `$append` gives the other back as it is).
pub fn append(a: &[Value], b: &[Value]) -> Option<Value> {
    (!a.is_empty() && !b.is_empty()).then(|| Value::Array(a.iter().chain(b).map(read).collect()))
}

/// `$reverse` of a sequence of two items or more (fewer may be null or
/// undefined, which `$reverse` passes on).
pub fn reverse(items: &[Value]) -> Option<Value> {
    (items.len() > 1).then(|| Value::Array(items.iter().rev().map(read).collect()))
}

/// `$distinct` of a sequence of two scalars or more, the first of equal
/// ones kept (numbers equal by value). Objects and arrays, which JSONata
/// compares deeply, decline; so does a result of one item, which the
/// engine keeps as an array or not depending on where the items came
/// from.
pub fn distinct(items: &[Value]) -> Option<Value> {
    if items.len() < 2 {
        return None;
    }
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if item.is_object() || item.is_array() {
            return None;
        }
        let same = |seen: &Value| match (seen, item) {
            (Value::Number(_), Value::Number(_)) => num(seen) == num(item),
            _ => seen == item,
        };
        if !out.iter().any(same) {
            out.push(read(item));
        }
    }
    several(out)
}

/// `$sort` without a comparator, of two items or more: all numbers or
/// all strings (by their bytes, as the engine compares them), in a stable
/// order; anything else is the engine's error.
pub fn sort(items: &[Value]) -> Option<Value> {
    if items.len() < 2 {
        return None;
    }
    let mut out: Vec<Value> = items.iter().map(read).collect();
    if out.iter().all(Value::is_number) {
        out.sort_by(|a, b| num(a).partial_cmp(&num(b)).unwrap_or(std::cmp::Ordering::Equal));
    } else if out.iter().all(Value::is_string) {
        out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else {
        return None;
    }
    Some(Value::Array(out))
}

/// `$range` of three numbers (floored, as the engine takes them): an
/// empty array, the one number, or an array; the engine's errors decline.
pub fn range(start: &Value, end: &Value, step: &Value) -> Option<Value> {
    let whole = |v: &Value| num(v).map(|n| n.floor() as i64);
    let items = super::aws::range(whole(start)?, whole(end)?, whole(step)?).ok()?;
    let mut items: Vec<Value> = items.map(|n| number(n as f64)).collect::<Option<_>>()?;
    Some(if items.len() == 1 { items.pop()? } else { Value::Array(items) })
}

/// `$partition` of an array by a number (floored, as the engine takes
/// it); anything else declines.
pub fn partition(items: &Value, size: &Value) -> Option<Value> {
    let chunks = super::aws::partition(items.as_array()?, num(size)?.floor() as i64).ok()?;
    Some(Value::Array(chunks.into_iter().map(Value::Array).collect()))
}

/// `$hash` of a value (a string as it is, anything else as its JSON)
/// with an algorithm named by a string.
pub fn hash(data: &Value, algorithm: &Value) -> Option<Value> {
    let text = match data {
        Value::String(s) => s.clone(),
        other => read(other).to_string(),
    };
    super::aws::hash(&text, algorithm.as_str()?).ok().map(Value::String)
}

/// `$parse` of a JSON text.
pub fn parse(text: &Value) -> Option<Value> {
    let v: Value = serde_json::from_str(text.as_str()?).ok()?;
    Some(read(&v))
}

/// `$now()`: the time as the engine writes it (ISO 8601 in UTC, to the
/// millisecond).
pub fn now() -> Value {
    Value::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// `$millis()`: milliseconds since the epoch.
pub fn millis() -> Value {
    Value::from(chrono::Utc::now().timestamp_millis())
}

/// `$uuid()`.
pub fn uuid() -> Value {
    Value::String(uuid::Uuid::new_v4().to_string())
}

/// `$random()`, or with a numeric seed.
pub fn random(seed: Option<&Value>) -> Option<Value> {
    let seed = match seed {
        Some(s) => Some(num(s)?),
        None => None,
    };
    number(super::aws::random(seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What the JSONata engine gives for `text`, with `input` as
    /// `$states.input`: the referee of every function here.
    fn by_engine(text: &str, input: &Value) -> Result<Option<Value>, String> {
        let e = crate::jsonata::Expr::parse(text).unwrap();
        e.eval(&json!({ "input": input }), &crate::vars::Vars::root())
    }

    #[test]
    fn a_mapped_item_gives_its_field_nothing_or_declines() {
        let item = json!({"a": {"b": 1}, "l": [1], "n": 2});
        assert_eq!(follow(&item, &["a", "b"]), Some(Some(&json!(1))));
        assert_eq!(follow(&item, &["a", "missing"]), Some(None));
        assert_eq!(follow(&item, &["n", "b"]), Some(None));
        assert_eq!(follow(&item, &["l"]), None);
        assert_eq!(follow(&item, &[]), Some(Some(&item)));
    }

    #[test]
    fn paths_map_over_arrays_as_the_engine_reads_them() {
        let input = json!({
            "o": {"a": [1, 2], "one": [5], "n": 2.0},
            "rows": [{"v": [1, 2], "p": {"q": 3}}, {"v": 4.0, "p": [{"q": [5]}, {"q": 6}]}, 7, {"v": [[8]]}],
            "solo": [{"v": [9]}, {"w": 1}],
            "empty": [{"v": []}],
            "deep": [[{"v": 1}]]
        });
        let engine = |path: &str| by_engine(&format!("$states.input.{path}"), &input).unwrap();
        let cases: [(&str, Option<Value>); 13] = [
            ("o.a", Some(json!([1, 2]))),
            ("o.one", Some(json!([5]))),
            ("o.n", Some(json!(2))),
            ("rows.v", Some(json!([1, 2, 4, [8]]))),
            ("rows.p.q", Some(json!([3, 5, 6]))),
            ("solo.v", Some(json!([9]))),
            ("solo.w", Some(json!(1))),
            ("empty.v", Some(json!([]))),
            ("o.missing", None),
            ("rows.missing", None),
            ("o.n.deeper", None),
            ("rows.v.x", None),
            ("deep.v", None),
        ];
        for (path, expected) in cases {
            let names: Vec<&str> = path.split('.').collect();
            assert_eq!(walked(&input, &names), expected, "{path}");
            // Undefined is a decline where the engine answers; nested
            // arrays decline whatever it answers.
            if let Some(v) = &expected {
                assert_eq!(engine(path).as_ref(), Some(v), "the engine on {path}");
            }
            let counted = walked_seq(&input, &names).map(|s| count(&s));
            let engine_count = by_engine(&format!("$count($states.input.{path})"), &input).unwrap();
            if counted.is_some() {
                assert_eq!(counted, engine_count, "$count of {path}");
            }
        }
        assert_eq!(walked_seq(&input, &["rows", "missing"]).map(|s| count(&s)), Some(json!(0)));
        assert_eq!(walked_seq(&input, &["rows", "v"]), None, "[8] is an array in the sequence");
    }

    #[test]
    fn sequence_functions_agree_with_the_engine() {
        let engine = |text: String| by_engine(&text, &json!({})).unwrap();
        let sequences = [
            json!([2, "a", 2.0, "a", 1, null, null]),
            json!([3, 1.5, -2, 1.5, 10]),
            json!(["b", "B", "a", "é", "b"]),
            json!([{"a": 1}, 2]),
            json!([1, 1.0]),
            json!([true, false, true]),
        ];
        let mut answered = 0;
        for items in &sequences {
            let list = items.as_array().unwrap();
            type Unary = fn(&[Value]) -> Option<Value>;
            let unary: [(&str, Unary); 3] = [("$reverse", reverse), ("$distinct", distinct), ("$sort", sort)];
            for (name, f) in unary {
                if let Some(v) = f(list) {
                    assert_eq!(Some(v), engine(format!("{name}({items})")), "{name}({items})");
                    answered += 1;
                }
            }
            for other in &sequences {
                let v = append(list, other.as_array().unwrap());
                assert_eq!(v, engine(format!("$append({items}, {other})")), "$append({items}, {other})");
            }
        }
        assert!(answered >= 10, "only {answered} compiled answers");
    }

    #[test]
    fn string_functions_agree_with_the_engine() {
        let engine = |text: String| by_engine(&text, &json!({})).unwrap();
        let texts = [json!("hello world"), json!("héllo😀 a😀b"), json!(""), json!("aaa")];
        let parts = [json!(" "), json!("l"), json!(""), json!("😀"), json!("a"), json!("zz")];
        let limits = [None, Some(json!(0)), Some(json!(1)), Some(json!(1.5))];
        let mut answered = 0;
        for t in &texts {
            for p in &parts {
                for (after, name) in [(false, "$substringBefore"), (true, "$substringAfter")] {
                    let v = substring_around(t, p, after);
                    assert_eq!(v, engine(format!("{name}({t}, {p})")), "{name}({t}, {p})");
                }
                for limit in &limits {
                    let Some(v) = replace(t, p, &json!("<$0>"), limit.as_ref()) else { continue };
                    let limit = limit.as_ref().map_or(String::new(), |l| format!(", {l}"));
                    let text = format!("$replace({t}, {p}, \"<$0>\"{limit})");
                    assert_eq!(Some(v), engine(text.clone()), "{text}");
                    answered += 1;
                }
            }
        }
        assert!(answered > 40, "{answered}");
        assert_eq!(replace(&json!("a"), &json!(""), &json!("b"), None), None, "an empty pattern is an error");
        assert_eq!(replace(&json!("a"), &json!("a"), &json!("b"), Some(&json!(-1))), None);
    }

    #[test]
    fn string_writes_what_the_engine_writes() {
        let values =
            [json!({"a": [1, 2.5, null], "b": "é\n"}), json!(0.1), json!(1e21), json!(-0.000001), json!([true])];
        let input = json!({"v": values});
        for (i, v) in values.iter().enumerate() {
            for (suffix, prettify) in [("", None), (", true", Some(json!(true))), (", false", Some(json!(false)))] {
                let text = format!("$string($states.input.v[{i}]{suffix})");
                let engine = by_engine(&text, &input);
                assert_eq!(string(v, prettify.as_ref()), engine.unwrap(), "{text}");
            }
        }
    }

    #[test]
    fn conversions_beyond_ascii_and_digits_are_the_engine_s() {
        let values = [
            json!("1.5"),
            json!(" 42 "),
            json!("0x1F"),
            json!("1e3"),
            json!("abc"),
            json!("-0"),
            json!("007"),
            json!(true),
            json!(null),
            json!("héllo😀"),
            json!("straße"),
            json!("ÉCOLE"),
            json!(12),
        ];
        let input = json!({"v": values});
        let mut answered = 0;
        for (i, v) in values.iter().enumerate() {
            for (f, ours) in [
                ("$number", to_number(v)),
                ("$length", length(v)),
                ("$uppercase", case(v, true)),
                ("$lowercase", case(v, false)),
            ] {
                let text = format!("{f}($states.input.v[{i}])");
                let engine = by_engine(&text, &input);
                if let Some(ours) = ours {
                    assert_eq!(Ok(Some(ours)), engine, "{text}");
                    answered += 1;
                }
            }
        }
        assert!(answered >= 25, "{answered}");
    }

    #[test]
    fn formats_and_encodings_are_the_engine_s() {
        let values = [
            json!(1234.5),
            json!(-0.126),
            json!(7),
            json!("héllo wörld?&=/#"),
            json!("aGk="),
            json!("%E2%82"),
            json!(null),
        ];
        let input = json!({"v": values});
        let mut answered = 0;
        for (i, v) in values.iter().enumerate() {
            for picture in ["#,##0.00", "0.0e0", "000", "#%"] {
                let text = format!("$formatNumber($states.input.v[{i}], '{picture}')");
                if let Some(ours) = format_number(v, &json!(picture)) {
                    assert_eq!(Ok(Some(ours)), by_engine(&text, &input), "{text}");
                    answered += 1;
                }
            }
            for f in
                ["base64encode", "base64decode", "encodeUrl", "decodeUrl", "encodeUrlComponent", "decodeUrlComponent"]
            {
                let text = format!("${f}($states.input.v[{i}])");
                if let Some(ours) = encoding(f, v) {
                    assert_eq!(Ok(Some(ours)), by_engine(&text, &input), "{text}");
                    answered += 1;
                }
            }
        }
        assert!(answered >= 20, "{answered}");
    }

    #[test]
    fn the_clock_reads_as_the_engine_writes_it() {
        let engine = |text: &str| by_engine(text, &json!({})).unwrap().unwrap();
        let (ours, theirs) = (now(), engine("$now()"));
        let time = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
        assert_eq!(ours.as_str().map(str::len), theirs.as_str().map(str::len), "{ours} {theirs}");
        assert!(ours.as_str().is_some_and(|s| s.ends_with('Z')), "{ours}");
        assert!((time(&ours) - time(&theirs)).num_seconds().abs() < 5);
        let (ours, theirs) = (millis(), engine("$millis()"));
        assert!((ours.as_f64().unwrap() - theirs.as_f64().unwrap()).abs() < 5000.0, "{ours} {theirs}");
        assert!(ours.is_i64());
    }

    #[test]
    fn partition_chunks_arrays_and_declines_the_rest() {
        assert_eq!(partition(&json!([1, 2, 3]), &json!(2)), Some(json!([[1, 2], [3]])));
        assert_eq!(partition(&json!([1, 2, 3]), &json!(1.5)), Some(json!([[1], [2], [3]])));
        assert_eq!(partition(&json!([1]), &json!(5)), Some(json!([[1]])));
        assert_eq!(partition(&json!([]), &json!(2)), Some(json!([])));
        assert_eq!(partition(&json!([1]), &json!(0)), None);
        assert_eq!(partition(&json!("ab"), &json!(1)), None);
    }

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
        let exists = |v: &Value, names: &[&str]| walk(v, names).map(|w| w.is_some());
        assert_eq!(exists(&json!({"a": {"b": null}}), &["a", "b"]), Some(true));
        assert_eq!(exists(&json!({"a": 1}), &["a", "b"]), Some(false));
        assert_eq!(exists(&json!({"a": [{"b": 1}]}), &["a", "b"]), Some(true));
        assert_eq!(exists(&json!({"a": [[{"b": 1}]]}), &["a", "b"]), None);
        assert_eq!(member_seq(&json!({"a": [1, 2]}), "a").map(count), Some(json!(2)));
        assert_eq!(member_seq(&json!({"a": 5}), "missing").map(count), Some(json!(0)));
        assert_eq!(member_seq(&json!({"a": [[1], 2]}), "a"), None);
        assert_eq!(sum(&[json!(1), json!(2.5)]), Some(json!(3.5)));
        assert_eq!(sum(&[json!(1), json!("2")]), None);
        assert_eq!(join(&[json!("a"), json!("b")], Some(&json!("-"))), Some(json!("a-b")));
        assert_eq!(string(&json!(12), None), Some(json!("12")));
        assert_eq!(string(&json!(0.1), None), Some(json!("0.1")));
        assert_eq!(string(&json!({"a": [1, 2.5]}), None), Some(json!("{\"a\":[1,2.5]}")));
        assert_eq!(string(&json!(1), Some(&json!("yes"))), None);
        assert_eq!(to_number(&json!("-42")), Some(json!(-42)));
        assert_eq!(to_number(&json!("0x10")), Some(json!(16)));
        assert_eq!(to_number(&json!({})), None);
        assert_eq!(length(&json!("é")), Some(json!(1)));
        assert_eq!(length(&json!(1)), None);
        assert_eq!(case(&json!("aB"), true), Some(json!("AB")));
        assert_eq!(rounding(&json!(-2.5), f64::floor), Some(json!(-3)));
        assert_eq!(split(&json!("a,b"), &json!(","), None), Some(json!(["a", "b"])));
        assert_eq!(split(&json!("a,b,c"), &json!(","), Some(&json!(2))), Some(json!(["a", "b"])));
        assert_eq!(split(&json!("é"), &json!(""), None), None);
        assert_eq!(keys(&json!({"a": 1, "b": 2})), Some(json!(["a", "b"])));
        assert_eq!(keys(&json!({"a": 1})), None);
        assert_eq!(keys(&json!({})), None);
        assert_eq!(merge(&[json!({"a": 1}), json!({"b": 2, "a": 3.0})]), Some(json!({"a": 3, "b": 2})));
        assert_eq!(merge(&[json!(1)]), None);
        assert_eq!(range(&json!(1), &json!(1), &json!(1)), Some(json!(1)));
        assert_eq!(range(&json!(3), &json!(1), &json!(1)), Some(json!([])));
        assert_eq!(range(&json!(-9e18), &json!(9e18), &json!(1)), None);
        assert_eq!(parse(&json!("[1, 2.0]")), Some(json!([1, 2])));
        assert_eq!(at(&json!({"l": [1, 2]}), "l", -1), Some(&json!(2)));
        assert_eq!(at(&json!({"l": 5}), "l", 0), Some(&json!(5)));
        assert_eq!(at(&json!({"l": [1]}), "l", 1), None);
        assert_eq!(at(&json!({"l": [[1]]}), "l", 0), None);
        assert_eq!(random(Some(&json!("seed"))), None);
        assert_eq!(append(&[json!(1)], &[json!("a"), json!(2.0)]), Some(json!([1, "a", 2])));
        assert_eq!(append(&[], &[json!(1)]), None);
        assert_eq!(reverse(&[json!(1), json!({"a": 2})]), Some(json!([{"a": 2}, 1])));
        assert_eq!(reverse(&[json!(1)]), None);
        assert_eq!(distinct(&[json!(2), json!("a"), json!(2.0), json!("a"), json!(1)]), Some(json!([2, "a", 1])));
        assert_eq!(distinct(&[json!(2), json!(2.0)]), None);
        assert_eq!(distinct(&[json!(2), json!({"a": 1})]), None);
        assert_eq!(sort(&[json!(3), json!(1.5), json!(-2)]), Some(json!([-2, 1.5, 3])));
        assert_eq!(sort(&[json!("b"), json!("B"), json!("a")]), Some(json!(["B", "a", "b"])));
        assert_eq!(sort(&[json!("b"), json!(1)]), None);
    }
}
