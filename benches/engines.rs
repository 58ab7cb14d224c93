//! `cargo bench -p aslc`: every workload of `benches/workloads` through the
//! interpreter (`aslc run`) and through one binary built by `aslc build`,
//! in the same run, as whole processes. Throughput is in state transitions.
//! `benches/compare` prints the same comparison as one table.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

struct Workload {
    name: &'static str,
    definition: &'static str,
    input: &'static str,
    mock: Option<(&'static str, &'static str)>,
}

const WORKLOADS: &[Workload] = &[
    Workload {
        name: "counter-loop",
        definition: "benches/workloads/counter-loop.json",
        input: r#"{"limit": 100000}"#,
        mock: None,
    },
    Workload { name: "map-1000", definition: "benches/workloads/map-1000.json", input: "{}", mock: None },
    Workload { name: "map-transitions", definition: "benches/workloads/map-transitions.json", input: "{}", mock: None },
    Workload { name: "jsonata-map", definition: "benches/workloads/jsonata-map.json", input: "{}", mock: None },
    Workload {
        name: "parallel-reshape",
        definition: "benches/workloads/parallel-reshape.json",
        input: "{}",
        mock: None,
    },
    Workload {
        name: "jsonata-loop",
        definition: "benches/workloads/jsonata-loop.json",
        input: r#"{"limit": 10000}"#,
        mock: None,
    },
    Workload {
        name: "wait-loop",
        definition: "benches/workloads/wait-loop.json",
        input: r#"{"limit": 2000}"#,
        mock: None,
    },
    Workload {
        name: "tasks-retry-catch",
        definition: "benches/workloads/tasks-retry-catch.json",
        input: "{}",
        mock: Some(("benches/workloads/tasks-retry-catch.mock.json", "Bench")),
    },
];

impl std::fmt::Display for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn aslc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aslc"));
    c.current_dir(root()).env("ASLC_HOME", root().join("target/aslc-bench-home"));
    c
}

/// The binary with every workload, built once per bench run.
fn bundle() -> &'static PathBuf {
    static BUNDLE: OnceLock<PathBuf> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let out = root().join("target/bench-bundle-divan");
        let status = aslc()
            .arg("build")
            .args(WORKLOADS.iter().map(|w| w.definition))
            .arg("--out")
            .arg(&out)
            .status()
            .expect("aslc build runs");
        assert!(status.success(), "aslc build failed");
        out
    })
}

fn flags(w: &Workload) -> Vec<String> {
    // Express: the loops run past a Standard execution's 25,000 events.
    let mut f = ["--input", w.input, "--fast-forward", "--type", "EXPRESS"].map(String::from).to_vec();
    if let Some((mock, case)) = w.mock {
        f.extend(["--mock-config".into(), mock.into(), "--test-case".into(), case.into()]);
    }
    f
}

/// State transitions of one execution (its `*StateEntered` events).
fn transitions(w: &Workload) -> usize {
    let history = root().join(format!("target/bench-history-{}.json", w.name));
    let o = aslc()
        .args(["run", w.definition])
        .args(flags(w))
        .arg("--history")
        .arg(&history)
        .output()
        .expect("aslc run runs");
    assert!(o.status.success());
    let h: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&history).expect("history")).expect("JSON");
    h["events"]
        .as_array()
        .map_or(0, |e| e.iter().filter(|e| e["type"].as_str().is_some_and(|t| t.ends_with("StateEntered"))).count())
}

#[divan::bench(args = WORKLOADS)]
fn interpreter(bencher: divan::Bencher, w: &Workload) {
    let n = transitions(w);
    bencher.counter(divan::counter::ItemsCount::new(n)).bench(|| {
        let o = aslc().args(["run", w.definition]).args(flags(w)).output().expect("runs");
        assert!(o.status.success());
    });
}

#[divan::bench(args = WORKLOADS)]
fn compiled(bencher: divan::Bencher, w: &Workload) {
    let n = transitions(w);
    let stem = Path::new(w.definition).file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let bin = bundle();
    bencher.counter(divan::counter::ItemsCount::new(n)).bench(|| {
        let o = Command::new(bin).current_dir(root()).arg(stem).args(flags(w)).output().expect("runs");
        assert!(o.status.success());
    });
}

fn main() {
    divan::main();
}
