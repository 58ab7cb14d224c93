use super::*;
use serde_json::json;

fn eval(text: &str) -> Result<Option<Value>, String> {
    let vars = Vars::root();
    vars.assign([("x".to_string(), json!(3))].into_iter().collect());
    Expr::parse(text).map_err(|e| e.message)?.eval(&json!({"input": {"a": [1, 2]}}), &vars)
}

#[test]
fn aws_functions() {
    assert_eq!(eval("$partition([1,2,3,4], 2)"), Ok(Some(json!([[1, 2], [3, 4]]))));
    assert_eq!(eval("$range(0, 6, 2)"), Ok(Some(json!([0, 2, 4, 6]))));
    assert_eq!(eval("$range(1, 9, 9)"), Ok(Some(json!(1))));
    assert_eq!(eval("$hash('input', 'SHA-1')"), Ok(Some(json!("140f86aae51ab9e1cda9b4254fe98a74eb54c1a1"))));
    assert_eq!(eval("$random(42)"), Ok(Some(json!(0.7275636800328681))));
    assert_eq!(eval("$parse('[1, 2, \"HelloWorld\"]')"), Ok(Some(json!([1, 2, "HelloWorld"]))));
    assert_eq!(eval("$length($uuid())"), Ok(Some(json!(36))));
    assert!(eval("$eval('1')").is_err());
}

#[test]
fn states_variables_and_undefined() {
    assert_eq!(eval("$states.input.a[1] + $x"), Ok(Some(json!(5))));
    assert_eq!(eval("$nothing"), Ok(None));
    assert_eq!(eval("1.5 * 2"), Ok(Some(json!(3))));
}

#[test]
fn create_time_rules() {
    assert_eq!(Expr::parse("phone").unwrap_err().code, "UNSUPPORTED_JSONATA_EXPRESSION");
    assert_eq!(Expr::parse("$").unwrap_err().code, "UNSUPPORTED_JSONATA_EXPRESSION");
    assert_eq!(Expr::parse("1 +").unwrap_err().code, "INVALID_JSONATA_EXPRESSION");
    assert!(Expr::parse("$orders[total > 10]").is_ok());
}

#[test]
fn template_locations() {
    let t = Template::parse(&json!({"a": {"b": [1, "{% $nope %}"]}})).unwrap();
    let err = t.eval("Output", &json!({}), &Vars::root()).unwrap_err();
    assert_eq!(
        err.cause.as_deref(),
        Some("The JSONata expression '$nope' specified for the field 'Output/a/b[1]' returned nothing (undefined).")
    );
}

#[test]
fn results_too_large_for_a_payload_are_refused_before_they_are_copied() {
    let err = eval("4..8888888").unwrap_err();
    assert!(err.contains("more than 262144 values"), "{err}");
    assert_eq!(eval("$count(4..8888888)"), Ok(Some(json!(8888885))));
    assert_eq!(eval("$count([1..262144])"), Ok(Some(json!(262144))));
}
