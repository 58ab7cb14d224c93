//! End to end through `aslc build`: every example and every case of
//! `tests/cases/` compiled into one binary (a subcommand each), run, and
//! compared with the interpreter — status, output, error and cause must be
//! identical. The runtime's dependencies are built once, in a cache under
//! cargo's target folder shared by every run of this test.

#[path = "engines.rs"]
mod engines;

use engines::{aslc, build_shared, root, verdict};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Run {
    stem: String,
    definition: PathBuf,
    args: Vec<String>,
}

fn result(o: &Output, what: &str) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{what}: no JSON result ({e}): {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// `… | head`: a reader that goes away early ends nothing but the output;
/// no panic, no backtrace, the execution's own exit status. The output is
/// more than a pipe holds, so the write waits until the reader is gone.
fn assert_quiet_when_stdout_closes(cmd: &mut Command, work: &Path, what: &str) {
    let input = work.join("big-input.json");
    std::fs::write(&input, serde_json::json!(vec!["x".repeat(100); 2000]).to_string()).expect("write");
    let mut child = cmd
        .arg("--input-file")
        .arg(&input)
        .arg("--result")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("wait");
    assert_eq!((o.status.code(), String::from_utf8_lossy(&o.stderr).as_ref()), (Some(0), ""), "{what}");
}

fn runs(work: &Path) -> Vec<Run> {
    let ex = root().join("examples");
    let input = |text: &str| vec!["--input".to_string(), text.to_string()];
    let mut out = vec![
        Run { stem: "hello".into(), definition: ex.join("hello.json"), args: input("{}") },
        Run {
            stem: "choice-wait-loop".into(),
            definition: ex.join("choice-wait-loop.json"),
            args: input(r#"{"limit": 4, "delay": 2}"#),
        },
        Run {
            stem: "parallel".into(),
            definition: ex.join("parallel.json"),
            args: input(r#"{"customer": {"name": "Ada"}, "lines": [{"sku": "A", "quantity": 2}]}"#),
        },
        Run {
            stem: "map".into(),
            definition: ex.join("map.json"),
            args: input(r#"{"currency": "EUR", "lines": [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}]}"#),
        },
    ];
    for case in ["HappyPath", "Throttled"] {
        out.push(Run {
            stem: "product-processing".into(),
            definition: ex.join("product-processing.json"),
            args: [
                "--input-file",
                ex.join("product-processing.input.json").to_str().unwrap_or_default(),
                "--mock-config",
                ex.join("product-processing.mock.json").to_str().unwrap_or_default(),
                "--test-case",
                case,
            ]
            .map(String::from)
            .to_vec(),
        });
    }
    let mut files: Vec<_> =
        std::fs::read_dir(root().join("tests/cases")).expect("cases").flatten().map(|e| e.path()).collect();
    files.sort();
    for f in files {
        let group = f.file_stem().and_then(|s| s.to_str()).unwrap_or("case").to_string();
        let cases: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&f).expect("readable")).expect("case JSON");
        for (i, c) in cases.iter().enumerate() {
            let stem = format!("{group}-{i}");
            let definition = work.join(format!("{stem}.json"));
            std::fs::write(&definition, c["definition"].to_string()).expect("write definition");
            let input_file = work.join(format!("{stem}.input.json"));
            std::fs::write(&input_file, c.get("input").cloned().unwrap_or(serde_json::json!({})).to_string())
                .expect("write input");
            let mut args = vec!["--input-file".to_string(), input_file.display().to_string()];
            if let Some(m) = c.get("mock") {
                let mock = work.join(format!("{stem}.mock.json"));
                std::fs::write(&mock, m.to_string()).expect("write mock");
                args.extend(["--mock-config".into(), mock.display().to_string(), "--test-case".into(), "Test".into()]);
            }
            out.push(Run { stem, definition, args });
        }
    }
    out
}

#[test]
fn both_engines_agree_on_examples_and_cases() {
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("compiled-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("work dir");
    let runs = runs(&work);
    let mut defs: Vec<&PathBuf> = runs.iter().map(|r| &r.definition).collect();
    defs.dedup();
    let nested = [root().join("tests/serve/nested/parent.json"), root().join("tests/serve/nested/child.json")];
    defs.extend(&nested);
    let bundle = work.join("bundle");
    build_shared(&defs, &bundle);

    let mut mismatches = Vec::new();
    for r in &runs {
        let interp = aslc()
            .arg("run")
            .arg(&r.definition)
            .args(&r.args)
            .args(["--result", "--fast-forward"])
            .output()
            .expect("run");
        let compiled = Command::new(&bundle)
            .arg(&r.stem)
            .args(&r.args)
            .args(["--result", "--fast-forward"])
            .output()
            .expect("bundle runs");
        assert_eq!(interp.status.code(), compiled.status.code(), "{}: exit codes", r.stem);
        let (a, b) = (verdict(&result(&interp, &r.stem)), verdict(&result(&compiled, &r.stem)));
        if a != b {
            mismatches.push(format!("{} {:?}:\n  interpreted: {a}\n  compiled:    {b}", r.stem, r.args));
        }
    }
    assert!(runs.len() > 80, "only {} runs", runs.len());
    assert!(mismatches.is_empty(), "{} runs differ:\n{}", mismatches.len(), mismatches.join("\n"));

    // The histories agree too, event for event (timestamps aside), in a
    // workflow whose states mostly run as generated code.
    let events = |cmd: &mut Command, file: &Path| -> Vec<serde_json::Value> {
        let o = cmd
            .args(["--input", r#"{"limit": 3, "delay": 1}"#, "--fast-forward", "--history"])
            .arg(file)
            .output()
            .expect("runs");
        assert!(o.status.success());
        let h: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).expect("history")).expect("JSON");
        let mut events = h["events"].as_array().cloned().unwrap_or_default();
        for e in &mut events {
            if let Some(m) = e.as_object_mut() {
                m.remove("timestamp");
            }
        }
        events
    };
    let interp =
        events(aslc().arg("run").arg(root().join("examples/choice-wait-loop.json")), &work.join("h-interp.json"));
    let compiled = events(Command::new(&bundle).arg("choice-wait-loop"), &work.join("h-compiled.json"));
    assert_eq!(interp.len(), 26);
    assert_eq!(interp, compiled);

    // A one-shot run starts the binary's other machines, as `aslc run
    // --machines` starts the interpreter's.
    let nested_input = r#"{"target": "arn:aws:states:us-east-1:123456789012:stateMachine:child", "n": 3}"#;
    let interp = aslc()
        .arg("run")
        .arg(&nested[0])
        .args(["--machines", "tests/serve/nested", "--input", nested_input])
        .current_dir(root())
        .output()
        .expect("runs");
    let compiled = Command::new(&bundle).args(["parent", "--input", nested_input]).output().expect("runs");
    let children = |o: &Output| -> serde_json::Value {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output");
        serde_json::json!([
            out["json"]["Output"],
            out["text"]["Output"],
            out["text"]["Status"],
            out["fire"]["ExecutionArn"]
        ])
    };
    let expected = serde_json::json!([
        {"doubled": 6},
        "{\"doubled\":12}",
        "SUCCEEDED",
        "arn:aws:states:us-east-1:123456789012:execution:child:fired"
    ]);
    assert_eq!(children(&interp), expected);
    assert_eq!(children(&compiled), expected);

    // Outputs checked against what the examples are meant to produce.
    let hello = Command::new(&bundle).args(["hello", "--input", "{}"]).output().expect("runs");
    assert_eq!(String::from_utf8_lossy(&hello.stdout).trim(), "\"Hello World!\"");
    let lp = Command::new(&bundle)
        .args(["choice-wait-loop", "--input", r#"{"limit": 2, "delay": 0}"#])
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&lp.stdout).trim(), "2");
    let hello = root().join("examples/hello.json");
    assert_quiet_when_stdout_closes(aslc().arg("run").arg(&hello), &work, "aslc run");
    assert_quiet_when_stdout_closes(Command::new(&bundle).arg("hello"), &work, "a built binary");
    let help = Command::new(&bundle).arg("--help").output().expect("runs");
    assert!(String::from_utf8_lossy(&help.stdout).contains("product-processing"));
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn a_single_definition_makes_a_binary_that_runs_it_directly() {
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("single-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("work dir");
    let out = work.join("hello");
    let crate_dir = work.join("crate");
    let built = aslc()
        .args(["build", "examples/hello.json", "--out"])
        .arg(&out)
        .arg("--emit-crate")
        .arg(&crate_dir)
        .current_dir(root())
        .output()
        .expect("aslc build runs");
    let log = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "{log}");
    // The runtime without its optional parts builds without a warning too.
    assert!(!log.contains("warning"), "{log}");
    let run = Command::new(&out).args(["--input", "{}"]).output().expect("runs");
    assert_eq!(String::from_utf8_lossy(&run.stdout).trim(), "\"Hello World!\"");
    assert!(crate_dir.join("src/hello.rs").exists() && crate_dir.join("Cargo.lock").exists());
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).expect("manifest");
    assert!(manifest.contains("panic = \"abort\"") && manifest.contains("[workspace]"));
    // A Pass machine needs none of the runtime's optional parts.
    assert!(manifest.contains("default-features = false, features = []"), "{manifest}");
    let serve = Command::new(&out).args(["serve", "--port", "0"]).output().expect("runs");
    assert_eq!(serve.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&serve.stderr)
            .contains("built without the Step Functions API (`serve`); rebuild it with `aslc build --with serve`"),
        "{}",
        String::from_utf8_lossy(&serve.stderr)
    );
    let unknown =
        aslc().args(["build", "examples/hello.json", "--with", "tls"]).current_dir(root()).output().expect("runs");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown feature 'tls'"));
    // A YAML resource map needs the `yaml` feature, which this binary left out.
    let yaml = work.join("resources.yaml");
    std::fs::write(&yaml, "Resources:\n  arn:aws:lambda:us-east-1:123456789012:function:f:\n    Command: cat\n")
        .expect("write");
    let refused = Command::new(&out).args(["--input", "{}", "--resources"]).arg(&yaml).output().expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("rebuild it with `aslc build --with yaml`"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // The emitted crate stands alone: its runtime beside it, by a relative path.
    assert!(manifest.contains("path = \"asl-runtime\""), "{manifest}");
    assert!(crate_dir.join("asl-runtime/Cargo.toml").exists() && crate_dir.join("asl-runtime/src/lib.rs").exists());
    // Cargo resolves it there, offline, with its pinned lockfile.
    let resolved = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["tree", "--offline", "-e", "normal", "-i", "asl-runtime", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .output()
        .expect("cargo runs");
    let tree = String::from_utf8_lossy(&resolved.stdout);
    assert!(resolved.status.success(), "{}", String::from_utf8_lossy(&resolved.stderr));
    assert!(tree.contains(&crate_dir.join("asl-runtime").display().to_string()), "{tree}");
    let bad = aslc()
        .args(["build", "tests/fixtures/invalid/no-terminal-state.json"])
        .current_dir(root())
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(1));
    std::fs::remove_dir_all(&work).ok();
}
