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
        // TestState: the mock is the branches' result.
        if let Some(answer) = cx.probe().and_then(|p| p.mock.clone()) {
            return answer;
        }
        let resumed = cx.start_children();
        if resumed.is_none() {
            cx.flow.event("ParallelStateStarted", None);
        }
        let SavedChildren { mut done, mut open } = resumed.unwrap_or_default();
        let runs = branches.iter().enumerate().map(|(i, b)| {
            let finished = done.remove(&i);
            let saved = open.remove(&i);
            let input = Value::clone(&effective);
            async move {
                match finished {
                    Some(d) => d.into_result(),
                    None => cx.run_child(b, i, input, Vars::child(&cx.flow.vars), cx.flow.history.clone(), saved).await,
                }
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
