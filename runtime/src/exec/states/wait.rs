use super::{apply_assign, evaluate_assign, Cx, Step};
use crate::error::{names, StatesError};
use crate::io::{self, bare_text};
use crate::jsonata::{eval_required, Expr};
use crate::machine::WaitFor;
use crate::timestamp;
use serde_json::Value;
use std::time::Duration;

/// AWS refuses to wait 2^31 seconds or more.
const MAX_WAIT_SECS: i64 = 1 << 31;

/// A `SecondsPath` value as whole seconds: an integer, or a float
/// without a fraction.
fn whole_seconds(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
}

/// What generated code waits for a `SecondsPath` that selected `v`:
/// `None` where the runtime raises an error instead.
pub fn path_seconds(v: &Value) -> Option<Duration> {
    whole_seconds(v).and_then(|n| u64::try_from(n).ok()).map(Duration::from_secs)
}

/// What generated code waits for a JSONata `Seconds` that gave `v`: a
/// non-negative integer, else `None` where the runtime raises an error.
pub fn expr_seconds(v: &Value) -> Option<Duration> {
    v.as_u64().map(Duration::from_secs)
}

/// What generated code waits for a `Timestamp` from now: `None` where
/// the runtime raises an error instead (not a timestamp, too far ahead).
pub fn timestamp_delay(t: &str) -> Option<Duration> {
    until(t, "", "").ok()
}

/// What generated code waits for a `TimestampPath` that selected `v` (a
/// string, as the runtime requires).
pub fn path_timestamp(v: &Value) -> Option<Duration> {
    v.as_str().and_then(timestamp_delay)
}

/// What generated code waits for a JSONata `Timestamp` that gave `v`
/// (read as its text, as the runtime reads it).
pub fn expr_timestamp(v: &Value) -> Option<Duration> {
    timestamp_delay(&bare_text(v))
}

/// Wait: sleeps for real, then passes its input on.
pub(crate) async fn wait(cx: &Cx<'_>, raw: Value, w: &WaitFor) -> Result<Step, StatesError> {
    let context = cx.context(None);
    let effective = cx.selected_input(&raw, &context)?;
    let env = cx.env(&effective, &context);
    let states = cx.states(&raw, &context, None);
    let delay = match w {
        WaitFor::Seconds(s) => Duration::from_secs(*s),
        WaitFor::Timestamp(t) => until(t, names::RUNTIME, "The Timestamp field")?,
        WaitFor::SecondsPath(p) => {
            let v = env.read(p).map_err(|_| {
                StatesError::runtime(format!("The SecondsPath parameter does not reference an input value: {}", p.text))
            })?;
            match whole_seconds(&v) {
                Some(n) if n < 0 => {
                    return Err(StatesError::runtime(format!(
                        "The SecondsPath parameter references a negative value: {} == {v}",
                        p.text
                    )))
                }
                Some(n) => Duration::from_secs(n as u64),
                None => {
                    return Err(StatesError::runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                        p.text,
                        bare_text(&v)
                    )))
                }
            }
        }
        WaitFor::TimestampPath(p) => {
            let v = env.read(p).map_err(|_| {
                StatesError::runtime(format!(
                    "The TimestampPath parameter does not reference an input value: {}",
                    p.text
                ))
            })?;
            let text = v.as_str().filter(|s| timestamp::parse(s).is_some()).ok_or_else(|| {
                StatesError::runtime(format!(
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}",
                    p.text,
                    bare_text(&v)
                ))
            })?;
            until(text, names::RUNTIME, "The TimestampPath parameter")?
        }
        WaitFor::SecondsExpr(e) => seconds(e, &states, cx)?,
        WaitFor::TimestampExpr(e) => {
            let v = eval_required(e, "Timestamp", &states, &cx.flow.vars)?;
            until(&bare_text(&v), names::QUERY_EVALUATION_ERROR, "The Timestamp field")?
        }
    };
    let assigned = evaluate_assign(cx.state.assign.as_ref(), &env, &states, "")?;
    // After a restart, the deadline the Wait first had. TestState does
    // not wait.
    match cx.resumed_wait() {
        Some(left) => tokio::time::sleep(left).await,
        None if cx.probe().is_some() => {}
        None => cx.sleep(delay).await,
    }
    let output = if cx.jsonata() {
        cx.jsonata_output(cx.state.output.as_ref(), raw, &states, "")?
    } else {
        io::select(&env, cx.state.output_path.as_ref())?
    };
    apply_assign(cx.flow, &assigned);
    Ok(Step { transition: cx.transition(), output, assigned })
}

fn seconds(e: &Expr, states: &Value, cx: &Cx<'_>) -> Result<Duration, StatesError> {
    let v = eval_required(e, "Seconds", states, &cx.flow.vars)?;
    match expr_seconds(&v) {
        Some(d) => Ok(d),
        None => Err(StatesError::scoped(
            names::QUERY_EVALUATION_ERROR,
            format!("The Seconds field must be a non-negative integer, but was: {v}"),
        )),
    }
}

fn until(t: &str, error: &str, field: &str) -> Result<Duration, StatesError> {
    let target = timestamp::parse(t).ok_or_else(|| {
        StatesError::scoped(
            error,
            format!("{field} cannot be parsed as an ISO-8601 extended offset date-time format string: {t}"),
        )
    })?;
    let millis = (target.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_milliseconds();
    if millis / 1000 >= MAX_WAIT_SECS {
        return Err(StatesError::runtime("Wait state delay is too long."));
    }
    Ok(Duration::from_millis(millis.max(0) as u64))
}
