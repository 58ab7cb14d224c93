//! How generated code runs each state, decided once from the checked model
//! before any code is laid out: `machine.rs` renders plans, it does not
//! make them. A state has at most one direct form, which generated code
//! tries first; every state can still run through the runtime's
//! `run_state` (when it has no direct form, or its direct form declines at
//! run time), with whichever of its I/O steps compiled.

use super::fast::{self, Fast, Shape};
use super::matchers;
use crate::model::{Body, Container, State};
use proc_macro2::{Ident, TokenStream};

/// What generated code does with a state itself.
pub enum Direct<'m> {
    /// A Pass, Choice or Succeed as direct Rust (`fast.rs`).
    Fast(Fast),
    /// A Map or Parallel whose children all run as direct Rust, through
    /// their containers' synchronous runners: its fast function's body.
    Nested(TokenStream),
    /// A Wait that passes its input on, and whose delay compiles.
    Wait(fast::WaitDelay),
    /// A Fail whose Error and Cause are literal, absent or computed from
    /// its input.
    Fail { error: fast::FailText<'m>, cause: fast::FailText<'m> },
}

/// What compiles of a Task, Parallel or Map that runs through
/// `run_state`: its I/O steps and variables around the runtime's call,
/// the bodies of its effective-input and output functions (`fast::io`),
/// a Map's items and iteration inputs (`fast::map_steps`), its Retry
/// and Catch matchers (`matchers::selecting`) and what its catchers output
/// and assign (`fast::caught`).
#[derive(Default)]
pub struct IoSteps {
    pub effective: Option<TokenStream>,
    pub output: Option<TokenStream>,
    pub items: Option<TokenStream>,
    pub item: Option<TokenStream>,
    pub retrier: Option<TokenStream>,
    pub catcher: Option<TokenStream>,
    pub caught: Option<TokenStream>,
}

/// One state's plan.
pub struct Plan<'m> {
    pub direct: Option<Direct<'m>>,
    pub io: IoSteps,
}

/// Plans every state of a container, in the model's order. `targets`: a
/// state's variant, for Choice rules; `runners(i)`: the synchronous runners
/// of state `i`'s children when it is a Map or Parallel and they all have
/// one.
pub fn container<'m>(
    c: &'m Container,
    targets: &dyn Fn(&str) -> Option<TokenStream>,
    runners: &dyn Fn(usize) -> Option<Vec<Ident>>,
) -> Vec<Plan<'m>> {
    c.states.values().enumerate().map(|(i, s)| state(s, targets, runners(i))).collect()
}

fn state<'m>(s: &'m State, targets: &dyn Fn(&str) -> Option<TokenStream>, runners: Option<Vec<Ident>>) -> Plan<'m> {
    let direct = if let Some(f) = fast::fast(s, targets) {
        Some(Direct::Fast(f))
    } else if let Some(body) = runners.and_then(|r| nested(s, &r)) {
        Some(Direct::Nested(body))
    } else if let Some(seconds) = fast::wait(s) {
        Some(Direct::Wait(seconds))
    } else {
        fast::fail(s).map(|(error, cause)| Direct::Fail { error, cause })
    };
    let (effective, output) = fast::io(s);
    let (items, item) = fast::map_steps(s);
    let retrier = matchers::selecting(s.retry.iter().map(|r| r.error_equals.as_slice()));
    let catcher = matchers::selecting(s.catch.iter().map(|c| c.error_equals.as_slice()));
    let caught = fast::caught(s);
    Plan { direct, io: IoSteps { effective, output, items, item, retrier, catcher, caught } }
}

/// A Map's or Parallel's direct Rust form over its children's synchronous
/// runners (a Map has one child, its processor).
fn nested(s: &State, runners: &[Ident]) -> Option<TokenStream> {
    match (&s.body, runners) {
        (Body::Map(_), [processor]) => fast::map(s, processor),
        (Body::Parallel { .. }, _) => fast::parallel(s, runners),
        _ => None,
    }
}

/// Whether every state of `c` runs synchronously (as direct Rust reading
/// only its input, or as a Map or Parallel of such containers) and leads
/// to a state of `c` or ends: then the container runs without `run_state`.
pub fn synchronous(c: &Container, plans: &[Plan<'_>]) -> bool {
    let inside = |n: &Option<String>| n.as_deref().is_some_and(|n| c.states.contains_key(n));
    c.states.values().zip(plans).all(|(s, p)| match &p.direct {
        Some(Direct::Nested(_)) => s.end || inside(&s.next),
        // The synchronous runner has no execution to give.
        Some(Direct::Fast(f)) if f.input_only() => matches!(f.shape, Shape::Target) || s.end || inside(&s.next),
        _ => false,
    })
}
