//! CloudFormation, SAM and CDK templates through every command: check,
//! graph, run, build and test take a template (or `template#LogicalId`),
//! resolve what the template alone can, and point diagnostics into it.

mod engines;

use engines::{aslc, root, verdict, SHARED_FEATURES};
use std::process::Output;

const SAM: &str = "tests/fixtures/templates/sam/template.yaml";
const CDK: &str = "tests/fixtures/templates/cdk/OrderStack.template.json";
const MOCK: &str = "tests/fixtures/templates/sam/order.mock.json";

fn run(args: &[&str]) -> Output {
    aslc().current_dir(root()).args(args).output().expect("aslc runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

#[test]
fn check_reads_every_machine_of_a_template_and_notes_placeholders() {
    let o = run(&["check", SAM, CDK]);
    let report = text(&o);
    assert_eq!(o.status.code(), Some(0), "{report}");
    for valid in [
        "sam/template.yaml#OrderFlow: valid",
        "sam/template.yaml#Notify: valid",
        "OrderStack.template.json#OrderFlow6C968CA5: valid",
    ] {
        assert!(report.contains(valid), "{valid}: {report}");
    }
    assert!(
        report.contains(
            "PriceFunction.Arn is a placeholder here: arn:aws:lambda:us-east-1:123456789012:function:PriceFunction"
        ),
        "{report}"
    );
    let one = run(&["check", &format!("{SAM}#Notify")]);
    assert!(text(&one).contains("#Notify: valid") && !text(&one).contains("OrderFlow"), "{}", text(&one));
    let missing = run(&["check", &format!("{SAM}#Nope")]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing).contains("has no state machine 'Nope' (it has: OrderFlow, Notify)"), "{}", text(&missing));
}

#[test]
fn a_problem_in_an_inline_definition_points_into_the_template() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("templates-invalid");
    std::fs::create_dir_all(&dir).expect("dir");
    let template = std::fs::read_to_string(root().join(SAM)).expect("template");
    let broken = template.replace(
        "Resource: !Sub arn:${AWS::Partition}:states:::sns:publish",
        "Resource: !Sub arn:${AWS::Partition}:states:::sns:publishh",
    );
    std::fs::write(dir.join("template.yaml"), broken).expect("write");
    let o = aslc().current_dir(&dir).args(["check", "template.yaml#Notify"]).output().expect("aslc runs");
    let report = text(&o);
    assert_eq!(o.status.code(), Some(1), "{report}");
    let line = template.lines().position(|l| l.contains("states:::sns:publish")).expect("the line") + 1;
    assert!(report.contains(&format!("--> template.yaml:{line}:")), "{report}");
    assert!(report.contains("arn:aws:states:::sns:publishh is not recognized"), "{report}");
}

#[test]
fn run_graph_and_test_take_a_templates_machine() {
    let o =
        run(&["run", &format!("{SAM}#OrderFlow"), "--input", r#"{"id": "o-1"}"#, "--mock-config", MOCK, "--result"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let result: serde_json::Value = serde_json::from_slice(&o.stdout).expect("a result");
    assert_eq!(result["stateMachineArn"], "arn:aws:states:us-east-1:123456789012:stateMachine:OrderFlow");
    assert_eq!(result["taskCalls"][1]["parameters"]["TableName"], "OrdersTable");

    let several = run(&["run", SAM]);
    assert_eq!(several.status.code(), Some(2));
    assert!(text(&several).contains("holds 2 state machines (OrderFlow, Notify): name one as"), "{}", text(&several));

    let graph = run(&["graph", CDK, "--format", "mermaid"]);
    assert_eq!(graph.status.code(), Some(0), "{}", text(&graph));
    assert!(String::from_utf8_lossy(&graph.stdout).contains("state \"Big order?\" as s1"), "{}", text(&graph));

    let tested = run(&["test", "tests/fixtures/templates/sam/order.test.yaml"]);
    assert_eq!(tested.status.code(), Some(0), "{}", text(&tested));
    assert!(text(&tested).contains("1 passed; 0 failed"), "{}", text(&tested));
}

#[test]
fn substitutions_fill_a_plain_definitions_placeholders() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("templates-substitutions");
    std::fs::create_dir_all(&dir).expect("dir");
    let subs = dir.join("subs.yaml");
    std::fs::write(&subs, "PriceFunctionArn: arn:aws:lambda:eu-west-1:111111111111:function:price\nOrdersTable: orders\nTopic: arn:aws:sns:eu-west-1:111111111111:t\n").expect("write");
    let o = aslc()
        .current_dir(root())
        .args([
            "run",
            "tests/fixtures/templates/sam/statemachine/order.asl.json",
            "--input",
            r#"{"id": "o-2"}"#,
            "--result",
        ])
        .args(["--mock-config", MOCK, "--test-case", "Priced", "--substitutions"])
        .arg(&subs)
        .output()
        .expect("aslc runs");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let result: serde_json::Value = serde_json::from_slice(&o.stdout).expect("a result");
    assert_eq!(
        result["taskCalls"][0]["parameters"]["FunctionName"],
        "arn:aws:lambda:eu-west-1:111111111111:function:price"
    );
    assert_eq!(result["taskCalls"][1]["parameters"]["TableName"], "orders");
}

#[test]
fn a_templates_machines_build_into_one_binary() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("templates-build");
    std::fs::create_dir_all(&dir).expect("dir");
    let bin = dir.join("orders");
    let built = aslc()
        .current_dir(root())
        .args(["build", SAM, CDK])
        .args(SHARED_FEATURES)
        .arg("--out")
        .arg(&bin)
        .output()
        .expect("aslc runs");
    assert!(built.status.success(), "{}", text(&built));
    let args = ["--input", r#"{"id": "o-1"}"#, "--mock-config", MOCK, "--result"];
    let compiled = std::process::Command::new(&bin)
        .current_dir(root())
        .arg("OrderFlow")
        .args(args)
        .output()
        .expect("the binary runs");
    let interpreted = run(&[&["run", &format!("{SAM}#OrderFlow")][..], &args[..]].concat());
    let parse = |o: &Output| verdict(&serde_json::from_slice(&o.stdout).expect("a result"));
    assert_eq!(parse(&compiled), parse(&interpreted));
    assert_eq!(parse(&compiled)["status"], "SUCCEEDED");
    // The CDK machine is a subcommand of the same binary, named by its logical id.
    let help = std::process::Command::new(&bin).arg("--help").output().expect("the binary runs");
    assert!(String::from_utf8_lossy(&help.stdout).contains("OrderFlow6C968CA5"), "{}", text(&help));
}
