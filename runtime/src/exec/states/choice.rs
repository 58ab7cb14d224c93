use super::{apply_assign, evaluate_assign, Cx, Step, Transition};
use crate::error::{names, StatesError};
use crate::io;
use crate::machine::{Choice, Condition};
use serde_json::Value;

/// Choice: the first rule that holds picks `Next` (and its own `Assign`);
/// otherwise `Default`, otherwise `States.NoChoiceMatched`.
pub(crate) fn choice(cx: &Cx<'_>, raw: Value, c: &Choice) -> Result<Step, StatesError> {
    let context = cx.context(None);
    let effective = cx.selected_input(&raw, &context)?;
    let env = cx.env(&effective, &context);
    let mut picked = None;
    for b in &c.choices {
        let holds = match &b.condition {
            Condition::Rule(r) => r.eval(&env)?,
            Condition::Jsonata(_) => return Err(super::super::jsonata_unsupported()),
        };
        if holds {
            picked = Some((b.next.clone(), b.assign.as_ref()));
            break;
        }
    }
    let (next, assign) = match picked {
        Some(p) => p,
        None => match &c.default {
            Some(d) => (d.clone(), cx.state.assign.as_ref()),
            None => {
                return Err(StatesError::scoped(
                    names::NO_CHOICE_MATCHED,
                    format!("No Choice Rule matched and no Default is specified for the state '{}'", cx.state.name),
                ))
            }
        },
    };
    let assigned = evaluate_assign(assign, &env)?;
    let output = io::select(&env, cx.state.output_path.as_ref())?;
    apply_assign(cx.flow, &assigned);
    Ok(Step { transition: Transition::Next(next), output })
}
