//! Step Functions Local mock configurations: `StateMachines.<machine>.
//! TestCases.<case>.<state>` names a mocked response whose numbered
//! entries (`"0"`, `"1-2"`) answer a state's invocations in order.

use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub enum Mocked {
    Return(Value),
    Throw { error: Option<String>, cause: Option<String> },
}

/// A state's responses, each with the invocations (first, last) it answers.
/// A state's entries, each an invocation range (inclusive) and its
/// answer, in the file's order; the first that covers an invocation
/// answers it.
#[derive(Debug)]
struct Responses {
    entries: Vec<(u64, u64, Mocked)>,
    /// The ranges ascend without overlapping (`"0"`, `"1"`, `"2-5"`, …, as
    /// configurations are written): the one that covers an invocation is
    /// found by bisection, not by a scan of every entry on every call.
    ordered: bool,
}

impl Responses {
    fn new(entries: Vec<(u64, u64, Mocked)>) -> Responses {
        let ordered = entries.iter().all(|(lo, hi, _)| lo <= hi) && entries.windows(2).all(|w| w[0].1 < w[1].0);
        Responses { entries, ordered }
    }

    fn answer(&self, n: u64) -> Option<&Mocked> {
        let found = if self.ordered {
            self.entries.get(self.entries.partition_point(|(_, hi, _)| *hi < n)).filter(|(lo, _, _)| *lo <= n)
        } else {
            self.entries.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&n))
        };
        found.map(|(_, _, m)| m)
    }
}

/// The mocked responses of one test case, by state name. Shared: a
/// server hands its machine's test case to every execution.
#[derive(Debug, Clone, Default)]
pub struct TestCase {
    states: std::sync::Arc<HashMap<String, Responses>>,
}

impl TestCase {
    /// Reads `config` and picks `test_case` of `machine`; a file with a
    /// single state machine is used whatever the machine is called.
    /// Whether the configuration answers `machine`'s tasks: it names it, or
    /// it has one machine only (used whatever the machine is called).
    pub fn lists(config: &Value, machine: &str) -> bool {
        config.get("StateMachines").and_then(Value::as_object).is_some_and(|m| m.contains_key(machine) || m.len() == 1)
    }

    pub fn load(config: &Value, machine: &str, test_case: &str) -> Result<TestCase, String> {
        let machines = config
            .get("StateMachines")
            .and_then(Value::as_object)
            .ok_or("the mock configuration has no 'StateMachines' object")?;
        let entry = match machines.get(machine) {
            Some(m) => m,
            None if machines.len() == 1 => machines.values().next().ok_or("no state machine")?,
            None => return Err(format!("the mock configuration has no state machine named '{machine}'")),
        };
        let case = entry
            .get("TestCases")
            .and_then(|t| t.get(test_case))
            .and_then(Value::as_object)
            .ok_or_else(|| format!("the mock configuration has no test case '{test_case}'"))?;
        let responses = config.get("MockedResponses").and_then(Value::as_object);
        let mut states = HashMap::new();
        for (state, name) in case {
            let name =
                name.as_str().ok_or_else(|| format!("the mocked response for state '{state}' must be a name"))?;
            let resp = responses
                .and_then(|r| r.get(name))
                .and_then(Value::as_object)
                .ok_or_else(|| format!("the mocked response '{name}' is not defined in 'MockedResponses'"))?;
            let mut entries = Vec::new();
            for (key, v) in resp {
                let (lo, hi) = match key.split_once('-') {
                    Some((a, b)) => (a.trim().parse::<u64>(), b.trim().parse::<u64>()),
                    None => (key.trim().parse::<u64>(), key.trim().parse::<u64>()),
                };
                let (Ok(lo), Ok(hi)) = (lo, hi) else {
                    return Err(format!("'{key}' in mocked response '{name}' is not an invocation number or range"));
                };
                let mocked = if let Some(r) = v.get("Return") {
                    Mocked::Return(r.clone())
                } else if let Some(t) = v.get("Throw") {
                    let text = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
                    Mocked::Throw { error: text("Error"), cause: text("Cause") }
                } else {
                    return Err(format!("entry '{key}' of mocked response '{name}' needs 'Return' or 'Throw'"));
                };
                entries.push((lo, hi, mocked));
            }
            states.insert(state.clone(), Responses::new(entries));
        }
        Ok(TestCase { states: states.into() })
    }

    pub fn has(&self, state: &str) -> bool {
        self.states.contains_key(state)
    }

    /// The response to the `n`-th (0-based) invocation of `state`.
    pub fn response(&self, state: &str, n: u64) -> Option<&Mocked> {
        self.states.get(state)?.answer(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn case(responses: Value) -> TestCase {
        let config =
            json!({"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}}, "MockedResponses": {"R": responses}});
        TestCase::load(&config, "M", "T").expect("loads")
    }

    fn answers(t: &TestCase, n: u64) -> Option<Value> {
        match t.response("S", n)? {
            Mocked::Return(v) => Some(v.clone()),
            Mocked::Throw { error, .. } => Some(json!(error)),
        }
    }

    #[test]
    fn each_invocation_takes_the_entry_whose_range_covers_it() {
        let t = case(
            json!({"0": {"Return": 0}, "1-3": {"Return": 1}, "4": {"Throw": {"Error": "E"}}, "7-8": {"Return": 7}}),
        );
        let got: Vec<Option<Value>> = (0..10).map(|n| answers(&t, n)).collect();
        let want = [Some(json!(0)), Some(json!(1)), Some(json!(1)), Some(json!(1)), Some(json!("E")), None, None];
        assert_eq!(&got[..7], &want);
        assert_eq!(got[7..], [Some(json!(7)), Some(json!(7)), None]);
    }

    #[test]
    fn out_of_order_or_overlapping_ranges_answer_by_the_first_in_the_file() {
        let t = case(json!({"2-4": {"Return": "a"}, "0-3": {"Return": "b"}, "3": {"Return": "c"}}));
        let got: Vec<Option<Value>> = (0..6).map(|n| answers(&t, n)).collect();
        assert_eq!(
            got,
            [Some(json!("b")), Some(json!("b")), Some(json!("a")), Some(json!("a")), Some(json!("a")), None]
        );
    }
}
