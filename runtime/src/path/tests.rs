use super::*;
use serde_json::json;

fn sel(p: &str, doc: serde_json::Value) -> Result<serde_json::Value, PathError> {
    Path::parse(p).unwrap().select(&doc)
}

#[test]
fn dashed_names_and_brackets() {
    assert_eq!(sel("$.detail-type", json!({"detail-type": 1})), Ok(json!(1)));
    assert_eq!(sel("$['a b'].c", json!({"a b": {"c": 2}})), Ok(json!(2)));
    assert_eq!(sel("$.a\\.b", json!({"a.b": 3})), Ok(json!(3)));
}

#[test]
fn definite_errors_use_jayway_words() {
    assert_eq!(sel("$.x", json!({})), Err(PathError::NoResults("$['x']".into())));
    assert_eq!(sel("$.no.such", json!({})), Err(PathError::MissingProperty("$['no']".into())));
    assert_eq!(sel("$.no.such", json!({})).unwrap_err().to_string(), "Missing property in path $['no']");
}

#[test]
fn indefinite_paths_yield_arrays() {
    let doc = json!({"a": [1, 2, 3], "b": [{"v": 1}, {"v": 7}]});
    assert_eq!(sel("$.a[0,1]", doc.clone()), Ok(json!([1, 2])));
    assert_eq!(sel("$.a[0]", doc.clone()), Ok(json!(1)));
    assert_eq!(sel("$.a[1:]", doc.clone()), Ok(json!([2, 3])));
    assert_eq!(sel("$.a[-1:]", doc.clone()), Ok(json!([3])));
    assert_eq!(sel("$.b[*].v", doc.clone()), Ok(json!([1, 7])));
    assert_eq!(sel("$..v", doc.clone()), Ok(json!([1, 7])));
    assert_eq!(sel("$.b[?(@.v > 5)]", doc.clone()), Ok(json!([{"v": 7}])));
    assert_eq!(sel("$.b[?(@.v == 1 || @.v == 7)].v", doc.clone()), Ok(json!([1, 7])));
    assert_eq!(sel("$.missing[*]", doc), Ok(json!([])));
}

#[test]
fn roots_and_reference_paths() {
    assert_eq!(Path::parse("$$.Execution.Id").unwrap().root, Root::Context);
    assert_eq!(Path::parse("$var.x").unwrap().root, Root::Variable("var".into()));
    assert!(Path::parse_reference("$.a[*]").is_err());
    assert!(Path::parse_reference("$.a[0].b").is_ok());
    assert!(Path::parse("a.b").is_err());
    assert!(Path::parse("$.a[").is_err());
    assert!(Path::parse("$.a[?(@.b >)]").is_err());
}

#[test]
fn backslashes_in_quoted_names_are_literal_except_before_the_quote() {
    let doc = json!({"Test\\\"\"Name\"": 1, "it's": 2});
    assert_eq!(sel("$['Test\\\"\"Name\"']", doc.clone()), Ok(json!(1)));
    assert_eq!(sel("$['it\\'s']", doc), Ok(json!(2)));
}

/// Jayway reads a dot before a bracket as the bracket alone, at any depth
/// and after a deep scan, and trims the whole path.
#[test]
fn jayway_dot_bracket_and_surrounding_whitespace() {
    let doc = json!([{"OU": 1, "bucket": "b", "key": "k"}, {"OU": 0, "bucket": "c", "key": "l"}]);
    assert_eq!(sel("$.[0]", doc.clone()), Ok(json!({"OU": 1, "bucket": "b", "key": "k"})));
    assert_eq!(sel("$.[?(@.OU > 0)].bucket", doc.clone()), Ok(json!(["b"])));
    assert_eq!(
        sel("$.[*].['bucket', 'key']", doc.clone()),
        Ok(json!([{"bucket": "b", "key": "k"}, {"bucket": "c", "key": "l"}]))
    );
    assert_eq!(sel("$.Snapshots.[0].State", json!({"Snapshots": [{"State": "ok"}]})), Ok(json!("ok")));
    assert_eq!(sel("$.abc.['def ghi']", json!({"abc": {"def ghi": 3}})), Ok(json!(3)));
    assert_eq!(sel("$..[1].key", doc.clone()), Ok(json!(["l"])));
    assert_eq!(sel(" $.[1].key\n", doc), Ok(json!("l")));
    assert_eq!(Path::parse(" $.a ").unwrap().text, "$.a");
    assert!(Path::parse_reference("$.a.[0]").is_ok());
    assert!(Path::parse("$.").is_err());
    assert!(Path::parse("$.[").is_err());
    assert!(Path::parse("$...a").is_err());
    assert!(Path::parse("$.a b").is_err());
}

/// A list of names at the end merges into one object per node, as Jayway's
/// leaf property token does; in the middle it is a union.
#[test]
fn names_at_the_end_merge() {
    let doc = json!({"a": 1, "b": 2, "c": {"a": 3}});
    assert_eq!(sel("$['a','b']", doc.clone()), Ok(json!({"a": 1, "b": 2})));
    assert_eq!(sel("$['b','z','a']", doc.clone()), Ok(json!({"b": 2, "a": 1})));
    assert_eq!(sel("$['a','c'].a", doc.clone()), Ok(json!([3])));
    assert_eq!(sel("$.a['x','y']", doc), Err(PathError::NoResults("$['a'][*]".into())));
}

/// Found by the `path` fuzzer: a name list whose second name is not
/// quoted (here it starts with a two-byte character) is an error, not a
/// panic.
#[test]
fn an_unquoted_name_in_a_name_list_is_an_error() {
    assert!(Path::parse("$.k$['abc',\u{0658}od']").is_err());
    assert!(Path::parse("$['a',b]").is_err());
}
