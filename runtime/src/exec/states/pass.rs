use super::{apply_assign, evaluate_assign, Cx, Step, Transition};
use crate::env::Env;
use crate::error::{names, StatesError};
use crate::exec::states::MAX_PAYLOAD_BYTES;
use crate::io;
use serde_json::Value;

/// Pass: `Result` (verbatim, never a template) or the effective input is
/// the result; `ResultPath` merges it into the raw input.
pub(crate) fn pass(cx: &Cx<'_>, raw: Value, result: Option<&Value>) -> Result<Step, StatesError> {
    let context = cx.context(None);
    let effective = cx.effective_input(&raw, &context)?;
    let result = match result {
        Some(r) => r.clone(),
        None => effective,
    };
    if result.to_string().len() > MAX_PAYLOAD_BYTES {
        return Err(StatesError::new(
            names::DATA_LIMIT_EXCEEDED,
            format!(
                "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                cx.state.name
            ),
        ));
    }
    let env = Env { input: &result, context: &context, vars: &cx.flow.vars };
    let assigned = evaluate_assign(cx.state.assign.as_ref(), &env)?;
    let merged = io::merge_result(raw, result, cx.state.result_path.as_ref())?;
    let env = Env { input: &merged, context: &context, vars: &cx.flow.vars };
    let output = io::select(&env, cx.state.output_path.as_ref())?;
    apply_assign(cx.flow, &assigned);
    Ok(Step { transition: cx.transition(), output })
}

/// Succeed: `InputPath` then `OutputPath`, and the flow ends.
pub(crate) fn succeed(cx: &Cx<'_>, raw: Value) -> Result<Step, StatesError> {
    let context = cx.context(None);
    let selected = cx.selected_input(&raw, &context)?;
    let output = io::select(&cx.env(&selected, &context), cx.state.output_path.as_ref())?;
    Ok(Step { transition: Transition::End, output })
}
