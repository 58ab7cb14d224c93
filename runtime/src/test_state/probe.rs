//! What a state run under TestState carries into the engine: the mocked
//! answer that replaces the state's work, the simulated retry and Map
//! failure counts, and the record of each I/O step (`inspectionData`).
//!
//! The engine's state functions call `Cx::record` at every step of their
//! chain whatever the state type; which steps AWS shows for which type is
//! decided here, in one place (`shown`).

use crate::error::StatesError;
use crate::machine::{Body, QueryLanguage, State};
use serde_json::{Map, Value};
use std::cell::{Cell, RefCell};

/// One TestState run's settings and what it saw.
pub(crate) struct Probe {
    /// `mock`: the result or error that stands for the state's work.
    pub mock: Option<Result<Value, StatesError>>,
    /// `stateConfiguration.retrierRetryCount`: retries already made.
    pub retry_count: u64,
    /// `stateConfiguration.mapIterationFailureCount`.
    pub map_failures: Option<u64>,
    /// `stateConfiguration.mapItemReaderData`: the items an ItemReader reads.
    pub reader_data: Option<Value>,
    /// DEBUG and TRACE record the I/O steps; INFO records nothing.
    pub recording: bool,
    /// TRACE: where an HTTP Task keeps its request and response.
    pub http_trace: Option<crate::tasks::Trace>,
    pub(super) data: RefCell<Map<String, Value>>,
    pub(super) error_details: RefCell<Map<String, Value>>,
    /// The error a catcher caught (the state's status is CAUGHT_ERROR).
    pub(super) caught: RefCell<Option<StatesError>>,
    /// A matching retrier had attempts left: the state would be retried.
    pub(super) retriable: Cell<bool>,
    /// A request the state turned out not to fit (an API error, not a
    /// state failure).
    pub(super) refused: RefCell<Option<String>>,
}

impl Probe {
    pub fn new(mock: Option<Result<Value, StatesError>>, recording: bool) -> Probe {
        Probe {
            mock,
            retry_count: 0,
            map_failures: None,
            reader_data: None,
            recording,
            http_trace: None,
            data: RefCell::default(),
            error_details: RefCell::default(),
            caught: RefCell::default(),
            retriable: Cell::new(false),
            refused: RefCell::default(),
        }
    }

    /// Keeps the value after step `step` if AWS shows that step for `state`.
    pub fn record(&self, state: &State, step: &str, value: &Value) {
        if self.recording && shown(state, step) {
            self.data.borrow_mut().insert(step.to_string(), value.clone());
        }
    }

    /// `errorDetails`: which retrier or catcher the error selected.
    pub fn detail(&self, key: &str, value: u64) {
        self.error_details.borrow_mut().insert(key.to_string(), Value::from(value));
    }

    /// Catcher `index` caught `e`.
    pub fn catching(&self, index: usize, e: &StatesError) {
        self.detail("catchIndex", index as u64);
        *self.caught.borrow_mut() = Some(e.clone());
    }

    pub fn set_retriable(&self) {
        self.retriable.set(true);
    }

    /// Ends the test with a `ValidationException` instead of a result.
    pub fn refuse(&self, message: impl Into<String>) -> StatesError {
        *self.refused.borrow_mut() = Some(message.into());
        StatesError::runtime("the TestState request was refused")
    }
}

/// Whether AWS's `inspectionData` shows step `step` for `state`: the
/// JSONPath chain of the state's type (a Pass with `Result` shows that
/// instead of its input processing; Parallel only its result processing),
/// JSONata's `Arguments` and a Task's result, and a Map's settings.
fn shown(state: &State, step: &str) -> bool {
    let jsonata = state.query_language == QueryLanguage::Jsonata;
    let map_setting = matches!(step, "maxConcurrency" | "toleratedFailureCount" | "toleratedFailurePercentage");
    match &state.body {
        Body::Map(_) if map_setting => true,
        _ if jsonata => match step {
            "afterArguments" | "result" => matches!(state.body, Body::Task(_)),
            _ => false,
        },
        Body::Pass { result: Some(_) } => {
            matches!(step, "result" | "afterResultSelector" | "afterResultPath")
        }
        Body::Pass { result: None } => {
            matches!(step, "afterInputPath" | "afterParameters" | "afterResultSelector" | "afterResultPath")
        }
        Body::Task(_) => {
            matches!(step, "afterInputPath" | "afterParameters" | "result" | "afterResultSelector" | "afterResultPath")
        }
        Body::Map(_) => matches!(
            step,
            "afterInputPath"
                | "afterItemsPath"
                | "afterItemSelector"
                | "afterItemBatcher"
                | "afterResultSelector"
                | "afterResultPath"
        ),
        Body::Parallel { .. } => matches!(step, "afterResultSelector" | "afterResultPath"),
        Body::Choice(_) | Body::Succeed | Body::Fail(_) | Body::Wait(_) => step == "afterInputPath",
        Body::Invalid => false,
    }
}
