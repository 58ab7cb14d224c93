use super::{Cx, Step};
use crate::env::Env;
use crate::error::StatesError;
use crate::machine::{Fail, FailText};
use serde_json::Value;

/// Fail: raises its error and cause, which may come from paths or
/// string-returning intrinsics.
pub(crate) fn fail(cx: &Cx<'_>, raw: Value, f: &Fail) -> Result<Step, StatesError> {
    let context = cx.context(None);
    // Fail has no InputPath: AWS shows its input as the step's value.
    cx.record("afterInputPath", &raw);
    let env = Env { input: &raw, context: &context, vars: &cx.flow.vars };
    let text = |t: &Option<FailText>, field: &str| -> Result<Option<String>, StatesError> {
        Ok(match t {
            None => None,
            Some(FailText::Literal(s)) => Some(s.clone()),
            Some(FailText::Path(p)) => {
                let v = env.read(p).map_err(|_| {
                    StatesError::runtime(format!(
                        "The JSONPath '{}' specified for the field '{field}' could not be found in the input '{raw}'",
                        p.text
                    ))
                })?;
                Some(crate::io::bare_text(&v))
            }
            Some(FailText::Call(c)) => Some(crate::io::bare_text(&c.eval(&env)?)),
            Some(FailText::Jsonata(e)) => {
                let location = if field == "ErrorPath" { "Error" } else { "Cause" };
                let states = cx.states(&raw, &context, None);
                match crate::jsonata::eval_required(e, location, &states, &cx.flow.vars)? {
                    Value::String(s) => Some(s),
                    other => return Err(crate::jsonata::unexpected_type(&e.text, location, "string", &other)),
                }
            }
        })
    };
    let error = text(&f.error, "ErrorPath")?;
    let cause = text(&f.cause, "CausePath")?;
    Err(StatesError::failed(error, cause))
}
