use super::Cx;
use crate::error::StatesError;
use crate::exec::journal::SavedChildren;
use crate::exec::Step;
use crate::machine::Container;
use crate::vars::Vars;
use futures::future::try_join_all;
use serde_json::Value;

/// Parallel: every branch gets the effective input, in its own variable
/// scope; the result lists their outputs in branch order. The first branch
/// to fail fails the state with its own error, and the others are dropped.
pub(crate) async fn parallel(cx: &Cx<'_>, raw: Value, branches: &[Container]) -> Result<Step, StatesError> {
    cx.with_policy(raw, |_, effective| async move {
        let resumed = cx.start_children();
        if resumed.is_none() {
            cx.flow.event("ParallelStateStarted", None);
        }
        let SavedChildren { mut done, mut open } = resumed.unwrap_or_default();
        let runs = branches.iter().enumerate().map(|(i, b)| {
            let finished = done.remove(&i);
            let saved = open.remove(&i);
            // A branch whose last state was committed has its output.
            let ended = saved.as_ref().filter(|s| s.ended).map(|s| s.input.clone());
            let input = saved.as_ref().map_or_else(|| effective.clone(), |s| s.input.clone());
            let flow = cx.flow.child(Vars::child(&cx.flow.vars), cx.flow.history.clone(), i, &input, saved);
            async move {
                if let Some(d) = finished {
                    return d.into_result();
                }
                let out = match ended {
                    Some(output) => Ok(output),
                    None => cx.nested.run(b, input, flow).await,
                };
                if let Some(slot) = &cx.flow.slot {
                    slot.child_done(i, &out);
                }
                out
            }
        });
        match try_join_all(runs).await {
            Ok(outputs) => {
                cx.flow.event("ParallelStateSucceeded", None);
                Ok(Value::Array(outputs))
            }
            Err(e) => {
                cx.flow.event("ParallelStateFailed", None);
                Err(e)
            }
        }
    })
    .await
}
