use super::{apply_assign, evaluate_assign, Cx, Step, Transition};
use crate::env::Context;
use crate::error::StatesError;
use crate::exec::states::MAX_PAYLOAD_BYTES;
use crate::io;
use serde_json::Value;

/// Pass: `Result` (verbatim, never a template) or the effective input is
/// the result; `ResultPath` merges it into the raw input. A JSONata Pass
/// outputs its `Output`, or its input.
pub(crate) fn pass(cx: &Cx<'_>, raw: Value, result: Option<&Value>) -> Result<Step, StatesError> {
    let context = cx.context(None);
    if cx.jsonata() {
        return jsonata_passthrough(cx, raw, &context, cx.transition());
    }
    let effective = cx.effective_input(&raw, &context)?;
    let result = match result {
        Some(r) => {
            cx.record("result", r);
            r.clone()
        }
        None => effective,
    };
    if !crate::io::fits(&result, MAX_PAYLOAD_BYTES) {
        return Err(StatesError::result_too_large(&cx.state.name));
    }
    cx.record("afterResultSelector", &result);
    let assigned = evaluate_assign(cx.state.assign.as_ref(), &cx.env(&result, &context), &Value::Null, "")?;
    let merged = io::merge_result(raw, result, cx.state.result_path.as_ref())?;
    cx.record("afterResultPath", &merged);
    let output = io::select_from(merged, &context, &cx.flow.vars, cx.state.output_path.as_ref())?;
    apply_assign(cx.flow, &assigned);
    Ok(Step { transition: cx.transition(), output, assigned })
}

/// Succeed: `InputPath` then `OutputPath` (or JSONata `Output`), and the flow ends.
pub(crate) fn succeed(cx: &Cx<'_>, raw: Value) -> Result<Step, StatesError> {
    let context = cx.context(None);
    if cx.jsonata() {
        return jsonata_passthrough(cx, raw, &context, Transition::End);
    }
    let selected = cx.selected_input(&raw, &context)?;
    let output = io::select_from(selected, &context, &cx.flow.vars, cx.state.output_path.as_ref())?;
    Ok(Step { transition: Transition::End, output, assigned: None })
}

/// A JSONata state without work: `Assign`, then `Output` (default: the input).
pub(crate) fn jsonata_passthrough(
    cx: &Cx<'_>,
    raw: Value,
    context: &Context<'_>,
    transition: Transition,
) -> Result<Step, StatesError> {
    let states = cx.states(&raw, context, None);
    let assigned = evaluate_assign(cx.state.assign.as_ref(), &cx.env(&raw, context), &states, "")?;
    let output = cx.jsonata_output(cx.state.output.as_ref(), raw, &states, "")?;
    // The output a JSONata Pass makes is its result, held to the payload
    // limit as a JSONPath `Result` is.
    if !crate::io::fits(&output, MAX_PAYLOAD_BYTES) {
        return Err(StatesError::result_too_large(&cx.state.name));
    }
    apply_assign(cx.flow, &assigned);
    Ok(Step { transition, output, assigned })
}
