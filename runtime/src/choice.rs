//! Choice rules (JSONPath): every comparison operator with AWS's rules — a
//! type mismatch is `false`, a missing `Variable` is `States.Runtime` except
//! for `IsPresent`, strings compare in UTF-16 order, numbers by value.

use crate::env::Env;
use crate::error::StatesError;
use crate::path::Path;
use crate::timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Rule {
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
    Test { variable: Path, test: Test },
}

/// What a comparison is made against: a literal or a `…Path` operand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Operand {
    Value(Value),
    Path(Path),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Test {
    /// `StringEquals`, `NumericLessThanPath`, …: a kind, an ordering test and an operand.
    Compare {
        kind: Kind,
        cmp: Cmp,
        operand: Operand,
    },
    StringMatches(String),
    IsNull(bool),
    IsPresent(bool),
    IsNumeric(bool),
    IsString(bool),
    IsBoolean(bool),
    IsTimestamp(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cmp {
    Eq,
    Lt,
    Gt,
    Le,
    Ge,
}

impl Cmp {
    fn holds(self, ord: Ordering) -> bool {
        match self {
            Cmp::Eq => ord == Ordering::Equal,
            Cmp::Lt => ord == Ordering::Less,
            Cmp::Gt => ord == Ordering::Greater,
            Cmp::Le => ord != Ordering::Greater,
            Cmp::Ge => ord != Ordering::Less,
        }
    }
}

/// Splits an operator name (`NumericLessThanEqualsPath`) into its parts.
pub fn comparison_operator(name: &str) -> Option<(Kind, Cmp, bool)> {
    let (base, is_path) = match name.strip_suffix("Path") {
        Some(b) => (b, true),
        None => (name, false),
    };
    let (kind, rest) = if let Some(r) = base.strip_prefix("String") {
        (Kind::String, r)
    } else if let Some(r) = base.strip_prefix("Numeric") {
        (Kind::Numeric, r)
    } else if let Some(r) = base.strip_prefix("Boolean") {
        (Kind::Boolean, r)
    } else if let Some(r) = base.strip_prefix("Timestamp") {
        (Kind::Timestamp, r)
    } else {
        return None;
    };
    let cmp = match rest {
        "Equals" => Cmp::Eq,
        "LessThan" if kind != Kind::Boolean => Cmp::Lt,
        "GreaterThan" if kind != Kind::Boolean => Cmp::Gt,
        "LessThanEquals" if kind != Kind::Boolean => Cmp::Le,
        "GreaterThanEquals" if kind != Kind::Boolean => Cmp::Ge,
        _ => return None,
    };
    Some((kind, cmp, is_path))
}

impl Rule {
    pub fn eval(&self, env: &Env<'_>) -> Result<bool, StatesError> {
        match self {
            Rule::And(all) => {
                for r in all {
                    if !r.eval(env)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Rule::Or(all) => {
                for r in all {
                    if r.eval(env)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Rule::Not(r) => Ok(!r.eval(env)?),
            Rule::Test { variable, test } => {
                let value = env.read(variable).ok();
                if let Test::IsPresent(want) = test {
                    return Ok(value.is_some() == *want);
                }
                let Some(value) = value else {
                    return Err(StatesError::runtime(format!(
                        "Invalid path '{}': The choice state's condition path references an invalid value.",
                        variable.text
                    )));
                };
                test.eval(&value, env)
            }
        }
    }
}

impl Test {
    fn eval(&self, value: &Value, env: &Env<'_>) -> Result<bool, StatesError> {
        Ok(match self {
            Test::IsNull(want) => value.is_null() == *want,
            Test::IsNumeric(want) => value.is_number() == *want,
            Test::IsString(want) => value.is_string() == *want,
            Test::IsBoolean(want) => value.is_boolean() == *want,
            Test::IsTimestamp(want) => value.as_str().and_then(timestamp::parse).is_some() == *want,
            Test::IsPresent(want) => *want,
            Test::StringMatches(pattern) => match value.as_str() {
                Some(s) => string_matches(s, pattern)?,
                None => false,
            },
            Test::Compare { kind, cmp, operand } => {
                let other = match operand {
                    Operand::Value(v) => v.clone(),
                    Operand::Path(p) => env.read(p).map_err(|_| {
                        StatesError::runtime(format!(
                            "Invalid path '{}': The choice state's condition path references an invalid value.",
                            p.text
                        ))
                    })?,
                };
                compare(*kind, *cmp, value, &other)
            }
        })
    }
}

/// One comparison with AWS's rules: values of the wrong type compare false.
pub fn compare(kind: Kind, cmp: Cmp, a: &Value, b: &Value) -> bool {
    let ord = match (kind, a, b) {
        (Kind::String, Value::String(x), Value::String(y)) => Some(x.encode_utf16().cmp(y.encode_utf16())),
        (Kind::Numeric, Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => x.as_f64().zip(y.as_f64()).and_then(|(x, y)| x.partial_cmp(&y)),
        },
        (Kind::Boolean, Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Kind::Timestamp, Value::String(x), Value::String(y)) => {
            timestamp::parse(x).zip(timestamp::parse(y)).map(|(x, y)| x.cmp(&y))
        }
        _ => None,
    };
    ord.is_some_and(|o| cmp.holds(o))
}

/// `StringMatches`: `*` matches any run of characters; `\*` and `\\` are
/// literal; the whole string must match.
pub fn string_matches(s: &str, pattern: &str) -> Result<bool, StatesError> {
    enum Tok {
        Star,
        Char(char),
    }
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => toks.push(Tok::Star),
            '\\' => match chars.next() {
                Some(e @ ('*' | '\\')) => toks.push(Tok::Char(e)),
                _ => {
                    return Err(StatesError::runtime(format!(
                        "The StringMatches pattern '{pattern}' has an invalid escape sequence"
                    )))
                }
            },
            c => toks.push(Tok::Char(c)),
        }
    }
    // Classic wildcard matching with backtracking to the last star.
    let text: Vec<char> = s.chars().collect();
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match toks.get(p) {
            Some(Tok::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Tok::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return Ok(false),
            },
        }
    }
    while matches!(toks.get(p), Some(Tok::Star)) {
        p += 1;
    }
    Ok(p == toks.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mismatched_types_are_false() {
        assert!(!compare(Kind::Numeric, Cmp::Eq, &json!("1"), &json!(1)));
        assert!(!compare(Kind::String, Cmp::Eq, &json!(0), &json!("0")));
        assert!(!compare(Kind::Boolean, Cmp::Eq, &json!(null), &json!(true)));
        assert!(compare(Kind::Numeric, Cmp::Eq, &json!(0), &json!(0.0)));
        assert!(!compare(Kind::String, Cmp::Eq, &json!("A"), &json!("A ")));
        assert!(compare(Kind::Timestamp, Cmp::Lt, &json!("2016-03-14T01:59:00Z"), &json!("2016-03-14T02:59:00+00:00")));
        assert!(!compare(Kind::Timestamp, Cmp::Eq, &json!("x"), &json!("x")));
    }

    #[test]
    fn string_matches_is_a_glob_with_only_star() {
        assert!(string_matches("log-2024.txt", "log-*.txt").unwrap());
        assert!(!string_matches("log-2024.txt", "log-?.txt").unwrap());
        assert!(string_matches("a*b", "a\\*b").unwrap());
        assert!(!string_matches("axb", "a\\*b").unwrap());
        assert!(string_matches("", "*").unwrap());
        assert!(string_matches("abcabc", "*abc").unwrap());
        assert!(string_matches("x", "\\").is_err());
    }

    #[test]
    fn operator_names() {
        assert_eq!(comparison_operator("NumericLessThanEqualsPath"), Some((Kind::Numeric, Cmp::Le, true)));
        assert_eq!(comparison_operator("BooleanLessThan"), None);
        assert_eq!(comparison_operator("StringMatches"), None);
    }
}
