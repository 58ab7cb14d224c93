//! One function per state type. Each runs its query language's input and
//! output processing (the JSONPath chain, or JSONata `Arguments`/`Output`)
//! around the type's work and returns the transition and output.

mod choice;
mod fail;
mod map;
mod parallel;
mod pass;
mod task;
mod wait;

pub(crate) use choice::choice;
pub(crate) use fail::fail;
pub(crate) use map::map;
pub(crate) use parallel::parallel;
pub(crate) use pass::{pass, succeed};
pub(crate) use task::task;
pub(crate) use task::MAX_PAYLOAD_BYTES;
pub(crate) use wait::wait;
pub use wait::{expr_seconds, expr_timestamp, path_seconds, path_timestamp, timestamp_delay};

use super::history::{History, Took};
use super::journal::{self, Json, SavedChildren, SavedFlow, SavedInside};
use super::{apply_assign, compiled_assigned, evaluate_assign, retry, Execution, Flow, Nested, Step, Transition};
use crate::env::{Context, Env};
use crate::error::StatesError;
use crate::io;
use crate::jsonata;
use crate::machine::{Container, QueryLanguage, State};
use crate::vars::Vars;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

/// What a state function needs besides its input.
pub(crate) struct Cx<'a> {
    pub exec: &'a Execution,
    pub flow: &'a Flow,
    pub state: &'a State,
    pub entered: chrono::DateTime<chrono::Utc>,
    pub task_token: Option<&'a str>,
    pub nested: &'a dyn Nested,
    /// Whether the state's JSONata may read `$states.context`, worked out
    /// once per state run (a Map asks for every item).
    pub reads_context: std::cell::OnceCell<bool>,
    /// What the state had done before a restart (durable executions).
    pub resumed: std::cell::RefCell<Option<SavedInside>>,
    /// Its I/O steps as generated code, where they were compiled.
    pub io: super::Io,
}

/// The time left until a saved deadline.
fn left_until(millis: i64) -> Duration {
    (journal::time_of(millis) - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO)
}

impl Cx<'_> {
    /// Sleeps `delay`. A durable execution first commits the deadline, so
    /// after a restart it waits only for what is left.
    pub async fn sleep(&self, delay: Duration) {
        if let Some(slot) = &self.flow.slot {
            let until = chrono::Utc::now() + chrono::TimeDelta::from_std(delay).unwrap_or(chrono::TimeDelta::MAX);
            slot.until(Some(until));
            self.exec.commit().await;
        }
        tokio::time::sleep(delay).await;
    }

    /// Runs child `index` (a Map iteration, a Parallel branch) of
    /// `container`: from its start, or, `saved`, from where it stood (a
    /// child whose last state was committed has its output already).
    pub async fn run_child(
        &self,
        container: &Container,
        index: usize,
        input: Value,
        vars: Rc<Vars>,
        history: Rc<RefCell<History>>,
        saved: Option<SavedFlow>,
    ) -> Result<Value, StatesError> {
        let ended = saved.as_ref().filter(|s| s.ended).map(|s| s.input.value());
        let input = saved.as_ref().map_or(input, |s| s.input.value());
        let flow = self.flow.child(vars, history, index, &input, saved);
        let out = match ended {
            Some(output) => Ok(output),
            None => self.nested.run(container, input, flow).await,
        };
        if let Some(slot) = &self.flow.slot {
            slot.child_done(index, &out);
        }
        out
    }

    /// A resumed Wait's time left.
    pub fn resumed_wait(&self) -> Option<Duration> {
        self.resumed.borrow_mut().take().and_then(|r| r.until).map(left_until)
    }

    /// The Map's iterations or the Parallel's branches start: from
    /// scratch, or as they were saved (their finished outputs are kept).
    pub fn start_children(&self) -> Option<SavedChildren> {
        let resumed = self.resumed.borrow_mut().as_mut().and_then(|r| r.children.take());
        if let Some(slot) = &self.flow.slot {
            slot.children_started();
            for (i, d) in resumed.iter().flat_map(|c| &c.done) {
                slot.child_done(*i, &d.clone().into_result());
            }
        }
        resumed
    }

    /// The context object; `retry_count` for Task, Parallel and Map states.
    pub fn context(&self, retry_count: Option<u64>) -> Context<'_> {
        Context {
            execution: Some(&self.exec.context),
            state_name: &self.state.name,
            entered: Some(self.entered),
            retry_count,
            task_token: self.task_token,
            map_item: None,
        }
    }

    /// The TestState run this state is in, if any.
    pub fn probe(&self) -> Option<&crate::test_state::Probe> {
        self.exec.probe.as_deref()
    }

    /// Records the value after an I/O step, for TestState's `inspectionData`.
    pub fn record(&self, step: &str, value: &Value) {
        if let Some(p) = self.probe() {
            p.record(self.state, step, value);
        }
    }

    pub fn jsonata(&self) -> bool {
        self.state.query_language == QueryLanguage::Jsonata
    }

    pub fn transition(&self) -> Transition {
        match &self.state.next {
            Some(n) if !self.state.end => Transition::Next(n.clone()),
            _ => Transition::End,
        }
    }

    /// What paths read while this state runs, with `input` as `$`.
    pub fn env<'v>(&'v self, input: &'v Value, context: &'v Context<'v>) -> Env<'v> {
        Env { input, context, vars: &self.flow.vars }
    }

    /// `$states` for a JSONata state: the input, the context and, where AWS
    /// allows it, `result` or `errorOutput`. JSONPath states need none.
    pub fn states(&self, raw: &Value, context: &Context<'_>, extra: Option<(&str, &Value)>) -> Value {
        if !self.jsonata() {
            return Value::Null;
        }
        let mut m = Map::new();
        m.insert("input".into(), raw.clone());
        // The context object copies the execution input: only when read.
        if *self.reads_context.get_or_init(|| self.state.jsonata_may_read_context()) {
            m.insert("context".into(), context.to_value());
        }
        if let Some((k, v)) = extra {
            m.insert(k.into(), v.clone());
        }
        Value::Object(m)
    }

    /// `InputPath` applied to the raw input (JSONata states have none).
    pub fn selected_input(&self, raw: &Value, context: &Context<'_>) -> Result<Value, StatesError> {
        let selected = io::select(&self.env(raw, context), self.state.input_path.as_ref())?;
        self.record("afterInputPath", &selected);
        Ok(selected)
    }

    /// The effective input: `InputPath` then `Parameters`, or JSONata `Arguments`.
    pub fn effective_input(&self, raw: &Value, context: &Context<'_>) -> Result<Value, StatesError> {
        if let Some(effective) = self.io.effective.and_then(|f| f(raw, &self.flow.vars, context)) {
            return Ok(effective);
        }
        if self.jsonata() {
            return match &self.state.arguments {
                Some(t) => {
                    let arguments = t.eval("Arguments", &self.states(raw, context, None), &self.flow.vars)?;
                    self.record("afterArguments", &arguments);
                    Ok(arguments)
                }
                None => Ok(raw.clone()),
            };
        }
        let selected = self.selected_input(raw, context)?;
        let effective = match &self.state.parameters {
            Some(t) => t.eval(&self.env(&selected, context))?,
            None => selected,
        };
        self.record("afterParameters", &effective);
        Ok(effective)
    }

    /// Whether the effective input is the raw input itself (no
    /// `InputPath` but `$`, no `Parameters`, no `Arguments`).
    fn input_unchanged(&self) -> bool {
        if self.jsonata() {
            self.state.arguments.is_none()
        } else {
            self.state.parameters.is_none() && self.state.input_path.as_ref().is_some_and(|p| p.is_root())
        }
    }

    /// `effective_input` shared with the raw input when it is the same
    /// value: a Task's input is most often its raw input, and a copy per
    /// state was a good part of running one.
    fn shared_effective_input(&self, raw: &Rc<Value>, context: &Context<'_>) -> Result<Rc<Value>, StatesError> {
        if !self.input_unchanged() {
            return self.effective_input(raw, context).map(Rc::new);
        }
        if !self.jsonata() {
            self.record("afterInputPath", raw);
            self.record("afterParameters", raw);
        }
        Ok(Rc::clone(raw))
    }

    /// The text of `effective`, the state's effective input: when the
    /// state leaves its input as it is, the text its entered event and
    /// checkpoint already hold.
    pub fn effective_text(&self, effective: &Value) -> Json {
        match &self.flow.slot {
            Some(slot) if self.input_unchanged() => slot.input(),
            _ => Json::of(effective),
        }
    }

    /// JSONata `Output`, or `default` when there is none; `owner` as for
    /// `evaluate_assign`.
    pub fn jsonata_output(
        &self,
        output: Option<&jsonata::Template>,
        default: Value,
        states: &Value,
        owner: &str,
    ) -> Result<Value, StatesError> {
        match output {
            Some(t) => t.eval(&format!("{owner}Output"), states, &self.flow.vars),
            None => Ok(default),
        }
    }

    /// Runs `work` (Task, Parallel, Map) under the state's Retry policy,
    /// then the result processing; an error goes to the first matching catcher.
    /// `work` gets the effective input shared: it is the raw input itself
    /// when the state leaves it as it is.
    pub async fn with_policy<F, Fut>(&self, raw: Value, mut work: F) -> Result<Step, StatesError>
    where
        F: FnMut(u64, Rc<Value>) -> Fut,
        Fut: Future<Output = Result<Value, StatesError>>,
    {
        let mut raw = Rc::new(raw);
        if let Some(probe) = self.probe() {
            return self.probed_policy(probe, raw, work).await;
        }
        let mut counts = vec![0u64; self.state.retry.len()];
        let mut attempt = 0u64;
        let resumed = self.resumed.borrow().as_ref().map(|r| (r.attempt, r.counts.clone(), r.until));
        if let Some((a, c, until)) = resumed {
            attempt = a;
            if c.len() == counts.len() {
                counts = c;
            }
            if let Some(u) = until {
                tokio::time::sleep(left_until(u)).await;
            }
        }
        let outcome = loop {
            if let Some(slot) = &self.flow.slot {
                slot.attempt(attempt, &counts);
            }
            match self.attempt(&mut raw, attempt, &mut work).await {
                Err(e) if !e.is_runtime() => {
                    let Some(i) = self.retrier(&e) else {
                        break Err(e);
                    };
                    let r = &self.state.retry[i];
                    if counts[i] >= r.max_attempts {
                        break Err(e);
                    }
                    let delay = retry::backoff(r, counts[i]);
                    self.flow.history.borrow().took(&self.state.name, || Took::Retry(i));
                    counts[i] += 1;
                    attempt += 1;
                    if let Some(slot) = &self.flow.slot {
                        slot.attempt(attempt, &counts);
                    }
                    self.sleep(delay).await;
                }
                other => break other,
            }
        };
        match outcome {
            Ok(step) => Ok(step),
            Err(e) if e.is_runtime() => Err(e),
            Err(e) => self.catch(Rc::unwrap_or_clone(raw), e, attempt),
        }
    }

    /// TestState's one attempt: `retrierRetryCount` retries are taken as
    /// made, and an error a retrier would retry again ends the test as
    /// RETRIABLE (with the retrier and its backoff) instead of waiting.
    async fn probed_policy<F, Fut>(
        &self,
        probe: &crate::test_state::Probe,
        mut raw: Rc<Value>,
        mut work: F,
    ) -> Result<Step, StatesError>
    where
        F: FnMut(u64, Rc<Value>) -> Fut,
        Fut: Future<Output = Result<Value, StatesError>>,
    {
        let attempt = probe.retry_count;
        match self.attempt(&mut raw, attempt, &mut work).await {
            Err(e) if !e.is_runtime() => {
                if let Some(i) = self.retrier(&e) {
                    probe.detail("retryIndex", i as u64);
                    let r = &self.state.retry[i];
                    if attempt < r.max_attempts {
                        probe.detail("retryBackoffIntervalSeconds", retry::backoff(r, attempt).as_secs());
                        probe.set_retriable();
                        return Err(e);
                    }
                }
                self.catch(Rc::unwrap_or_clone(raw), e, attempt)
            }
            other => other,
        }
    }

    /// One attempt at the state's work, from its input processing to its
    /// output.
    /// `raw` is intact after any error a retrier or catcher may take.
    async fn attempt<F, Fut>(&self, raw: &mut Rc<Value>, attempt: u64, work: &mut F) -> Result<Step, StatesError>
    where
        F: FnMut(u64, Rc<Value>) -> Fut,
        Fut: Future<Output = Result<Value, StatesError>>,
    {
        let context = self.context(Some(attempt));
        let effective = self.shared_effective_input(raw, &context)?;
        let result = work(attempt, effective).await?;
        // The work has let go of the input: no copy is made here.
        self.finish(Rc::make_mut(raw), result, &context)
    }

    /// The retrier that selects `e`.
    fn retrier(&self, e: &StatesError) -> Option<usize> {
        match self.io.retrier {
            Some(compiled) => compiled(e.name()),
            None => self.state.retry.iter().position(|r| retry::error_matches(&r.error_equals, e.name())),
        }
    }

    /// JSONPath: `ResultSelector`, `Assign`, `ResultPath`, `OutputPath`.
    /// JSONata: `Output` and `Assign`, which may read `$states.result`.
    fn finish(&self, raw: &mut Value, result: Value, context: &Context<'_>) -> Result<Step, StatesError> {
        let vars = &self.flow.vars;
        self.record("result", &result);
        if let Some((output, assigned)) = self.io.output.and_then(|f| f(raw, &result, vars, context)) {
            let assigned = compiled_assigned(assigned);
            apply_assign(self.flow, &assigned);
            return Ok(Step { transition: self.transition(), output, assigned });
        }
        if self.jsonata() {
            let states = self.states(raw, context, Some(("result", &result)));
            let env = self.env(raw, context);
            let assigned = evaluate_assign(self.state.assign.as_ref(), &env, &states, "")?;
            let output = self.jsonata_output(self.state.output.as_ref(), result.clone(), &states, "")?;
            apply_assign(self.flow, &assigned);
            return Ok(Step { transition: self.transition(), output, assigned });
        }
        let result = match &self.state.result_selector {
            Some(t) => t.eval(&Env { input: &result, context, vars })?,
            None => result,
        };
        self.record("afterResultSelector", &result);
        let assigned =
            evaluate_assign(self.state.assign.as_ref(), &Env { input: &result, context, vars }, &Value::Null, "")?;
        // Past the merge only a runtime error (never retried nor caught)
        // can follow, so the raw input may be given up to it.
        let merged = io::merge_result_into(raw, result, self.state.result_path.as_ref())?;
        self.record("afterResultPath", &merged);
        let output = io::select_from(merged, context, vars, self.state.output_path.as_ref())?;
        apply_assign(self.flow, &assigned);
        Ok(Step { transition: self.transition(), output, assigned })
    }

    /// The first catcher matching `e`. JSONPath: its `ResultPath` places the
    /// Error Output into the raw input. JSONata: its `Output` (default: the
    /// Error Output) may read `$states.errorOutput`. `Assign` sees the Error
    /// Output either way. `attempt`: the state's `$$.State.RetryCount`.
    fn catch(&self, raw: Value, e: StatesError, attempt: u64) -> Result<Step, StatesError> {
        let i = match self.io.catcher {
            Some(compiled) => compiled(e.name()),
            None => self.state.catch.iter().position(|c| retry::error_matches(&c.error_equals, e.name())),
        };
        let Some((i, c)) = i.and_then(|i| Some((i, self.state.catch.get(i)?))) else {
            return Err(e);
        };
        if let Some(p) = self.probe() {
            p.catching(i, &e);
        }
        self.flow.history.borrow().took(&self.state.name, || Took::Catch(i));
        let error_output = e.to_error_output();
        let context = self.context(Some(attempt));
        let compiled = self.io.caught.and_then(|f| f(i, &raw, &error_output, &self.flow.vars, &context));
        let (output, assigned) = match compiled {
            Some((output, assigned)) => (output, compiled_assigned(assigned)),
            None => {
                let owner = format!("Catch[{i}]/");
                let states = self.states(&raw, &context, Some(("errorOutput", &error_output)));
                let env = self.env(&error_output, &context);
                let assigned = evaluate_assign(c.assign.as_ref(), &env, &states, &owner)?;
                let output = if self.jsonata() {
                    self.jsonata_output(c.output.as_ref(), error_output, &states, &owner)?
                } else {
                    io::merge_result(raw, error_output, c.result_path.as_ref())?
                };
                (output, assigned)
            }
        };
        apply_assign(self.flow, &assigned);
        Ok(Step { transition: Transition::Next(c.next.clone()), output, assigned })
    }
}
