use super::{apply_assign, evaluate_assign, Cx, Step, Transition};
use crate::error::{names, StatesError};
use crate::exec::history::Took;
use crate::io;
use crate::machine::{Choice, Condition};
use serde_json::Value;

/// Choice: the first rule that holds picks `Next` and its own `Assign`
/// (and JSONata `Output`); otherwise `Default` with the state's own;
/// otherwise `States.NoChoiceMatched`.
pub(crate) fn choice(cx: &Cx<'_>, raw: Value, c: &Choice) -> Result<Step, StatesError> {
    let context = cx.context(None);
    let effective = cx.selected_input(&raw, &context)?;
    let env = cx.env(&effective, &context);
    let states = cx.states(&raw, &context, None);
    let mut picked = None;
    for (i, b) in c.choices.iter().enumerate() {
        let holds = match &b.condition {
            Condition::Rule(r) => r.eval(&env)?,
            Condition::Jsonata(t) => {
                let location = format!("Choices[{i}]/Condition");
                match t.eval(&location, &states, &cx.flow.vars)? {
                    Value::Bool(b) => b,
                    other => return Err(crate::jsonata::unexpected_type(&t.text(), &location, "boolean", &other)),
                }
            }
        };
        if holds {
            picked = Some((b.next.clone(), b.assign.as_ref(), b.output.as_ref(), Some(i)));
            break;
        }
    }
    let (next, assign, output, rule) = match picked {
        Some(p) => p,
        None => match &c.default {
            Some(d) => (d.clone(), cx.state.assign.as_ref(), cx.state.output.as_ref(), None),
            None => {
                return Err(StatesError::scoped(
                    names::NO_CHOICE_MATCHED,
                    format!("No Choice Rule matched and no Default is specified for the state '{}'", cx.state.name),
                ))
            }
        },
    };
    cx.flow.history.borrow().took(&cx.state.name, || rule.map_or(Took::Default, Took::Rule));
    let owner = rule.map(|i| format!("Choices[{i}]/")).unwrap_or_default();
    let assigned = evaluate_assign(assign, &env, &states, &owner)?;
    let output = if cx.jsonata() {
        cx.jsonata_output(output, raw, &states, &owner)?
    } else {
        io::select(&env, cx.state.output_path.as_ref())?
    };
    apply_assign(cx.flow, &assigned);
    Ok(Step { transition: Transition::Next(next), output, assigned })
}
