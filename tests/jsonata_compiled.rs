//! Compiled JSONata against the JSONata engine, on generated expressions
//! and inputs: every expression is a JSONata state's `Output` in one
//! machine, built once; each run picks a state and an input, and both
//! engines must give the same status, output, error and cause. The
//! expressions mix what `codegen/jsonata.rs` compiles with what it leaves
//! to the engine, and the inputs hold the values its operators decline
//! (strings where numbers go, arrays, non-ASCII, huge numbers, floats
//! that are integers), so both the compiled results and the declines are
//! held to the engine's answer.

mod engines;

use engines::{aslc, build_shared, verdict, Rng};
use serde_json::{json, Map, Value};
use std::process::Command;

const EXPRESSIONS: usize = 120;
const RUNS: usize = 240;

fn leaf(g: &mut Rng) -> String {
    match g.below(10) {
        0 => g.pick(&["0", "1", "2.5", "7", "1e308", "-3"]).to_string(),
        1 => g.pick(&["\"a\"", "\"b\"", "\"é\"", "\"10\""]).to_string(),
        2 => g.pick(&["true", "false", "null"]).to_string(),
        3 | 4 => format!("$states.input.{}", g.pick(&["a", "b", "s", "t", "missing"])),
        5 => format!("$states.input.o.{}", g.pick(&["n", "s", "deep"])),
        6 => g.pick(&["$x", "$y", "$o.n", "$unset", "$rows", "$rows.v", "$rows.p.q", "$o.deep.k"]).to_string(),
        7 => g
            .pick(&[
                "$states.input",
                "$states.context.Execution.Name",
                "$states.context.Execution.Input.a",
                "$states.context.State.Name",
                // A Task's steps read these as the runtime assembles them
                // (the entered time differs from run to run: its type).
                "$states.context.State.RetryCount",
                "$type($states.context.State.EnteredTime)",
                "$states.context.Task.Token",
            ])
            .to_string(),
        // What the compiler leaves to the engine.
        8 => g
            .pick(&["$substring(\"abc\", 1)", "$sort($states.input.l)", "$pad(\"ab\", 4)", "$states.input.l[0]"])
            .to_string(),
        _ => format!(
            "$states.input.{}",
            g.pick(&[
                "l",
                "one",
                "l[0]",
                "l[-1]",
                "one[1]",
                "a[0]",
                "nested[0]",
                "objs[1].n",
                "objs[n > 1]",
                "objs[n < $x]",
                "objs[m = \"x\"]",
                "objs[n > 0].n",
                "objs[n >= 2].m",
                "objs[true].missing",
                "objs[n = 1].n.deeper",
                "o.deep.k[-2]",
                "objs.n",
                "objs.m",
                "objs.missing",
                "nested.x",
                "l.x",
                "one.n",
                "rows.v",
                "rows.p.q",
                "solo.v",
                "solo.v.w",
                "o.deep.k.n",
            ])
        ),
    }
}

fn expression(g: &mut Rng, depth: usize) -> String {
    if depth == 0 || g.chance(30) {
        return leaf(g);
    }
    let (a, b) = (expression(g, depth - 1), expression(g, depth - 1));
    match g.below(10) {
        0..=3 => {
            let op = g.pick(&["+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "and", "or", "&", "in"]);
            match g.below(8) {
                0 => format!("({a} in [1, \"x\", true, {b}])"),
                1 => format!(
                    "$lookup({}, {})",
                    g.pick(&["$states.input.o", "$o", a.as_str()]),
                    g.pick(&["\"n\"", "\"s\"", "\"deep\"", b.as_str()])
                ),
                2 => format!("$type({a})"),
                _ => format!("({a} {op} {b})"),
            }
        }
        4 => format!("({} ? {a} : {b})", expression(g, depth - 1)),
        5 => format!("{{\"k\": {a}, \"l\": {b}}}"),
        6 => format!("[{a}, {b}]"),
        7 => {
            let f = g.pick(&[
                "$string",
                "$number",
                "$length",
                "$uppercase",
                "$lowercase",
                "$abs",
                "$floor",
                "$ceil",
                "$keys",
                "$parse",
                "$not",
                "$boolean",
                "$trim",
                "$round",
            ]);
            // Arguments of the types the functions take, often enough.
            let number =
                g.pick(&["2.5", "3.5", "-0.5", "1.005", "12345.678", "$states.input.a", a.as_str()]).to_string();
            let text = g.pick(&["\"  a \\t b \"", "\"héllo😀\"", "$states.input.s", a.as_str()]).to_string();
            let part = g.pick(&["\" \"", "\"l\"", "\"\"", "\"😀\"", b.as_str()]).to_string();
            match g.below(12) {
                8 => format!("${}({text}, {part})", g.pick(&["substringBefore", "substringAfter"])),
                9 => format!("$replace({text}, {part}, {})", g.pick(&["\"-\"", "\"\"", b.as_str()])),
                10 => format!("$replace({text}, {part}, \"+\", {})", g.pick(&["0", "1", "1.5", "-1", b.as_str()])),
                11 => format!(
                    "({text} ~> {})",
                    g.pick(&["$uppercase()", "$substringAfter(\" \")", "$replace(\"l\", \"L\")", "$trim()"])
                ),
                0 => format!("$round({number}, {})", g.pick(&["0", "1", "2", "-1", b.as_str()])),
                1 => format!("$round({number})"),
                2 => format!("$substring({text}, {})", g.pick(&["1", "-2", "0", b.as_str()])),
                3 => format!("$substring({text}, {}, {})", g.pick(&["1", "-3", "0"]), g.pick(&["2", "-1", "0", "1.5"])),
                4 => format!("$trim({text})"),
                6 => format!(
                    "$formatNumber({number}, {})",
                    g.pick(&["\"#,##0.00\"", "\"000\"", "\"#%\"", text.as_str()])
                ),
                7 => format!(
                    "{}({text})",
                    g.pick(&["$base64encode", "$base64decode", "$encodeUrlComponent", "$decodeUrl", "$encodeUrl"])
                ),
                5 => format!(
                    "$string({}{})",
                    g.pick(&["$states.input.o", "$states.input", "{\"k\": [1.5, 0.1, 1e21]}", "1/3", a.as_str()]),
                    g.pick(&["", ", true", ", false", ", 1"])
                ),
                _ => format!("{f}({a})"),
            }
        }
        8 => {
            let sequence = g
                .pick(&[
                    "$states.input.l",
                    "$states.input.one",
                    "$states.input.w",
                    "$states.input.nested",
                    "$states.input.objs",
                    "$states.input.objs.n",
                    "$states.input.rows.v",
                    "$states.input.rows.p.q",
                    "$states.input.solo.v",
                    "$states.input.missing",
                    "$states.input.o.deep.k",
                    "$states.input.a",
                    "$o.n",
                    "$rows.p.q",
                    "$o.deep.k",
                    "[]",
                ])
                .to_string();
            let sequence = if g.chance(25) { format!("[{a}, {b}]") } else { sequence };
            match g.below(15) {
                0 => format!("$count({sequence})"),
                13 => {
                    let other = g.pick(&["$states.input.dups", "$states.input.nums", "[]", b.as_str()]);
                    format!("$append({sequence}, {other})")
                }
                14 => {
                    let items =
                        g.pick(&["$states.input.dups", "$states.input.nums", "$states.input.w", sequence.as_str()]);
                    format!("{}({items})", g.pick(&["$reverse", "$distinct", "$sort"]))
                }
                12 => {
                    let numbers = g.pick(&["[3, 1.5, -2]", "[7]", sequence.as_str()]);
                    format!("{}({numbers})", g.pick(&["$max", "$min", "$average"]))
                }
                1 => format!("$sum({sequence})"),
                2 => format!("$join({sequence})"),
                3 => format!("$join({sequence}, {b})"),
                4 => {
                    let path = g.pick(&[
                        "$states.input.a",
                        "$states.input.missing.deeper",
                        "$states.input.o.deep.k",
                        "$states.input.o.n.n",
                        "$states.input.nested",
                        "$states.input.l.x",
                        "$states.input",
                        "$o.n",
                        "$unset.a",
                        "$states.input.rows.v",
                        "$states.input.rows.zz",
                        "$rows.p.q",
                        "$states.input.solo.v",
                    ]);
                    format!("$exists({path})")
                }
                5 => format!("$contains({a}, {b})"),
                6 => format!("$merge({sequence})"),
                7 | 8 => {
                    // A lambda's body reads its item, its index and what
                    // is around it.
                    let op = g.pick(&["+", "*", "=", "<", "&", "and"]);
                    let body = g.pick(&[
                        format!("($v {op} {a})"),
                        "$v.n".to_string(),
                        "{\"k\": $v, \"i\": $i}".to_string(),
                        format!("($i {op} $v)"),
                        format!("$map({sequence}, function($w){{ $w {op} $v }})"),
                    ]);
                    match g.below(4) {
                        0 => {
                            let body = g.pick(&["$acc + $v", "$acc & $v", "$v.n", "$acc * 2", "[$acc, $v]"]);
                            let init = g.pick(&["", ", 0", ", \"\"", ", $states.input.a"]);
                            format!("$reduce({sequence}, function($acc, $v){{ {body} }}{init})")
                        }
                        _ => {
                            let f = g.pick(&["$map", "$filter"]);
                            format!("{f}({sequence}, function($v, $i){{ {body} }})")
                        }
                    }
                }
                9 => {
                    let separator = g.pick(&["\",\"".to_string(), "\"\"".to_string(), b]);
                    format!("$split({a}, {separator})")
                }
                10 => {
                    let step = g.pick(&["1", "-1", "2", "0"]);
                    let size = g.pick(&["1", "2", "0", "1.5", a.as_str()]);
                    g.pick(&[format!("$range({a}, {b}, {step})"), format!("$partition({sequence}, {size})")])
                }
                _ => g.pick(&[
                    format!("$hash({a}, \"SHA-256\")"),
                    format!("$hash({a}, {b})"),
                    "$length($uuid())".to_string(),
                    "[$length($now()), $substring($now(), 10, 1), $millis() > 1.7e12]".to_string(),
                    "($random() < 1)".to_string(),
                ]),
            }
        }
        _ => format!("-({a})"),
    }
}

fn input(g: &mut Rng, case: usize) -> Value {
    let scalar = |g: &mut Rng| -> Value {
        g.pick(&[
            json!(1),
            json!(-4),
            json!(0.5),
            json!(3.0),
            json!(9007199254740993u64),
            json!("x"),
            json!("10"),
            json!("é"),
            json!("p,q"),
            json!(" a \t\n b  "),
            json!(2.5),
            json!("[1, {\"n\": 2.0}]"),
            json!(true),
            json!(false),
            Value::Null,
            json!([1]),
            json!({"n": 2}),
        ])
    };
    let (a, b, s, t) = (scalar(g), scalar(g), scalar(g), scalar(g));
    let on = scalar(g);
    json!({"case": case, "a": a, "b": b, "s": s, "t": t, "o": {"n": on, "s": "in", "deep": {"k": [1.0, 2]}},
           "l": [1, 2], "one": [5], "w": ["p", "q"], "nested": [[1], 2], "objs": [{"n": 1}, {"n": 2.0, "m": "x"}],
           // Paths map over these: arrays flatten into the sequence, a
           // single array found last stays whole, arrays of arrays decline.
           "rows": [{"v": [1, 2], "p": {"q": 3}}, {"v": 4.0, "p": [{"q": [5]}, {"q": 6}]}, 7, {"v": [[8]]}],
           "solo": [{"v": [9]}, {"w": 1}],
           "dups": [2, "a", 2.0, "a", 1, null, null], "nums": [3, 1.5, -2, 1.5],
           "x": scalar(g), "y": scalar(g)})
}

/// Every fourth expression is a mocked Task's `Arguments` and `Output`
/// (with its result, after a retry), which generated code computes in the
/// steps the runtime calls; the others are a Pass state's `Output`, run as direct
/// Rust.
fn is_task(i: usize) -> bool {
    i % 4 == 3
}

fn machine(g: &mut Rng) -> Value {
    let mut states = Map::new();
    let mut choices = Vec::new();
    for i in 0..EXPRESSIONS {
        let name = format!("E{i}");
        choices.push(json!({"Variable": "$.case", "NumericEquals": i, "Next": name}));
        let e = format!("{{% {} %}}", expression(g, 3));
        let state = if is_task(i) {
            json!({"Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::lambda:invoke",
                   "Arguments": {"FunctionName": "f", "Payload": {"r": format!("{{% {} %}}", expression(g, 3))}},
                   "Retry": [{"ErrorEquals": ["Again"]}],
                   "Output": {"r": e, "got": "{% $states.result.Payload %}"}, "End": true})
        } else {
            json!({"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"r": e}, "End": true})
        };
        states.insert(name, state);
    }
    states.insert(
        "Init".into(),
        json!({"Type": "Pass", "QueryLanguage": "JSONata", "Next": "Pick",
               "Assign": {"x": "{% $states.input.x %}", "y": "{% $states.input.y %}", "o": "{% $states.input.o %}",
                          "rows": "{% $states.input.rows %}"}}),
    );
    states.insert("Pick".into(), json!({"Type": "Choice", "Choices": choices}));
    json!({"StartAt": "Init", "States": states})
}

#[test]
fn compiled_jsonata_agrees_with_the_engine() {
    let mut g = Rng(std::env::var("ASLC_JSONATA_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1));
    let work = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("jsonata-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("work dir");
    let definition = work.join("expressions.json");
    std::fs::write(&definition, machine(&mut g).to_string()).expect("write");
    let mock = work.join("mock.json");
    let tasks: Map<String, Value> =
        (0..EXPRESSIONS).filter(|i| is_task(*i)).map(|i| (format!("E{i}"), json!("R"))).collect();
    let config = json!({"StateMachines": {"expressions": {"TestCases": {"T": tasks}}},
                        "MockedResponses": {"R": {"0": {"Throw": {"Error": "Again"}},
                                                  "1": {"Return": {"Payload": {"v": [1, 2.0], "s": "é"}}}}}});
    std::fs::write(&mock, config.to_string()).expect("write");
    let bin = work.join("expressions");
    let crate_dir = work.join("crate");
    build_shared([definition.as_os_str(), "--emit-crate".as_ref(), crate_dir.as_os_str()], &bin);
    // Most expressions compile (the rest run through the engine).
    let code = std::fs::read_to_string(crate_dir.join("src/expressions.rs")).expect("generated module");
    let compiled_fn = |i: usize| if is_task(i) { format!("fn io_out_e{i}(") } else { format!("fn fast_e{i}(") };
    let compiled = (0..EXPRESSIONS).filter(|i| code.contains(&compiled_fn(*i))).count();
    assert!(compiled * 2 > EXPRESSIONS, "only {compiled} of {EXPRESSIONS} expressions compiled");

    let mut mismatches = Vec::new();
    let mut statuses = std::collections::BTreeMap::new();
    for run in 0..RUNS {
        let input = input(&mut g, run % EXPRESSIONS).to_string();
        // One execution name: `$states.context.Execution.Name` is read.
        let mock = mock.to_string_lossy();
        let args = [
            "--input",
            input.as_str(),
            "--result",
            "--name",
            "expressions",
            "--mock-config",
            &mock,
            "--test-case",
            "T",
        ];
        let interp = aslc().arg("run").arg(&definition).args(args).output().expect("aslc run");
        let native = Command::new(&bin).args(args).output().expect("binary runs");
        let parse = |o: &std::process::Output| -> Value {
            serde_json::from_slice(&o.stdout)
                .unwrap_or_else(|e| panic!("no result ({e}): {}", String::from_utf8_lossy(&o.stderr)))
        };
        let (a, b) = (verdict(&parse(&interp)), verdict(&parse(&native)));
        *statuses.entry(a["status"].as_str().unwrap_or("?").to_string()).or_insert(0) += 1;
        if a != b {
            mismatches.push(format!("input {input}:\n  engine:   {a}\n  compiled: {b}"));
        }
    }
    assert!(mismatches.is_empty(), "{} runs differ:\n{}", mismatches.len(), mismatches.join("\n"));
    // Both outcomes are exercised: results and the engine's errors.
    assert!(statuses.len() > 1 && statuses.values().all(|n| *n > RUNS / 10), "{statuses:?}");
    std::fs::remove_dir_all(&work).ok();
}
