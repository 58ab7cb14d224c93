//! The 18 intrinsic functions, with AWS's argument checks and its observed
//! quirks (Java-style object rendering in `Format`, `Math.round` in `MathAdd`,
//! per-character delimiters in `StringSplit`).

use super::{Arg, Call, JavaRandom};
use crate::env::Env;
use crate::error::StatesError;
use base64::Engine;
use serde_json::{Number, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

impl Function {
    pub fn from_name(name: &str) -> Option<Function> {
        use Function::*;
        Some(match name {
            "States.Format" => Format,
            "States.StringToJson" => StringToJson,
            "States.JsonToString" => JsonToString,
            "States.Array" => Array,
            "States.ArrayPartition" => ArrayPartition,
            "States.ArrayContains" => ArrayContains,
            "States.ArrayRange" => ArrayRange,
            "States.ArrayGetItem" => ArrayGetItem,
            "States.ArrayLength" => ArrayLength,
            "States.ArrayUnique" => ArrayUnique,
            "States.Base64Encode" => Base64Encode,
            "States.Base64Decode" => Base64Decode,
            "States.Hash" => Hash,
            "States.JsonMerge" => JsonMerge,
            "States.MathRandom" => MathRandom,
            "States.MathAdd" => MathAdd,
            "States.StringSplit" => StringSplit,
            "States.UUID" => Uuid,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        use Function::*;
        match self {
            Format => "States.Format",
            StringToJson => "States.StringToJson",
            JsonToString => "States.JsonToString",
            Array => "States.Array",
            ArrayPartition => "States.ArrayPartition",
            ArrayContains => "States.ArrayContains",
            ArrayRange => "States.ArrayRange",
            ArrayGetItem => "States.ArrayGetItem",
            ArrayLength => "States.ArrayLength",
            ArrayUnique => "States.ArrayUnique",
            Base64Encode => "States.Base64Encode",
            Base64Decode => "States.Base64Decode",
            Hash => "States.Hash",
            JsonMerge => "States.JsonMerge",
            MathRandom => "States.MathRandom",
            MathAdd => "States.MathAdd",
            StringSplit => "States.StringSplit",
            Uuid => "States.UUID",
        }
    }

    /// Functions whose result is always a string: the ones a Fail state's
    /// `ErrorPath`/`CausePath` may call.
    pub fn returns_string(self) -> bool {
        use Function::*;
        matches!(self, Format | JsonToString | ArrayGetItem | Base64Encode | Base64Decode | Hash | Uuid)
    }

    pub(super) fn check_arity(self, n: usize) -> Result<(), String> {
        use Function::*;
        let (min, max) = match self {
            Format => (1, usize::MAX),
            Array => (0, usize::MAX),
            StringToJson | JsonToString | ArrayLength | ArrayUnique | Base64Encode | Base64Decode => (1, 1),
            ArrayPartition | ArrayContains | ArrayGetItem | Hash | MathAdd | StringSplit => (2, 2),
            ArrayRange | JsonMerge => (3, 3),
            MathRandom => (2, 3),
            Uuid => (0, 0),
        };
        if n < min || n > max {
            return Err(format!("{} does not take {n} argument(s)", self.name()));
        }
        Ok(())
    }
}

fn fail(function: Function, msg: impl std::fmt::Display) -> StatesError {
    StatesError::intrinsic(format!("Invalid arguments in {}: {msg}", function.name()))
}

impl Call {
    /// Evaluates the call; path arguments read from `env`.
    pub fn eval(&self, env: &Env<'_>) -> Result<Value, StatesError> {
        let mut args = Vec::with_capacity(self.args.len());
        for a in &self.args {
            args.push(match a {
                Arg::Str { value, .. } => Value::String(value.clone()),
                Arg::Literal(v) => v.clone(),
                Arg::Path(p) => env.read(p).map_err(|_| {
                    StatesError::runtime(format!(
                        "The JSONPath '{}' specified for the intrinsic function '{}' could not be found in the input '{}'",
                        p.text, self.text, env.input
                    ))
                })?,
                Arg::Call(c) => c.eval(env)?,
            });
        }
        let raw = match self.args.first() {
            Some(Arg::Str { raw, .. }) => Some(raw.as_str()),
            _ => None,
        };
        apply(self.function, raw, args)
    }
}

/// Applies `function` to evaluated arguments. `format_raw` is a literal
/// first argument as written (with its `\{` escapes), which only
/// `States.Format` reads. Generated code calls this directly.
pub fn apply(function: Function, format_raw: Option<&str>, mut args: Vec<Value>) -> Result<Value, StatesError> {
    use Function::*;
    let call = function;
    if function.check_arity(args.len()).is_err() {
        return Err(fail(call, "wrong number of arguments"));
    }
    Ok(match function {
        Format => {
            let template = match (format_raw, &args[0]) {
                (Some(raw), _) => raw.to_string(),
                (None, Value::String(s)) => s.clone(),
                _ => return Err(fail(call, "the format string must be a string")),
            };
            Value::String(format(call, &template, &args[1..])?)
        }
        StringToJson => {
            let s = string(call, &args[0])?;
            if s.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(s).map_err(|e| fail(call, format!("the string is not JSON: {e}")))?
            }
        }
        JsonToString => Value::String(args[0].to_string()),
        Array => Value::Array(args),
        ArrayPartition => {
            let items = array(call, &args[0])?;
            let size = integer(call, &args[1])?;
            if size <= 0 {
                return Err(fail(call, "the chunk size must be a positive integer"));
            }
            Value::Array(items.chunks(size as usize).map(|c| Value::Array(c.to_vec())).collect())
        }
        ArrayContains => Value::Bool(array(call, &args[0])?.iter().any(|v| json_eq(v, &args[1]))),
        ArrayRange => {
            let (start, end, step) = (integer(call, &args[0])?, integer(call, &args[1])?, integer(call, &args[2])?);
            if step == 0 {
                return Err(fail(call, "the step must not be 0"));
            }
            // In i128: the span of two extreme i64 arguments overflows i64.
            let (start, end, step) = (i128::from(start), i128::from(end), i128::from(step));
            let count =
                if (step > 0 && start > end) || (step < 0 && start < end) { 0 } else { (end - start) / step + 1 };
            if count > 1000 {
                return Err(fail(call, "the range has more than 1000 elements"));
            }
            // Every element lies between start and end, so fits an i64.
            Value::Array((0..count).map(|i| Value::from((start + i * step) as i64)).collect())
        }
        ArrayGetItem => {
            let items = array(call, &args[0])?;
            let idx = integer(call, &args[1])?;
            usize::try_from(idx)
                .ok()
                .and_then(|i| items.get(i))
                .cloned()
                .ok_or_else(|| fail(call, format!("index {idx} is out of bounds")))?
        }
        ArrayLength => Value::from(array(call, &args[0])?.len()),
        ArrayUnique => {
            let mut out: Vec<Value> = Vec::new();
            for v in array(call, &args[0])? {
                if !out.iter().any(|o| json_eq(o, v)) {
                    out.push(v.clone());
                }
            }
            Value::Array(out)
        }
        Base64Encode => {
            let s = limited(call, string(call, &args[0])?)?;
            Value::String(base64::engine::general_purpose::STANDARD.encode(s))
        }
        Base64Decode => {
            let s = limited(call, string(call, &args[0])?)?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|e| fail(call, format!("the string is not Base64: {e}")))?;
            Value::String(String::from_utf8_lossy(&bytes).into_owned())
        }
        Hash => {
            let data = match &args[0] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let data = limited(call, &data)?;
            let alg = string(call, &args[1])?;
            Value::String(crate::hash::hex_digest(alg, data.as_bytes()).map_err(|missing| {
                fail(
                    call,
                    missing.unwrap_or_else(|| {
                        format!("the hash algorithm '{alg}' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512")
                    }),
                )
            })?)
        }
        JsonMerge => {
            if args[2] != Value::Bool(false) {
                return Err(fail(call, "deep merging is not supported: the third argument must be false"));
            }
            let b = args.pop().and(args.pop()).unwrap_or(Value::Null);
            let (Value::Object(mut a), Value::Object(b)) = (args.swap_remove(0), b) else {
                return Err(fail(call, "both values to merge must be JSON objects"));
            };
            for (k, v) in b {
                a.insert(k, v);
            }
            Value::Object(a)
        }
        MathRandom => {
            let start = java_round(call, &args[0])?;
            let end = java_round(call, &args[1])?;
            if end <= start {
                return Err(fail(call, "the end of the range must be greater than its start"));
            }
            let span = i32::try_from(end - start).map_err(|_| fail(call, "the range is too large"))?;
            let offset = match args.get(2) {
                Some(seed) => JavaRandom::new(java_round(call, seed)?).next_int(span),
                None => crate::random::below(span),
            };
            Value::from(start + offset as i64)
        }
        MathAdd => math_add(&args[0], &args[1])?,
        StringSplit => {
            let s = string(call, &args[0])?;
            let delims = string(call, &args[1])?;
            Value::Array(
                s.split(|c| delims.contains(c))
                    .filter(|t| !t.is_empty())
                    .map(|t| Value::String(t.to_string()))
                    .collect(),
            )
        }
        Uuid => Value::String(uuid::Uuid::new_v4().to_string()),
    })
}

fn string(call: Function, v: &Value) -> Result<&str, StatesError> {
    v.as_str().ok_or_else(|| fail(call, format!("expected a string but got {v}")))
}

fn limited(call: Function, s: &str) -> Result<&str, StatesError> {
    if s.chars().count() > 10_000 {
        return Err(fail(call, "the input string is longer than 10000 characters"));
    }
    Ok(s)
}

fn array(call: Function, v: &Value) -> Result<&Vec<Value>, StatesError> {
    v.as_array().ok_or_else(|| fail(call, format!("expected an array but got {v}")))
}

fn integer(call: Function, v: &Value) -> Result<i64, StatesError> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
            .ok_or_else(|| fail(call, format!("expected an integer but got {v}"))),
        _ => Err(fail(call, format!("expected an integer but got {v}"))),
    }
}

/// Java's `Math.round`: half-way values go towards positive infinity.
/// `States.MathAdd`: each number rounded as Java's `Math.round` does, then
/// added; generated code calls it on borrowed arguments.
pub fn math_add(a: &Value, b: &Value) -> Result<Value, StatesError> {
    let call = Function::MathAdd;
    let sum = java_round(call, a)?.checked_add(java_round(call, b)?).ok_or_else(|| fail(call, "the sum overflows"))?;
    Ok(Value::from(sum))
}

fn java_round(call: Function, v: &Value) -> Result<i64, StatesError> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => Ok(i),
            None => n
                .as_f64()
                .map(|f| (f + 0.5).floor())
                .filter(|f| f.abs() < 9.2e18)
                .map(|f| f as i64)
                .ok_or_else(|| fail(call, format!("expected a number but got {v}"))),
        },
        _ => Err(fail(call, format!("expected a number but got {v}"))),
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`).
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => num_eq(x, y),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn num_eq(x: &Number, y: &Number) -> bool {
    match (x.as_i64(), y.as_i64()) {
        (Some(a), Some(b)) => a == b,
        _ => x.as_f64() == y.as_f64(),
    }
}

fn format(call: Function, template: &str, args: &[Value]) -> Result<String, StatesError> {
    let mut out = String::new();
    let mut next = args.iter();
    for piece in format_pieces(template) {
        match piece {
            Piece::Text(t) => out.push_str(&t),
            Piece::Arg => {
                let v = next.next().ok_or_else(|| fail(call, "the format string has more {} than arguments"))?;
                render(v, &mut out);
            }
        }
    }
    if next.next().is_some() {
        return Err(fail(call, "the format string has fewer {} than arguments"));
    }
    Ok(out)
}

/// A part of a `States.Format` template: text, or a `{}` an argument fills.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    Arg,
}

/// A `States.Format` template split at its `{}` (a backslash escapes the
/// character after it). Generated code splits literal templates at build
/// time with it, so both engines read a template the same way.
pub fn format_pieces(template: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => text.extend(chars.next()),
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Arg);
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

/// How AWS's Java implementation turns a value into text inside `Format`:
/// strings raw, objects as `{k=v, …}`, arrays as `[a, b]`.
pub fn render(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                render(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}
