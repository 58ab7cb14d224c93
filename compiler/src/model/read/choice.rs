//! Choice states: JSONPath rules (`Variable` + one operator, `And`/`Or`/
//! `Not`) and JSONata rules (`Condition`).

use super::value::jsonata_expr;
use super::{child, index, Reader};
use crate::model::{Choice, ChoiceBranch, Condition, QueryLanguage};
use asl_runtime::choice::{comparison_operator, Kind, Operand, Rule, Test};
use serde_json::{Map, Value};

const TYPE_TESTS: &[&str] = &["IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"];

fn is_operator(key: &str) -> bool {
    comparison_operator(key).is_some()
        || key == "StringMatches"
        || TYPE_TESTS.contains(&key)
        || matches!(key, "And" | "Or" | "Not")
}

impl Reader {
    pub(crate) fn choice(&mut self, obj: &Map<String, Value>, sp: &str, ql: QueryLanguage) -> Choice {
        self.require(obj, sp, &["Choices"]);
        let default = self.opt_string(obj, sp, "Default");
        let at = child(sp, "Choices");
        let mut choices = Vec::new();
        match obj.get("Choices") {
            Some(Value::Array(items)) if items.is_empty() => self.error(&at, "Value cannot be empty"),
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(b) = self.choice_branch(item, &index(&at, i), ql) {
                        choices.push(b);
                    }
                }
            }
            Some(_) => self.error(&at, "Value is not an Array"),
            None => {}
        }
        Choice { choices, default }
    }

    fn choice_branch(&mut self, v: &Value, at: &str, ql: QueryLanguage) -> Option<ChoiceBranch> {
        let Value::Object(obj) = v else {
            self.error(at, "Value is not an Object");
            return None;
        };
        self.require(obj, at, &["Next"]);
        let next = self.opt_string(obj, at, "Next").unwrap_or_default();
        let assign = match obj.get("Assign") {
            Some(a) => self.assign(a, &child(at, "Assign"), ql),
            None => None,
        };
        let condition = match ql {
            QueryLanguage::Jsonata => {
                self.only(obj, at, &["Condition", "Next", "Assign", "Output", "Comment"]);
                self.require(obj, at, &["Condition"]);
                let c = obj.get("Condition")?;
                if !c.is_boolean() && jsonata_expr(c).is_none() {
                    self.error(&child(at, "Condition"), "Value is not a Boolean or a JSONata expression");
                }
                Condition::Jsonata(self.jsonata_template(c, &child(at, "Condition"))?)
            }
            QueryLanguage::JsonPath => {
                if obj.contains_key("Output") || obj.contains_key("Condition") {
                    for k in ["Output", "Condition"].iter().filter(|k| obj.contains_key(**k)) {
                        self.error(at, format!(
                            "The QueryLanguage is set to 'JSONPath', but field '{k}' is only supported for the 'JSONata' QueryLanguage"
                        ));
                    }
                }
                Condition::Rule(self.rule(obj, at, true)?)
            }
        };
        let output = match (ql, obj.get("Output")) {
            (QueryLanguage::Jsonata, Some(o)) => self.jsonata_template(o, &child(at, "Output")),
            _ => None,
        };
        Some(ChoiceBranch { pointer: at.to_string(), condition, next, assign, output })
    }

    /// One JSONPath rule; `top` rules carry `Next` (and `Assign`), nested ones may not.
    fn rule(&mut self, obj: &Map<String, Value>, at: &str, top: bool) -> Option<Rule> {
        for k in obj.keys() {
            let allowed = is_operator(k)
                || matches!(k.as_str(), "Variable" | "Comment")
                || (top && matches!(k.as_str(), "Next" | "Assign" | "Output" | "Condition"));
            if !allowed {
                self.error(at, format!("Field '{k}' is not supported"));
            }
        }
        let ops: Vec<&String> = obj.keys().filter(|k| is_operator(k)).collect();
        if ops.len() != 1 {
            self.error(at, "Each Choice Rule can only have one comparison operator.");
            return None;
        }
        let op = ops[0].as_str();
        let v = &obj[op];
        let op_at = child(at, op);
        match op {
            "And" | "Or" => {
                if obj.contains_key("Variable") {
                    self.error(at, "Field 'Variable' is not supported");
                }
                let Value::Array(items) = v else {
                    self.error(&op_at, "Value is not an Array");
                    return None;
                };
                if items.is_empty() {
                    self.error(&op_at, "Value cannot be empty");
                    return None;
                }
                let mut rules = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let ip = index(&op_at, i);
                    match item {
                        Value::Object(o) => rules.extend(self.rule(o, &ip, false)),
                        _ => self.error(&ip, "Value is not an Object"),
                    }
                }
                (rules.len() == items.len()).then(|| if op == "And" { Rule::And(rules) } else { Rule::Or(rules) })
            }
            "Not" => {
                let Value::Object(o) = v else {
                    self.error(&op_at, "Value is not an Object");
                    return None;
                };
                Some(Rule::Not(Box::new(self.rule(o, &op_at, false)?)))
            }
            _ => {
                self.require(obj, at, &["Variable"]);
                let variable = self.path_value(obj.get("Variable")?, &child(at, "Variable"))?;
                let test = self.test(op, v, &op_at)?;
                Some(Rule::Test { variable, test })
            }
        }
    }

    fn test(&mut self, op: &str, v: &Value, at: &str) -> Option<Test> {
        if TYPE_TESTS.contains(&op) {
            let Value::Bool(b) = v else {
                self.error(at, "Value is not a Boolean");
                return None;
            };
            return Some(match op {
                "IsNull" => Test::IsNull(*b),
                "IsPresent" => Test::IsPresent(*b),
                "IsNumeric" => Test::IsNumeric(*b),
                "IsString" => Test::IsString(*b),
                "IsBoolean" => Test::IsBoolean(*b),
                _ => Test::IsTimestamp(*b),
            });
        }
        if op == "StringMatches" {
            let Value::String(s) = v else {
                self.error(at, "Value is not a String");
                return None;
            };
            return Some(Test::StringMatches(s.clone()));
        }
        let (kind, cmp, is_path) = comparison_operator(op)?;
        let operand = if is_path {
            Operand::Path(self.path_value(v, at)?)
        } else {
            let ok = match kind {
                Kind::String => v.is_string(),
                Kind::Numeric => v.is_number(),
                Kind::Boolean => v.is_boolean(),
                Kind::Timestamp => v.as_str().and_then(asl_runtime::timestamp::parse).is_some(),
            };
            if !ok {
                let what = match kind {
                    Kind::String => "Value is not a String",
                    Kind::Numeric => "Value is not a Number",
                    Kind::Boolean => "Value is not a Boolean",
                    Kind::Timestamp => "String does not match RFC3339 timestamp",
                };
                self.error(at, what);
                return None;
            }
            Operand::Value(v.clone())
        };
        Some(Test::Compare { kind, cmp, operand })
    }
}
