//! The front end: one broken definition per validation rule (in
//! `tests/fixtures/invalid/`), each with its expected AWS code and JSON
//! pointer, and insta snapshots of how `aslc check` renders them.

use aslc::check::{check_text, MachineType};
use aslc::diagnostics::{render_human, render_json};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/invalid").join(name)
}

fn machine_type(name: &str) -> MachineType {
    if name.starts_with("express") {
        MachineType::Express
    } else {
        MachineType::Standard
    }
}

fn diagnose(path: &Path) -> (String, serde_json::Value, bool) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
    let bytes = std::fs::read(path).expect("fixture is readable");
    let (source, machine, diags) = check_text(&name, bytes, machine_type(&name));
    (render_human(&source, &diags), render_json(&diags), machine.is_some())
}

/// (fixture, AWS code, location) — each rule of ASL.md §8 and §2.A.
const RULES: &[(&str, &str, Option<&str>)] = &[
    ("missing-required.json", "SCHEMA_VALIDATION_FAILED", Some("/")),
    ("empty.json", "SCHEMA_VALIDATION_FAILED", None),
    ("not-json.json", "INVALID_JSON_DESCRIPTION", Some("[Source: (String)\"not a definition\n\"; line: 1, column: 4]")),
    ("truncated.json", "INVALID_JSON_DESCRIPTION", None),
    ("broken.yaml", "INVALID_YAML_DESCRIPTION", None),
    ("unknown-top-level-field.json", "SCHEMA_VALIDATION_FAILED", Some("/")),
    ("bad-state-type.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Type")),
    ("field-not-supported.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A")),
    ("jsonata-field-in-jsonpath-state.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A")),
    ("jsonpath-field-in-jsonata-state.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A")),
    ("missing-transition-target.json", "MISSING_TRANSITION_TARGET", Some("/States/A/Next")),
    ("missing-start-target.json", "MISSING_TRANSITION_TARGET", Some("/StartAt")),
    ("unreachable-state.json", "MISSING_TRANSITION_TARGET", Some("/States/B")),
    ("no-terminal-state.json", "MISSING_END_STATE", None),
    ("loop-with-unreachable-end.json", "MISSING_TRANSITION_TARGET", Some("/States/C")),
    ("loop-with-unreachable-state.json", "MISSING_END_STATE", None),
    ("duplicate-state-names.json", "DUPLICATE_STATE_NAME", Some("/States/A/Branches[0]/States/A")),
    ("next-and-end.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A")),
    ("neither-next-nor-end.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A")),
    ("mutually-exclusive-fields.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A")),
    ("fail-error-and-error-path.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A")),
    ("fail-cause-path-non-string-intrinsic.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/CausePath")),
    ("bad-wait-timestamp.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Timestamp")),
    ("two-wait-durations.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A")),
    ("bad-template-path.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Parameters")),
    ("bad-intrinsic-escape.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Parameters")),
    ("unknown-intrinsic.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Parameters")),
    ("credentials-without-role.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Credentials")),
    ("empty-branches.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Branches")),
    ("choice-rule-two-operators.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Choices[0]")),
    ("choice-nested-next.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Choices[0]/Not")),
    ("states-all-not-last.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Retry[0]/ErrorEquals")),
    ("retrier-ranges.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Retry[0]/BackoffRate")),
    ("query-language-downgrade.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A")),
    ("item-processor-query-language.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/ItemProcessor")),
    (
        "inner-scope-reassigns-outer-variable.json",
        "SCHEMA_VALIDATION_FAILED",
        Some("/States/M/ItemProcessor/States/In/Assign"),
    ),
    ("reserved-variable-name.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Assign/states")),
    ("result-path-to-context.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/ResultPath")),
    ("distributed-fields-inline.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A")),
    (
        "distributed-without-execution-type.json",
        "SCHEMA_VALIDATION_FAILED",
        Some("/States/A/ItemProcessor/ProcessorConfig"),
    ),
    ("batcher-without-limits.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/ItemBatcher")),
    ("state-name-too-long.json", "SCHEMA_VALIDATION_FAILED", None),
    ("bad-version.json", "SCHEMA_VALIDATION_FAILED", Some("/Version")),
    ("misplaced-states-result.json", "INVALID_JSONATA_EXPRESSION", Some("/States/A/Output")),
    ("undelimited-jsonata.json", "INVALID_JSONATA_EXPRESSION", Some("/States/A/Output")),
    ("tolerated-percentage-range.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/ToleratedFailurePercentage")),
    ("wrong-field-type.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Next")),
    ("not-a-reference-path.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/ItemsPath")),
    ("express-sync-task.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Resource")),
    ("several-problems.yaml", "MISSING_TRANSITION_TARGET", Some("/States/Orphan")),
    ("unknown-integration.json", "SCHEMA_VALIDATION_FAILED", Some("/States/A/Resource")),
];

#[test]
fn every_rule_reports_awss_code_and_location() {
    let mut listed: Vec<&str> = RULES.iter().map(|r| r.0).collect();
    listed.sort();
    let mut on_disk: Vec<String> = std::fs::read_dir(fixture(""))
        .expect("fixtures folder")
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    on_disk.sort();
    assert_eq!(listed, on_disk, "every fixture has a rule row and every row a fixture");
    for (name, code, location) in RULES {
        let (_, json, valid) = diagnose(&fixture(name));
        assert!(!valid, "{name} should be invalid");
        assert_eq!(json["valid"], false, "{name}");
        let diags = json["diagnostics"].as_array().expect("diagnostics array");
        let hit = diags
            .iter()
            .any(|d| d["code"] == *code && location.is_none_or(|l| d["location"] == l) && d["severity"] == "ERROR");
        assert!(hit, "{name}: no {code} at {location:?} in {json}");
    }
}

#[test]
fn diagnostics_render_like_a_compiler() {
    insta::glob!("fixtures/invalid/*", |path| {
        let (human, json, _) = diagnose(path);
        insta::assert_snapshot!(format!(
            "{human}--- json ---\n{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        ));
    });
}

#[test]
fn all_problems_are_reported_together() {
    let (_, json, _) = diagnose(&fixture("several-problems.yaml"));
    let codes: Vec<&str> =
        json["diagnostics"].as_array().into_iter().flatten().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes.len(), 4, "{json}");
    let first = &json["diagnostics"][0];
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(4), Some(5)), "{json}");
}

#[test]
fn examples_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut checked = 0;
    for e in std::fs::read_dir(dir).expect("examples folder").flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        if name.contains(".mock.")
            || name.contains(".input.")
            || name.contains(".resources.")
            || name.contains(".test.")
            || !(name.ends_with(".json") || name.ends_with(".yaml"))
        {
            continue;
        }
        let (human, _, valid) = diagnose(&p);
        assert!(valid, "{name}:\n{human}");
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} examples");
}

/// Definitions AWS creates (`tests/fixtures/valid/`): Jayway's path
/// grammar, `Parameters` that is not an object, integration resources.
#[test]
fn what_aws_accepts_is_accepted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/valid");
    let mut checked = 0;
    for e in std::fs::read_dir(dir).expect("valid fixtures folder").flatten() {
        let (human, json, valid) = diagnose(&e.path());
        assert!(valid, "{}:\n{human}", e.path().display());
        assert_eq!(json["diagnostics"], serde_json::json!([]), "{}", e.path().display());
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} fixtures");
}

#[test]
fn unknown_integrations_are_each_reported() {
    let (_, json, _) = diagnose(&fixture("unknown-integration.json"));
    let at: Vec<&str> =
        json["diagnostics"].as_array().into_iter().flatten().filter_map(|d| d["location"].as_str()).collect();
    assert_eq!(at, ["/States/A/Resource", "/States/B/Resource", "/States/C/Resource"], "{json}");
    assert_eq!(
        json["diagnostics"][0]["message"],
        "The resource provided arn:aws:states:::dynamodb:query is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."
    );
}

#[test]
fn hostile_definitions_get_diagnostics_not_panics() {
    let deep = format!("{}{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    let (_, m, d) = check_text("deep.json", deep.into_bytes(), MachineType::Standard);
    assert!(m.is_none() && !d.is_empty());
    let (_, m, d) = check_text("bin.json", vec![0xff, 0x00, 0xfe], MachineType::Standard);
    assert!(m.is_none() && d[0].code == "INVALID_JSON_DESCRIPTION");
    let wide: String =
        (0..20_000).map(|i| format!("\"S{i}\": {{\"Type\": \"Pass\", \"Next\": \"S{}\"}},", i + 1)).collect();
    let big = format!("{{\"StartAt\": \"S0\", \"States\": {{{wide} \"S20000\": {{\"Type\": \"Succeed\"}}}}}}");
    let (_, m, d) = check_text("big.json", big.into_bytes(), MachineType::Standard);
    assert!(m.is_some(), "{d:?}");
    for bad in ["[]", "42", "\"x\"", "{\"StartAt\": 1, \"States\": []}", "{\"StartAt\": \"A\", \"States\": {\"A\": 5}}"]
    {
        let (_, m, d) = check_text("bad.json", bad.as_bytes().to_vec(), MachineType::Standard);
        assert!(m.is_none() && !d.is_empty(), "{bad}");
    }
}

#[test]
fn a_definition_longer_than_awss_limit_is_refused() {
    let definition = |chars: usize| {
        let frame = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"","End":true}}}"#;
        frame.replace(r#""Result":"""#, &format!(r#""Result":"{}""#, "é".repeat(chars - frame.chars().count())))
    };
    // Characters, not bytes: 1,048,576 two-byte characters fit.
    let (_, m, d) = check_text("max.json", definition(1_048_576).into_bytes(), MachineType::Standard);
    assert!(m.is_some(), "{d:?}");
    let (_, m, d) = check_text("over.json", definition(1_048_577).into_bytes(), MachineType::Standard);
    assert!(m.is_none());
    assert_eq!(d[0].code, "DEFINITION_TOO_LARGE");
    assert_eq!(d[0].message, "The definition is 1048577 characters long; AWS accepts at most 1048576");
    // YAML is measured as the JSON AWS would be sent.
    let yaml =
        format!("StartAt: P\nStates:\n  P:\n    Type: Pass\n    End: true\n    Result: {}\n", "x".repeat(1_048_600));
    let (_, m, d) = check_text("over.yaml", yaml.into_bytes(), MachineType::Standard);
    assert!(m.is_none() && d[0].code == "DEFINITION_TOO_LARGE", "{d:?}");
}

#[test]
fn any_state_name_is_accepted_and_drawn() {
    let def = serde_json::json!({
        "StartAt": "say \"hi\"\nnow",
        "States": {
            "say \"hi\"\nnow": {"Type": "Pass", "Next": "日本語 ✓ }{"},
            "日本語 ✓ }{": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "end'); drop"}], "Default": "end'); drop"},
            "end'); drop": {"Type": "Succeed"}
        }
    });
    let (_, m, d) = check_text("names.json", def.to_string().into_bytes(), MachineType::Standard);
    let m = m.unwrap_or_else(|| panic!("{d:?}"));
    let dot = aslc::graph::dot(&m);
    assert!(dot.contains("\"say \\\"hi\\\"\\nnow\" -> \"日本語 ✓ }{\""), "{dot}");
    let mermaid = aslc::graph::mermaid(&m);
    assert!(mermaid.contains("state \"say #quot;hi#quot; now\" as s0"), "{mermaid}");
}
