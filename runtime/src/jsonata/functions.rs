//! The functions Step Functions adds to JSONata: `$partition`, `$range`,
//! `$hash`, `$random` (with an optional seed), `$uuid`, `$parse`; and
//! `$eval`, which AWS does not offer.

use super::aws::{hash, partition, random, range};
use super::convert::{from_jvalue, to_jvalue};
use jsonata_core::evaluator::{Evaluator, EvaluatorError};
use jsonata_core::value::JValue;

fn err(msg: impl Into<String>) -> EvaluatorError {
    EvaluatorError::EvaluationError(msg.into())
}

fn int_arg(args: &[JValue], i: usize, f: &str) -> Result<i64, EvaluatorError> {
    // JSONata functions floor non-integer numbers.
    args.get(i)
        .and_then(JValue::as_f64)
        .map(|n| n.floor() as i64)
        .ok_or_else(|| err(format!("T0410: Argument {} of function {f} does not match function signature", i + 1)))
}

pub fn register(ev: &mut Evaluator) -> Result<(), EvaluatorError> {
    ev.register_fn("partition", |args: &[JValue]| {
        let items = args.first().and_then(JValue::as_array).cloned().unwrap_or_default();
        let size = int_arg(args, 1, "$partition")?;
        let chunks = partition(&items, size).map_err(err)?;
        Ok(JValue::from(chunks.into_iter().map(JValue::from).collect::<Vec<_>>()))
    })?;
    ev.register_fn("range", |args: &[JValue]| {
        let (start, end, step) =
            (int_arg(args, 0, "$range")?, int_arg(args, 1, "$range")?, int_arg(args, 2, "$range")?);
        let items: Vec<JValue> = range(start, end, step).map_err(err)?.map(|n| JValue::Number(n as f64)).collect();
        // A one-item result collapses to the item, as a JSONata sequence does.
        Ok(if items.len() == 1 { items[0].clone() } else { JValue::from(items) })
    })?;
    ev.register_fn("hash", |args: &[JValue]| {
        let data = match args.first() {
            Some(JValue::String(s)) => s.to_string(),
            Some(other) => from_jvalue(other).map_err(err)?.map(|v| v.to_string()).unwrap_or_default(),
            None => return Err(err("$hash needs a value and an algorithm")),
        };
        let alg = args.get(1).and_then(JValue::as_str).unwrap_or("");
        hash(&data, alg).map(JValue::from).map_err(err)
    })?;
    ev.register_fn_override("random", |args: &[JValue]| {
        Ok(JValue::Number(random(args.first().and_then(JValue::as_f64))))
    })?;
    ev.register_fn("uuid", |_: &[JValue]| Ok(JValue::from(uuid::Uuid::new_v4().to_string())))?;
    ev.register_fn("parse", |args: &[JValue]| {
        let text = args.first().and_then(JValue::as_str).ok_or_else(|| err("$parse needs a string"))?;
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| err(format!("$parse: {e}")))?;
        Ok(to_jvalue(&v))
    })?;
    ev.register_fn_override("eval", |_: &[JValue]| Err(err("T1006: Attempted to invoke a non-function")))?;
    Ok(())
}
