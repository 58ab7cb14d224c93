//! `aslc test`: test files run in both engines, the report a person reads
//! (snapshot), JUnit and coverage files that CI tools read, `--update`,
//! and test files that are wrong.

mod engines;

use engines::{aslc, root};
use std::path::Path;
use std::process::Output;

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

/// The report without its one varying figure.
fn stable(report: &str) -> String {
    report
        .lines()
        .map(|l| match l.find("; finished in ") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses an XML file with Python's parser (a real one), returning the
/// counts of `<testcase>` and `<failure>` elements.
fn junit_counts(path: &Path) -> (usize, usize) {
    let script = "import sys, xml.etree.ElementTree as ET\nr = ET.parse(sys.argv[1]).getroot()\nprint(len(r.findall('.//testcase')), len(r.findall('.//failure')))";
    let o = std::process::Command::new("python3").args(["-c", script]).arg(path).output().expect("python3 runs");
    assert!(o.status.success(), "{}", text(&o));
    let counts = String::from_utf8_lossy(&o.stdout);
    let mut n = counts.split_whitespace().map(|n| n.parse::<usize>().expect("a count"));
    (n.next().expect("cases"), n.next().expect("failures"))
}

#[test]
fn the_examples_tests_pass_in_both_engines_with_coverage() {
    let dir = tempdir("examples");
    let (junit, json, lcov, html) =
        (dir.join("junit.xml"), dir.join("coverage.json"), dir.join("lcov.info"), dir.join("coverage.html"));
    let o = aslc()
        .current_dir(root())
        .args(["test", "examples", "--engine", "both", "--coverage", "--junit"])
        .arg(&junit)
        .arg("--coverage-json")
        .arg(&json)
        .arg("--coverage-lcov")
        .arg(&lcov)
        .arg("--coverage-report")
        .arg(&html)
        .output()
        .expect("aslc runs");
    let report = text(&o);
    assert_eq!(o.status.code(), Some(0), "{report}");
    assert!(report.contains("test result: ok. 10 passed; 0 failed"), "{report}");
    assert!(
        report.contains("examples/product-processing.test.yaml :: a status that needs three polls [compiled] ... ok")
    );
    assert_eq!(junit_counts(&junit), (10, 0));

    // What the tests leave out: the FAILED status rule, and Check status's retrier.
    let cov: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("JSON");
    let m = &cov["machines"][0];
    assert_eq!(m["machine"], "product-processing");
    assert_eq!(m["totals"]["states"], serde_json::json!({"covered": 9, "total": 9}));
    assert_eq!(m["totals"]["choice_rules"], serde_json::json!({"covered": 2, "total": 3}));
    let missed: Vec<String> = m["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["hits"] == 0)
        .map(|i| format!("{} {}", i["state"].as_str().unwrap_or(""), i["took"]))
        .collect();
    assert_eq!(
        missed,
        ["Check status {\"retry\":0}", "Is it ready? {\"next\":\"Record failure\"}", "Is it ready? {\"rule\":1}"]
    );
    assert!(report.contains("'Is it ready?' Choices[1]"), "{report}");

    let lcov = std::fs::read_to_string(&lcov).expect("lcov");
    assert!(lcov.starts_with("TN:product-processing\nSF:examples/product-processing.json\n"), "{lcov}");
    assert!(lcov.contains("LF:9\nLH:9\n") && lcov.contains("end_of_record"), "{lcov}");
    // The FAILED rule sits on its own line of the definition, never taken.
    let definition = std::fs::read_to_string(root().join("examples/product-processing.json")).expect("definition");
    let rule_line = definition.lines().position(|l| l.contains("\"FAILED\"")).expect("the FAILED rule") + 1;
    assert!(lcov.lines().any(|l| l.starts_with(&format!("BRDA:{}", rule_line - 2)) && l.ends_with(",-")), "{lcov}");

    let html = std::fs::read_to_string(&html).expect("html");
    assert!(html.contains("<svg") && html.contains("data-state=\"Is it ready?\""), "{html}");

    // Each engine alone traces the same states and ways out.
    let alone = |engine: &str| {
        let file = dir.join(format!("{engine}.json"));
        let o = aslc()
            .current_dir(root())
            .args(["test", "examples", "--engine", engine, "--coverage-json"])
            .arg(&file)
            .output()
            .expect("aslc runs");
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        std::fs::read_to_string(&file).expect("coverage")
    };
    assert_eq!(alone("interp"), alone("compiled"));
}

#[test]
fn a_report_shows_what_differs() {
    let o = aslc()
        .current_dir(root())
        .args([
            "test",
            "-j",
            "1",
            "tests/fixtures/testing/failing-expectations.yaml",
            "tests/fixtures/testing/order.test.json",
        ])
        .output()
        .expect("aslc runs");
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!(stable(&text(&o)));
}

#[test]
fn filter_picks_cases_and_junit_records_failures() {
    let dir = tempdir("filter");
    let junit = dir.join("junit.xml");
    let o = aslc()
        .current_dir(root())
        .args([
            "test",
            "tests/fixtures/testing",
            "tests/fixtures/testing/failing-expectations.yaml",
            "--filter",
            "wrong",
            "--junit",
        ])
        .arg(&junit)
        .output()
        .expect("aslc runs");
    let report = text(&o);
    assert_eq!(o.status.code(), Some(1), "{report}");
    assert!(report.contains("running 2 case(s)") && report.contains("0 passed; 2 failed"), "{report}");
    assert_eq!(junit_counts(&junit), (2, 2));
    let only_passing = aslc()
        .current_dir(root())
        .args(["test", "tests/fixtures/testing", "--filter", "order.test.json :: no price"])
        .output()
        .expect("aslc runs");
    assert_eq!(only_passing.status.code(), Some(0), "{}", text(&only_passing));
    assert!(text(&only_passing).contains("1 passed; 0 failed"));
}

#[test]
fn update_records_actual_results_as_expectations() {
    let dir = tempdir("update");
    std::fs::copy(root().join("tests/fixtures/testing/order.json"), dir.join("order.json")).expect("copy");
    let file = dir.join("cases.test.yaml");
    std::fs::copy(root().join("tests/fixtures/testing/failing-expectations.yaml"), &file).expect("copy");
    let run = |update: bool| {
        let mut c = aslc();
        c.current_dir(&dir).args(["test", "cases.test.yaml"]);
        if update {
            c.arg("--update");
        }
        c.output().expect("aslc runs")
    };
    let o = run(true);
    let report = text(&o);
    assert!(report.contains("updated 3 case(s) in cases.test.yaml"), "{report}");
    // Status, output and path are recorded; the assertions still fail.
    assert!(report.contains("2 passed; 1 failed"), "{report}");
    let updated = std::fs::read_to_string(&file).expect("updated");
    let value: serde_json::Value = serde_json::to_value(yaml_of(&updated)).expect("the updated file is YAML");
    assert_eq!(value["cases"][0]["expect"]["output"], serde_json::json!({"sku": "A", "price": 5}));
    assert_eq!(value["cases"][1]["expect"]["status"], "FAILED");
    assert_eq!(value["cases"][1]["expect"]["error"], "Unpriced");
    assert_eq!(value["cases"][2]["expect"]["path"], serde_json::json!(["Price", "Expensive?", "Approve", "Done"]));
    let again = run(false);
    assert!(text(&again).contains("2 passed; 1 failed"), "{}", text(&again));
}

/// A YAML document as JSON, through aslc's own reader (`aslc test` reads
/// the file it wrote back the same way).
fn yaml_of(text: &str) -> serde_json::Value {
    let (_, v) = aslc::source::load("updated.yaml", text.as_bytes().to_vec());
    v.expect("valid YAML")
}

#[test]
fn wrong_test_files_are_placed_errors() {
    let dir = tempdir("wrong");
    std::fs::copy(root().join("tests/fixtures/testing/order.json"), dir.join("order.json")).expect("copy");
    let cases = [
        (
            "typo.test.yaml",
            "definition: order.json\ncases:\n  - name: a\n    expect:\n      outptu: 1\n",
            "typo.test.yaml:5:15: unknown key 'outptu'",
        ),
        (
            "status.test.yaml",
            "definition: order.json\ncases:\n  - name: a\n    expect: { status: DONE }\n",
            "'status' is SUCCEEDED, FAILED, TIMED_OUT or ABORTED, not 'DONE'",
        ),
        ("nodef.test.yaml", "cases: []\n", "a test file needs 'definition'"),
        ("missing.test.yaml", "definition: nothere.json\ncases: []\n", "cannot read"),
        (
            "jsonata.test.yaml",
            "definition: order.json\ncases:\n  - name: a\n    expect:\n      assert: ['{% $output.( %}']\n",
            "jsonata.test.yaml:5:16: The JSONata expression",
        ),
        ("dup.test.yaml", "definition: order.json\ncases:\n  - name: a\n  - name: a\n", "two cases are named 'a'"),
        (
            "mock.test.yaml",
            "definition: order.json\ncases:\n  - name: a\n    mockTestCase: X\n",
            "names mockTestCase 'X' but the file has no 'mockConfig'",
        ),
        (
            "badmock.test.yaml",
            "definition: order.json\ncases:\n  - name: a\n    mocks: { Price: [{ Retrun: 1 }] }\n",
            "needs 'Return' or 'Throw'",
        ),
    ];
    for (name, body, expected) in cases {
        std::fs::write(dir.join(name), body).expect("write");
        let o = aslc().current_dir(&dir).args(["test", name]).output().expect("aslc runs");
        let report = text(&o);
        assert!(report.contains(expected), "{name}: {report}");
        assert!(!report.contains("panicked"), "{name}: {report}");
        // A file that cannot be read stops the run; a case that cannot run fails.
        assert!(matches!(o.status.code(), Some(1 | 2)), "{name}: {report}");
    }
    let nothing = aslc().args(["test", "no/such/dir"]).output().expect("aslc runs");
    assert_eq!(nothing.status.code(), Some(2));
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("workflow-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
