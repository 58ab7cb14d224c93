use super::Cx;
use crate::env::Env;
use crate::error::{names, StatesError};
use crate::exec::history::History;
use crate::exec::journal::SavedChildren;
use crate::exec::map_run::{self, MapRun};
use crate::exec::Step;
use crate::jsonata::{eval_required, unexpected_type};
use crate::machine::{ItemSelector, Map, NumberField};
use crate::path::Root;
use crate::vars::Vars;
use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// How many iterations an Inline Map runs at once at most (AWS's limit).
const INLINE_CONCURRENCY: usize = 40;

/// Reads a number field of the Map (a literal, a `…Path` or JSONata).
fn number(
    env: &Env<'_>,
    states: &Value,
    field: &Option<NumberField>,
    name: &str,
    float: bool,
) -> Result<Option<f64>, StatesError> {
    match field {
        None => Ok(None),
        Some(NumberField::Literal(n)) => Ok(n.as_f64()),
        Some(NumberField::Path(p)) => {
            let v = env.read(p).map_err(|e| StatesError::runtime(format!("Invalid path '{}' : {e}", p.text)))?;
            // Numeric strings are accepted ("1"), as AWS does.
            let n = match &v {
                Value::Number(n) if float || n.is_i64() || n.is_u64() => n.as_f64(),
                Value::String(s) if float => s.trim().parse::<f64>().ok(),
                Value::String(s) => s.trim().parse::<i64>().ok().map(|i| i as f64),
                _ => None,
            };
            n.map(Some).ok_or_else(|| {
                StatesError::runtime(format!(
                    "The {name}Path field refers to value \"{}\" which is not a valid {}: {}",
                    crate::io::bare_text(&v),
                    if float { "float" } else { "integer" },
                    p.text
                ))
            })
        }
        Some(NumberField::Jsonata(e)) => {
            let v = eval_required(e, name, states, env.vars)?;
            match v.as_f64().filter(|n| float || n.fract() == 0.0) {
                Some(n) => Ok(Some(n)),
                None => Err(unexpected_type(&e.text, name, if float { "number" } else { "integer" }, &v)),
            }
        }
    }
}

/// Map: runs the processor once per item (or batch), at most
/// `MaxConcurrency` at a time, and collects the outputs in item order.
pub(crate) async fn map(cx: &Cx<'_>, raw: Value, m: &Map) -> Result<Step, StatesError> {
    cx.with_policy(raw, |_, effective| async move {
        let context = cx.context(Some(0));
        let env = Env { input: &effective, context: &context, vars: &cx.flow.vars };
        let states = cx.states(&effective, &context, None);
        let max_concurrency = number(&env, &states, &m.max_concurrency, "MaxConcurrency", false)?.unwrap_or(0.0);
        let tolerated_count = number(&env, &states, &m.tolerated_failure_count, "ToleratedFailureCount", false)?;
        if tolerated_count.is_some_and(|c| c < 0.0) {
            return Err(StatesError::runtime("ToleratedFailureCount cannot be negative."));
        }
        let tolerated_pct = number(&env, &states, &m.tolerated_failure_percentage, "ToleratedFailurePercentage", true)?;
        if tolerated_pct.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
            return Err(StatesError::runtime("ToleratedFailurePercentage must be between 0 and 100."));
        }
        // TestState may give what an ItemReader would read.
        let read = m.item_reader.as_ref().and(cx.probe()).and_then(|p| p.reader_data.clone());
        let vars = &cx.flow.vars;
        let compiled = || cx.io.items.and_then(|f| f(&effective, vars, &context));
        let selected = match (&m.items, &m.items_path) {
            _ if read.is_some() => read.unwrap_or_default(),
            _ if let Some(items) = compiled() => items,
            (Some(t), _) => match t.eval("Items", &states, vars)? {
                v @ Value::Array(_) => v,
                other => return Err(unexpected_type(&t.text(), "Items", "array", &other)),
            },
            (None, Some(p)) => {
                let items =
                    env.read(p).map_err(|e| StatesError::runtime(format!("Invalid path '{}' : {e}", p.text)))?;
                // Items from the context object are an array, or AWS's
                // error naming the path as read within it (`$.Execution…`);
                // only the input's objects iterate as Key and Value.
                if p.root == Root::Context && !items.is_array() {
                    let within = p.text.strip_prefix('$').unwrap_or(&p.text);
                    return Err(StatesError::runtime(format!("Reference path \"{within}\" must point to array.")));
                }
                items
            }
            (None, None) if cx.jsonata() && !effective.is_array() => {
                return Err(StatesError::scoped(
                    names::QUERY_EVALUATION_ERROR,
                    format!("Map state input must be an array but was: {effective}"),
                ));
            }
            (None, None) => Value::clone(&effective),
        };
        cx.record("afterItemsPath", &selected);
        cx.record("maxConcurrency", &json!(max_concurrency as u64));
        if let Some(c) = tolerated_count {
            cx.record("toleratedFailureCount", &json!(c as u64));
        }
        if let Some(p) = tolerated_pct {
            cx.record("toleratedFailurePercentage", &json!(p));
        }
        let items: Vec<(Option<String>, Value)> = match selected {
            Value::Array(a) => a.into_iter().map(|v| (None, v)).collect(),
            Value::Object(o) => o.into_iter().map(|(k, v)| (Some(k), v)).collect(),
            other => {
                return Err(StatesError::runtime(format!("Map state input must be an array but was: {other}")));
            }
        };
        let mut inputs = Vec::with_capacity(items.len());
        for (i, (key, value)) in items.into_iter().enumerate() {
            let compiled = cx.io.item.filter(|_| key.is_none());
            if let Some(input) = compiled.and_then(|f| f(&effective, i, &value, vars, &context)) {
                inputs.push(input);
                continue;
            }
            let input = match &m.item_selector {
                Some(ItemSelector::Template(t)) => {
                    let mut c = context.clone();
                    c.map_item = Some(item_context(i, key.as_deref(), value));
                    t.eval(&Env { input: &effective, context: &c, vars: &cx.flow.vars })?
                }
                Some(ItemSelector::Jsonata(t)) => {
                    let mut c = context.clone();
                    c.map_item = Some(item_context(i, key.as_deref(), value));
                    t.eval("ItemSelector", &cx.states(&effective, &c, None), &cx.flow.vars)?
                }
                None => match key {
                    Some(k) => json!({ "Key": k, "Value": value }),
                    None => value,
                },
            };
            inputs.push(input);
        }
        if m.item_selector.is_some() {
            cx.record("afterItemSelector", &Value::Array(inputs.clone()));
        }
        let inputs = batch(&env, m, inputs)?;
        if m.item_batcher.is_some() {
            cx.record("afterItemBatcher", &Value::Array(inputs.clone()));
        }
        let n = inputs.len();
        if let Some(p) = cx.probe() {
            return mocked(p, n, tolerated_count, tolerated_pct);
        }
        let resumed = cx.start_children();
        if resumed.is_none() {
            cx.flow.event("MapStateStarted", Some(("mapStateStartedEventDetails", json!({ "length": n }))));
        }
        // A Distributed Map runs its iterations as the child executions of
        // a Map Run: their events are theirs, not the parent's.
        let run = m.distributed.then(|| {
            let batched = m.item_batcher.is_some();
            let sizes = inputs.iter().map(|i| if batched { i["Items"].as_array().map_or(0, Vec::len) } else { 1 });
            let (execution, machine) = &cx.exec.arns;
            let mut r =
                MapRun::new(machine, execution, &cx.state.name, cx.entered, m.label.as_deref(), sizes.collect());
            r.max_concurrency = max_concurrency as u64;
            r.tolerated_failure_count = tolerated_count.unwrap_or(0.0) as u64;
            r.tolerated_failure_percentage = tolerated_pct.unwrap_or(0.0);
            if resumed.is_none() {
                cx.flow.event_with("MapRunStarted", || ("mapRunStartedEventDetails", json!({ "mapRunArn": r.arn })));
            }
            let r = Rc::new(RefCell::new(r));
            if let Some(sink) = &cx.exec.map_runs {
                sink(&r);
            }
            r
        });
        let run = run.as_ref();
        let SavedChildren { done, open } = resumed.unwrap_or_default();
        let (done, open) = (RefCell::new(done), RefCell::new(open));
        let (done, open) = (&done, &open);
        let limit = if max_concurrency >= 1.0 { max_concurrency as usize } else { n.max(1) };
        // An Inline Map runs at most 40 iterations at once, as AWS does; a
        // Map Run admits its children itself (UpdateMapRun may change how
        // many at once).
        let limit = if m.distributed { n.max(1) } else { limit.min(INLINE_CONCURRENCY) };
        let name = &cx.state.name;
        let runs = stream::iter(inputs.into_iter().enumerate())
            .map(|(i, input)| async move {
                if let Some(d) = done.borrow_mut().remove(&i) {
                    let out = d.into_result();
                    if let Some(r) = run {
                        map_run::release(r, i, out.is_ok());
                    }
                    return out;
                }
                let (vars, history) = if m.distributed {
                    let mut own = History::new(false);
                    own.keep_trace(cx.flow.history.borrow().trace().cloned());
                    (Vars::root(), Rc::new(RefCell::new(own)))
                } else {
                    (Vars::child(&cx.flow.vars), cx.flow.history.clone())
                };
                let details = || json!({ "index": i, "name": name });
                // A resumed iteration had started before the restart.
                let saved = open.borrow_mut().remove(&i);
                if let Some(r) = run {
                    map_run::admit(r, i).await;
                } else if saved.is_none() {
                    cx.flow.event_with("MapIterationStarted", || ("mapIterationStartedEventDetails", details()));
                }
                let out = cx.run_child(&m.processor, i, input, vars, history, saved).await;
                if let Some(r) = run {
                    map_run::release(r, i, out.is_ok());
                } else if out.is_ok() {
                    cx.flow.event_with("MapIterationSucceeded", || ("mapIterationSucceededEventDetails", details()));
                } else {
                    cx.flow.event_with("MapIterationFailed", || ("mapIterationFailedEventDetails", details()));
                }
                out
            })
            .buffered(limit);
        let tolerant = tolerated_count.is_some_and(|c| c > 0.0) || tolerated_pct.is_some_and(|p| p > 0.0);
        let outputs: Vec<Result<Value, StatesError>> = if tolerant {
            runs.collect().await
        } else {
            // Without tolerance the first failure ends the Map; the
            // remaining iterations are not started.
            let mut out = Vec::with_capacity(n);
            let mut runs = std::pin::pin!(runs);
            while let Some(r) = runs.next().await {
                let failed = r.is_err();
                out.push(r);
                if failed {
                    break;
                }
            }
            out
        };
        let failures = outputs.iter().filter(|r| r.is_err()).count();
        let failed = if failures == 0 {
            None
        } else if !tolerant {
            Some(outputs.iter().find_map(|r| r.as_ref().err().cloned()).unwrap_or_else(|| StatesError::runtime("")))
        } else {
            // A Map Run's thresholds are the ones UpdateMapRun last set.
            let over = match run {
                Some(r) => r.borrow().over_tolerance(failures),
                None => over_tolerance(failures, n, tolerated_count, tolerated_pct),
            };
            over.then(threshold_exceeded)
        };
        if let Some(e) = failed {
            if let Some(r) = run {
                r.borrow_mut().end("FAILED");
                let details = json!({ "error": e.error, "cause": e.cause });
                cx.flow.event_with("MapRunFailed", || ("mapRunFailedEventDetails", details));
            }
            cx.flow.event("MapStateFailed", None);
            return Err(e);
        }
        if let Some(r) = run {
            r.borrow_mut().end("SUCCEEDED");
            cx.flow.event("MapRunSucceeded", None);
        }
        cx.flow.event("MapStateSucceeded", None);
        Ok(Value::Array(outputs.into_iter().map(|r| r.unwrap_or_else(|e| e.to_error_output())).collect()))
    })
    .await
}

/// TestState's Map: the mock is the iterations' result, and
/// `mapIterationFailureCount` of them failed, which the tolerated failure
/// settings, where the state has them, judge as a run would.
fn mocked(
    probe: &crate::test_state::Probe,
    n: usize,
    tolerated_count: Option<f64>,
    tolerated_pct: Option<f64>,
) -> Result<Value, StatesError> {
    let result =
        probe.mock.clone().unwrap_or_else(|| Err(probe.refuse("TestState needs a mock to test a Map state")))?;
    let failures = probe.map_failures.unwrap_or(0);
    if failures > n as u64 {
        return Err(
            probe.refuse("Map iteration failure count must be less than or equal to the number of Map iterations")
        );
    }
    let judged = tolerated_count.is_some() || tolerated_pct.is_some();
    if judged && over_tolerance(failures as usize, n, tolerated_count, tolerated_pct) {
        return Err(threshold_exceeded());
    }
    Ok(result)
}

/// Whether `failures` of `n` iterations exceed the tolerated failures.
fn over_tolerance(failures: usize, n: usize, count: Option<f64>, pct: Option<f64>) -> bool {
    count.is_none_or(|c| failures as f64 > c) && pct.is_none_or(|p| failures as f64 * 100.0 / n.max(1) as f64 > p)
}

fn threshold_exceeded() -> StatesError {
    StatesError::new(
        names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
        "The specified tolerated failure threshold was exceeded",
    )
}

/// `$$.Map.Item`: the index, the value and, for object items, the key.
fn item_context(index: usize, key: Option<&str>, value: Value) -> Value {
    let mut item = json!({ "Index": index, "Value": value });
    if let Some(k) = key {
        item["Key"] = json!(k);
    }
    item
}

/// Groups iteration inputs per `ItemBatcher`: `{"BatchInput": …, "Items": […]}`.
fn batch(env: &Env<'_>, m: &Map, inputs: Vec<Value>) -> Result<Vec<Value>, StatesError> {
    let Some(Value::Object(b)) = &m.item_batcher else {
        return Ok(inputs);
    };
    let read = |key: &str| -> Result<Option<u64>, StatesError> {
        if let Some(v) = b.get(key) {
            return Ok(v.as_u64());
        }
        match b.get(&format!("{key}Path")).and_then(Value::as_str) {
            Some(p) => {
                let path = crate::path::Path::parse_reference(p).map_err(|e| StatesError::runtime(e.message))?;
                let v = env.read(&path).map_err(|e| StatesError::runtime(format!("Invalid path '{p}' : {e}")))?;
                Ok(v.as_u64())
            }
            None => Ok(None),
        }
    };
    let max_items = read("MaxItemsPerBatch")?.filter(|n| *n > 0).map(|n| n as usize).unwrap_or(usize::MAX);
    let max_bytes = read("MaxInputBytesPerBatch")?.filter(|n| *n > 0).map(|n| n as usize).unwrap_or(usize::MAX);
    let batch_input = match b.get("BatchInput") {
        Some(t) => Some(crate::template::Template::parse(t).map_err(|e| StatesError::runtime(e.reason))?.eval(env)?),
        None => None,
    };
    let mut out = Vec::new();
    let mut cur: Vec<Value> = Vec::new();
    let mut bytes = 0;
    for item in inputs {
        let size = item.to_string().len();
        if !cur.is_empty() && (cur.len() >= max_items || bytes + size > max_bytes) {
            out.push(std::mem::take(&mut cur));
            bytes = 0;
        }
        bytes += size;
        cur.push(item);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out
        .into_iter()
        .map(|items| {
            let mut o = serde_json::Map::new();
            if let Some(bi) = &batch_input {
                o.insert("BatchInput".into(), bi.clone());
            }
            o.insert("Items".into(), Value::Array(items));
            Value::Object(o)
        })
        .collect())
}
