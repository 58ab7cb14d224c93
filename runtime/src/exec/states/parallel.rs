use super::Cx;
use crate::error::StatesError;
use crate::exec::history::Cursor;
use crate::exec::{Flow, Step};
use crate::machine::Container;
use crate::vars::Vars;
use futures::future::try_join_all;
use serde_json::Value;

/// Parallel: every branch gets the effective input, in its own variable
/// scope; the result lists their outputs in branch order. The first branch
/// to fail fails the state with its own error, and the others are dropped.
pub(crate) async fn parallel(cx: &Cx<'_>, raw: Value, branches: &[Container]) -> Result<Step, StatesError> {
    cx.with_policy(raw, |_, effective| async move {
        cx.flow.event("ParallelStateStarted", None);
        let runs = branches.iter().map(|b| {
            let flow = Flow {
                vars: Vars::child(&cx.flow.vars),
                cursor: Cursor::new(cx.flow.cursor.last()),
                history: cx.flow.history.clone(),
            };
            cx.nested.run(b, effective.clone(), flow)
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
