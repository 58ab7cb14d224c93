//! Generated state machines in both engines. A seeded generator writes
//! valid definitions (every state type, JSONPath and JSONata, variables,
//! Retry and Catch, Tasks answered by a mock configuration, state names
//! that are awkward in Rust) with inputs; each batch is built into one
//! bundle, and every program runs in the interpreter and compiled. Status,
//! output, error, cause and the history's events (times aside) must be
//! the same. A program the engines disagree on is shrunk (states dropped
//! while they still disagree) and written as a `tests/cases` entry, with
//! the interpreter's result as expected, to keep as a regression case.
//!
//! `.ci/run` runs the fixed default (seed 1, 300 programs). A longer run,
//! by hand: `ASLC_GENERATED_SEED=7 ASLC_GENERATED_COUNT=10000 cargo test
//! -p aslc --test generated -- --nocapture`.

#[path = "engines.rs"]
mod engines;

use engines::{aslc, verdict, Rng, SHARED_FEATURES};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One generated program, in `tests/cases` form.
#[derive(Clone)]
struct Program {
    definition: Value,
    input: Value,
    /// MockedResponses by state name (the test case maps each state to
    /// its own response of the same name).
    mocks: Map<String, Value>,
}

impl Program {
    fn mock_config(&self) -> Value {
        let cases: Map<String, Value> = self.mocks.keys().map(|k| (k.clone(), json!(k))).collect();
        json!({"StateMachines": {"Machine": {"TestCases": {"Test": cases}}}, "MockedResponses": self.mocks})
    }
}

struct Generator {
    rng: Rng,
    /// Names are unique across a whole machine, nested ones included.
    names: usize,
    mocks: Map<String, Value>,
}

impl Generator {
    fn name(&mut self) -> String {
        self.names += 1;
        let n = self.names;
        // Names a Rust identifier cannot be: codegen must cope.
        match self.rng.below(6) {
            0 => format!("state {n} \"quoted\""),
            1 => format!("ü-{n}/ñ"),
            2 => format!("{n}"),
            3 => format!("fn{n}::r#match"),
            _ => format!("S{n}"),
        }
    }

    fn input(&mut self) -> Value {
        let arr: Vec<u64> = (0..self.rng.below(4)).map(|_| self.rng.below(10) as u64).collect();
        json!({
            "a": self.rng.below(10),
            "b": self.rng.pick(&["x", "yes", "", "ünï"]),
            "c": self.rng.chance(50),
            "arr": arr,
            "obj": {"x": self.rng.below(5)},
        })
    }

    fn program(&mut self) -> Program {
        self.names = 0;
        self.mocks = Map::new();
        let jsonata = self.rng.chance(30);
        let mut machine = self.container(0, jsonata, true);
        if jsonata {
            machine["QueryLanguage"] = json!("JSONata");
        }
        let input = self.input();
        Program { definition: machine, input, mocks: std::mem::take(&mut self.mocks) }
    }

    /// A container: states in a chain (each reaches the next), with
    /// branches only forward, so every state is reachable and every run
    /// ends. `top`: the machine itself, whose first state assigns the
    /// variables `count` and `label`; any state may read them, and only the
    /// machine's own states (depth 0) assign them again.
    fn container(&mut self, depth: usize, jsonata: bool, top: bool) -> Value {
        let n = 1 + self.rng.below(if depth == 0 { 6 } else { 3 });
        let names: Vec<String> = (0..n).map(|_| self.name()).collect();
        let mut states = Map::new();
        for i in 0..n {
            let later = &names[i + 1..];
            let mut state =
                if top && i == 0 { self.assigning(jsonata) } else { self.state(depth, jsonata, &names[i], later) };
            let kind = state["Type"].as_str().unwrap_or_default().to_string();
            if !matches!(kind.as_str(), "Choice" | "Succeed" | "Fail") {
                match later.first() {
                    Some(next) => state["Next"] = json!(next),
                    None => state["End"] = json!(true),
                }
            }
            states.insert(names[i].clone(), state);
        }
        json!({"StartAt": names[0], "States": states})
    }

    fn assigning(&mut self, jsonata: bool) -> Value {
        if jsonata {
            json!({"Type": "Pass", "Assign": {"count": "{% $states.input.a %}", "label": "{% $states.input.b & '!' %}"}})
        } else {
            json!({"Type": "Pass", "Assign": {"count.$": "$.a", "label.$": "States.Format('{}!', $.b)"}})
        }
    }

    fn state(&mut self, depth: usize, jsonata: bool, name: &str, later: &[String]) -> Value {
        let last = later.is_empty();
        let mut kinds = vec!["Pass", "Pass", "Task", "Task", "Wait"];
        if !last {
            kinds.push("Choice");
        } else {
            kinds.extend(["Succeed", "Fail"]);
        }
        if depth < 2 {
            kinds.extend(["Parallel", "Map"]);
        }
        match self.rng.pick(&kinds) {
            "Pass" if jsonata => self.jsonata_pass(depth),
            "Pass" => self.pass(depth),
            "Task" => {
                let mut s = self.task(jsonata, name, later);
                if depth == 0 && self.rng.chance(30) {
                    s["Assign"] = self.result_assigns(jsonata);
                }
                s
            }
            "Wait" if !jsonata && self.rng.chance(30) => json!({"Type": "Wait", "SecondsPath": "$.a"}),
            "Wait" if jsonata && self.rng.chance(30) => json!({"Type": "Wait", "Seconds": "{% $states.input.a %}"}),
            // Past timestamps, and ones that do not parse (`a` of two
            // digits, or not a number).
            "Wait" if !jsonata && self.rng.chance(20) => json!({"Type": "Wait", "Timestamp": "2020-01-01T00:00:00Z"}),
            "Wait" if self.rng.chance(20) => json!({
                "Type": "Wait",
                "Timestamp": "{% '2020-01-01T00:00:0' & $string($states.input.a) & 'Z' %}",
                "QueryLanguage": "JSONata",
            }),
            // A Wait with its own output and variables (in the outermost
            // scope, where variables may be assigned).
            "Wait" if jsonata && depth == 0 && self.rng.chance(20) => json!({
                "Type": "Wait",
                "Seconds": 1,
                "Assign": {"waited": "{% $states.input.a %}"},
                "Output": "{% $states.input %}",
            }),
            "Wait" if !jsonata && depth == 0 && self.rng.chance(20) => {
                json!({"Type": "Wait", "Seconds": 1, "Assign": {"waited.$": "$.a"}, "OutputPath": "$"})
            }
            "Wait" => json!({"Type": "Wait", "Seconds": 1 + self.rng.below(2)}),
            "Choice" => {
                let mut s = if jsonata { self.jsonata_choice(later) } else { self.choice(later) };
                if depth == 0 {
                    self.choice_assigns(&mut s, jsonata);
                }
                s
            }
            "Succeed" => json!({"Type": "Succeed"}),
            // Texts computed from the input: a string, or (`a`, a
            // number) not one, which JSONata refuses.
            "Fail" if !jsonata && self.rng.chance(30) => {
                json!({"Type": "Fail", "ErrorPath": "$.b", "CausePath": "States.Format('a was {}', $.a)"})
            }
            "Fail" if jsonata && self.rng.chance(30) => {
                json!({"Type": "Fail", "Error": "{% 'Custom.' & $states.input.b %}", "Cause": "{% $states.input.a %}"})
            }
            "Fail" => {
                json!({"Type": "Fail", "Error": self.rng.pick(&["Custom.Error", "States.Fail"]), "Cause": "generated"})
            }
            "Parallel" => {
                let branches: Vec<Value> =
                    (0..1 + self.rng.below(2)).map(|_| self.container(depth + 1, jsonata, false)).collect();
                let mut s = json!({"Type": "Parallel", "Branches": branches});
                self.result_handling(&mut s, jsonata);
                s
            }
            _ => self.map(depth, jsonata),
        }
    }

    /// Where a state's result goes: into a field (the input's shape is
    /// kept, so later paths still find `a`, `b`, …), or in place of it.
    fn result_handling(&mut self, s: &mut Value, jsonata: bool) {
        let field = format!("r{}", self.names);
        if jsonata {
            if self.rng.chance(70) {
                s["Output"] = json!(format!("{{% $merge([$states.input, {{'{field}': $states.result}}]) %}}"));
            }
        } else if self.rng.chance(80) {
            s["ResultPath"] = json!(format!("$.{field}"));
        } else if self.rng.chance(50) {
            s["ResultPath"] = Value::Null;
        }
    }

    fn pass(&mut self, depth: usize) -> Value {
        let mut s = json!({"Type": "Pass"});
        match self.rng.below(4) {
            0 => s["Result"] = json!({"n": self.rng.below(100), "t": "lit"}),
            1 => {
                s["Parameters"] = json!({
                    "x.$": "$.a",
                    "s.$": "States.Format('{}-{}', $.b, $.obj.x)",
                    "v.$": self.rng.pick(&["$count", "$label", "$.arr"]),
                    "len.$": "States.ArrayLength($.arr)",
                    // The execution's part of the context object; a path
                    // that selects nothing fails the state.
                    "ctx.$": self.rng.pick(&["$$.Execution.Input.a", "$$.StateMachine.Name", "$$.State.Name",
                                             "$$.Execution.Input.missing"]),
                })
            }
            2 => s["InputPath"] = json!(self.rng.pick(&["$", "$.obj", "$.missing"])),
            _ => {}
        }
        self.result_handling(&mut s, false);
        if depth == 0 && self.rng.chance(20) {
            s["Assign"] = json!({"count.$": "States.MathAdd($count, 1)"});
        }
        s
    }

    fn jsonata_pass(&mut self, depth: usize) -> Value {
        let mut s = json!({"Type": "Pass"});
        let field = format!("p{}", self.names);
        let expr = self.rng.pick(&[
            "$states.input.a + $count",
            "$count(($states.input.arr))",
            "$sum($states.input.arr) * 2",
            "$states.input.b & $label",
            "$states.input.c ? 'yes' : 'no'",
            "$states.input.arr[$ > 3]",
            "$states.input.missing.deeper",
            "$string($states.input.obj)",
        ]);
        s["Output"] = json!(format!("{{% $merge([$states.input, {{'{field}': {expr}}}]) %}}"));
        if depth == 0 && self.rng.chance(20) {
            s["Assign"] = json!({"count": "{% $count + 1 %}"});
        }
        s
    }

    fn choice(&mut self, later: &[String]) -> Value {
        let mut rules = Vec::new();
        for _ in 0..1 + self.rng.below(2) {
            let next = self.rng.pick(later);
            let mut rule = match self.rng.below(6) {
                0 => json!({"Variable": "$.a", "NumericGreaterThan": self.rng.below(10)}),
                1 => json!({"Variable": "$.b", "StringEquals": "yes"}),
                2 => json!({"Variable": "$.c", "BooleanEquals": true}),
                3 => json!({"Variable": "$.maybe", "IsPresent": self.rng.chance(50)}),
                4 => json!({"Variable": "$count", "NumericLessThanEquals": self.rng.below(10)}),
                _ => json!({"And": [
                    {"Variable": "$.a", "NumericGreaterThanEquals": 2},
                    {"Not": {"Variable": "$.b", "StringMatches": "x*"}}
                ]}),
            };
            rule["Next"] = json!(next);
            rules.push(rule);
        }
        let mut s = json!({"Type": "Choice", "Choices": rules});
        // Without a Default, no match is States.NoChoiceMatched; the next
        // state is then the first rule's, so the chain stays reachable.
        if self.rng.chance(80) {
            s["Default"] = json!(later[0]);
        } else {
            s["Choices"][0]["Next"] = json!(later[0]);
        }
        s
    }

    /// Variables on some of a Choice's rules and on the state (which its
    /// Default takes).
    fn choice_assigns(&mut self, s: &mut Value, jsonata: bool) {
        let (rule, state) = if jsonata {
            (
                json!({"count": "{% $states.input.a %}", "label": "{% $states.input.b & '?' %}"}),
                json!({"label": "{% 'none' %}"}),
            )
        } else {
            (json!({"count.$": "$.a", "label.$": "$.b"}), json!({"label": "none"}))
        };
        if let Some(rules) = s["Choices"].as_array_mut() {
            for r in rules {
                if self.rng.chance(40) {
                    r["Assign"] = rule.clone();
                }
            }
        }
        if self.rng.chance(40) {
            s["Assign"] = state;
        }
    }

    /// Variables a Task assigns from its result (a mocked `{ok, from}`).
    fn result_assigns(&mut self, jsonata: bool) -> Value {
        let choices = if jsonata {
            [
                json!({"count": "{% $count + $states.result.ok %}", "label": "{% $states.result.from %}"}),
                json!({"label": "{% $states.input.b & $string($states.result.ok) %}"}),
                json!({"label": "constant"}),
            ]
        } else {
            [
                json!({"label.$": "$.from", "count.$": "$.ok"}),
                json!({"label.$": "$", "fixed": "$.x"}),
                json!({"label": "constant"}),
            ]
        };
        self.rng.pick(&choices)
    }

    fn jsonata_choice(&mut self, later: &[String]) -> Value {
        let condition = self.rng.pick(&[
            "$states.input.a > 4",
            "$states.input.b = 'yes'",
            "$count > 3 and $states.input.c",
            "$exists($states.input.maybe)",
        ]);
        let next = self.rng.pick(later);
        json!({"Type": "Choice", "Choices": [{"Condition": format!("{{% {condition} %}}"), "Next": next}], "Default": later[0]})
    }

    fn task(&mut self, jsonata: bool, name: &str, later: &[String]) -> Value {
        let ok = json!({"Return": {"ok": self.rng.below(100), "from": name}});
        let fail = |error: &str| json!({"Throw": {"Error": error, "Cause": "generated failure"}});
        // Ranges: a Task in a Map is invoked once per iteration.
        let thrown = self.rng.pick(&["Flaky", "Broken", "States.Timeout"]);
        let responses = match self.rng.below(4) {
            0 => json!({"0": fail(thrown), "1-1000": ok}),
            1 => json!({"0-1000": fail(thrown)}),
            2 => json!({"0": ok, "1-1000": fail(thrown)}),
            _ => json!({"0-1000": ok}),
        };
        let mut s = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"});
        if jsonata {
            s["Arguments"] = json!({"FunctionName": "f",
                                    "Payload": {"a": "{% $states.input.a %}", "try": "{% $states.context.State.RetryCount %}"}});
        } else {
            s["Parameters"] = json!({"FunctionName": "f", "Payload": {"a.$": "$.a", "try.$": "$$.State.RetryCount"}});
        }
        self.result_handling(&mut s, jsonata);
        // Lists that overlap, name the timeout or `States.TaskFailed`, so
        // that which retrier or catcher an error selects is exercised.
        let lists: [&[&str]; 5] =
            [&["Flaky"], &["States.TaskFailed"], &["Broken", "Flaky"], &["States.Timeout"], &["States.ALL"]];
        if self.rng.chance(60) {
            let retriers = (0..1 + self.rng.below(2))
                .map(|_| json!({"ErrorEquals": self.rng.pick(&lists[..4]), "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1.5}))
                .collect();
            s["Retry"] = Value::Array(retriers);
        }
        if let (Some(next), true) = (later.first(), self.rng.chance(60)) {
            let mut catchers = Vec::new();
            // `States.ALL` may only be the last catcher's.
            while catchers.last().is_none_or(|c: &Value| c["ErrorEquals"][0] != "States.ALL") && catchers.len() < 2 {
                let mut catcher = json!({"ErrorEquals": self.rng.pick(&lists), "Next": next});
                if !jsonata {
                    catcher["ResultPath"] = json!("$.caught");
                } else if self.rng.chance(50) {
                    catcher["Output"] = json!("{% $merge([$states.input, {'caught': $states.errorOutput}]) %}");
                }
                catchers.push(catcher);
                if self.rng.chance(50) {
                    break;
                }
            }
            s["Catch"] = Value::Array(catchers);
        }
        self.mocks.insert(name.to_string(), responses);
        s
    }

    fn map(&mut self, depth: usize, jsonata: bool) -> Value {
        let processor = self.container(depth + 1, jsonata, false);
        let mut s = json!({
            "Type": "Map",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": processor["StartAt"], "States": processor["States"]},
            "MaxConcurrency": self.rng.pick(&[0, 1, 2]),
        });
        if jsonata {
            s["Items"] = json!("{% $states.input.arr %}");
            s["ItemSelector"] = json!({"a": "{% $states.context.Map.Item.Value %}", "b": "{% $states.input.b %}", "c": true, "arr": [1, 5], "obj": {"x": "{% $states.context.Map.Item.Index %}"}});
        } else {
            s["ItemsPath"] = json!("$.arr");
            s["ItemSelector"] = json!({"a.$": "$$.Map.Item.Value", "b.$": "$.b", "c": false, "arr": [2, 7], "obj": {"x.$": "$$.Map.Item.Index"}});
        }
        self.result_handling(&mut s, jsonata);
        s
    }
}

/// What both engines must agree on: the verdict and the events, times
/// aside.
fn outcome(o: &Output, history: &Path) -> Value {
    let result: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(
        |_| json!({"no result": String::from_utf8_lossy(&o.stdout), "stderr": String::from_utf8_lossy(&o.stderr)}),
    );
    let mut events: Value = std::fs::read_to_string(history)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .map(|h| h["events"].clone())
        .unwrap_or(Value::Null);
    for e in events.as_array_mut().into_iter().flatten() {
        if let Some(m) = e.as_object_mut() {
            m.remove("timestamp");
        }
    }
    json!({"exit": o.status.code(), "verdict": verdict(&result), "events": events})
}

/// The files one program runs from, in `dir`, named after `stem`.
struct Files {
    definition: PathBuf,
    args: Vec<String>,
}

fn write(dir: &Path, stem: &str, p: &Program) -> Files {
    let definition = dir.join(format!("{stem}.json"));
    let input = dir.join(format!("{stem}.input.json"));
    let mock = dir.join(format!("{stem}.mock.json"));
    std::fs::write(&definition, p.definition.to_string()).expect("write definition");
    std::fs::write(&input, p.input.to_string()).expect("write input");
    std::fs::write(&mock, p.mock_config().to_string()).expect("write mock");
    let args = ["--input-file", &input.display().to_string(), "--mock-config", &mock.display().to_string()]
        .into_iter()
        .map(String::from)
        .chain(["--test-case", "Test", "--result", "--fast-forward"].map(String::from))
        .collect();
    Files { definition, args }
}

/// Interpreted and compiled outcomes of one program (`compiled`: the
/// command that runs it in a built binary).
fn both(files: &Files, mut compiled: Command, history: &Path) -> (Value, Value) {
    let h = history.with_extension("interp.json");
    let o = aslc().arg("run").arg(&files.definition).args(&files.args).arg("--history").arg(&h).output();
    let interp = outcome(&o.expect("aslc runs"), &h);
    let h = history.with_extension("compiled.json");
    let o = compiled.args(&files.args).arg("--history").arg(&h).output();
    (interp, outcome(&o.expect("the binary runs"), &h))
}

fn build(defs: &[PathBuf], out: &Path) {
    let built =
        aslc().arg("build").args(defs).args(SHARED_FEATURES).arg("--out").arg(out).output().expect("aslc build runs");
    let log = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "a generated program does not build:\n{log}");
    assert!(!log.contains("warning"), "the generated code has warnings:\n{log}");
}

/// Every state that has a `Next`, by its container's JSON pointer.
fn removable(container: &Value, at: &str, out: &mut Vec<(String, String)>) {
    for (name, s) in container["States"].as_object().into_iter().flatten() {
        if s.get("Next").is_some() {
            out.push((at.to_string(), name.clone()));
        }
        let here = format!("{at}/States/{}", name.replace('~', "~0").replace('/', "~1"));
        for (i, _) in s["Branches"].as_array().into_iter().flatten().enumerate() {
            removable(&s["Branches"][i], &format!("{here}/Branches/{i}"), out);
        }
        if s.get("ItemProcessor").is_some() {
            removable(&s["ItemProcessor"], &format!("{here}/ItemProcessor"), out);
        }
    }
}

/// `p` without the state `name` of the container at `at`: whatever went
/// to it goes where it went.
fn without(p: &Program, at: &str, name: &str) -> Option<Program> {
    let mut q = p.clone();
    let container = q.definition.pointer_mut(at)?;
    let states = container["States"].as_object_mut()?;
    let next = states.shift_remove(name)?.get("Next")?.clone();
    let redirect = |v: &mut Value| {
        if v.as_str() == Some(name) {
            *v = next.clone();
        }
    };
    for s in states.values_mut() {
        for key in ["Next", "Default"] {
            if let Some(v) = s.get_mut(key) {
                redirect(v);
            }
        }
        for list in ["Choices", "Catch"] {
            for rule in s.get_mut(list).and_then(Value::as_array_mut).into_iter().flatten() {
                if let Some(v) = rule.get_mut("Next") {
                    redirect(v);
                }
            }
        }
    }
    if let Some(v) = container.get_mut("StartAt") {
        redirect(v);
    }
    q.mocks.shift_remove(name);
    Some(q)
}

/// Drops states while the engines still disagree; returns the smallest
/// program found and its two outcomes.
fn shrink(dir: &Path, mut p: Program, mut seen: (Value, Value)) -> (Program, (Value, Value)) {
    let mut builds = 0;
    'smaller: while builds < 40 {
        let mut candidates = Vec::new();
        removable(&p.definition, "", &mut candidates);
        for (at, name) in candidates {
            let Some(q) = without(&p, &at, &name) else { continue };
            let files = write(dir, "shrink", &q);
            let checked = aslc().arg("check").arg(&files.definition).output().expect("aslc check runs");
            if !checked.status.success() {
                continue;
            }
            let bin = dir.join("shrink-bin");
            build(std::slice::from_ref(&files.definition), &bin);
            builds += 1;
            let (a, b) = both(&files, Command::new(&bin), &dir.join("shrink-history"));
            if a != b {
                (p, seen) = (q, (a, b));
                continue 'smaller;
            }
        }
        break;
    }
    (p, seen)
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Programs per bundle: enough to share a build, few enough to build it
/// in reasonable time.
const BATCH: u64 = 150;

#[test]
fn generated_programs_run_the_same_in_both_engines() {
    let seed = env_number("ASLC_GENERATED_SEED", 1);
    let count = env_number("ASLC_GENERATED_COUNT", 300);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("generated-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("work dir");
    let mut g = Generator { rng: Rng(seed), names: 0, mocks: Map::new() };
    let mut failures = Vec::new();
    let (mut compared, mut kinds) = (0, std::collections::BTreeSet::new());
    let mut statuses = std::collections::BTreeMap::new();
    for start in (0..count).step_by(BATCH as usize) {
        let programs: Vec<Program> = (start..count.min(start + BATCH)).map(|_| g.program()).collect();
        let files: Vec<Files> =
            programs.iter().enumerate().map(|(i, p)| write(&dir, &format!("g{}", start + i as u64), p)).collect();
        let bundle = dir.join("bundle");
        build(&files.iter().map(|f| f.definition.clone()).collect::<Vec<_>>(), &bundle);
        for (i, (p, f)) in programs.iter().zip(&files).enumerate() {
            let stem = format!("g{}", start + i as u64);
            let mut compiled = Command::new(&bundle);
            compiled.arg(&stem);
            let (a, b) = both(f, compiled, &dir.join(format!("{stem}.history")));
            compared += 1;
            let status = format!("{} {}", a["verdict"]["status"], a["verdict"]["error"]);
            *statuses.entry(status).or_insert(0) += 1;
            for e in a["events"].as_array().into_iter().flatten() {
                kinds.insert(e["type"].as_str().unwrap_or_default().to_string());
            }
            if a != b {
                // Shrinking builds a binary per try: the first few only.
                let (small, (a, b)) =
                    if failures.len() < 3 { shrink(&dir, p.clone(), (a, b)) } else { (p.clone(), (a, b)) };
                let case = json!([{
                    "name": format!("generated: seed {seed}, program {stem}"),
                    "definition": small.definition,
                    "input": small.input,
                    "mock": small.mock_config(),
                    "expected": a["verdict"],
                }]);
                let kept = dir.join(format!("{stem}.case.json"));
                std::fs::write(&kept, serde_json::to_string_pretty(&case).unwrap_or_default()).expect("write case");
                failures.push(format!(
                    "{stem}, kept as {} (add it to tests/cases/):\n  interpreted: {a}\n  compiled:    {b}",
                    kept.display()
                ));
            }
        }
    }
    println!("{compared} generated programs compared, seed {seed}; outcomes {statuses:?}; event types {kinds:?}");
    assert!(failures.is_empty(), "{} programs differ:\n{}", failures.len(), failures.join("\n"));
    // The programs reach what they are meant to cover.
    for kind in
        ["TaskFailed", "MapIterationSucceeded", "ParallelStateSucceeded", "ChoiceStateExited", "WaitStateExited"]
    {
        assert!(count < 100 || kinds.contains(kind), "no program produced {kind}: {kinds:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
