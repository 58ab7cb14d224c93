//! Reading one state: its type, query language, field matrix, transition
//! and the body of its type.

use super::value::jsonata_expr;
use super::{child, fields, index, Reader, MAX_STATE_NAME};
use crate::model::{Assign, Body, Fail, FailText, QueryLanguage, State, Task, WaitFor};
use asl_runtime::intrinsic;
use asl_runtime::path::Path;
use asl_runtime::template::Template;
use serde_json::{Map, Value};

const TYPES: [&str; 8] = ["Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map"];

impl Reader {
    pub(crate) fn state(&mut self, name: &str, v: &Value, sp: &str) -> Option<State> {
        if name.chars().count() > MAX_STATE_NAME {
            self.error(sp, format!("State name '{name}' is longer than {MAX_STATE_NAME} characters"));
        }
        let Value::Object(obj) = v else {
            self.error(sp, "Value is not an Object");
            return None;
        };
        let ql = self.state_ql(obj, sp);
        let ty = match obj.get("Type") {
            Some(Value::String(t)) if TYPES.contains(&t.as_str()) => t.as_str(),
            Some(_) => {
                let all = TYPES.join(", ");
                self.error(&child(sp, "Type"), format!("The field 'Type' should have one of these values: [{all}]"));
                ""
            }
            None => {
                self.error(sp, "These fields are required: [Type]");
                ""
            }
        };
        let mut state = State {
            name: name.to_string(),
            pointer: sp.to_string(),
            comment: self.opt_string(obj, sp, "Comment"),
            query_language: ql,
            body: Body::Invalid,
            next: None,
            end: false,
            input_path: None,
            parameters: None,
            result_selector: None,
            result_path: None,
            output_path: None,
            arguments: None,
            output: None,
            assign: None,
            retry: Vec::new(),
            catch: Vec::new(),
        };
        if ty.is_empty() {
            state.next = obj.get("Next").and_then(Value::as_str).map(str::to_string);
            state.end = true;
            return Some(state);
        }
        for k in obj.keys() {
            if let Some(msg) = fields::rejection(ty, ql, k) {
                self.error(sp, msg);
            }
        }
        self.transition(obj, sp, ty, &mut state);
        self.io(obj, sp, ql, ty, &mut state);
        state.body = match ty {
            "Pass" => {
                Body::Pass { result: if ql == QueryLanguage::JsonPath { obj.get("Result").cloned() } else { None } }
            }
            "Task" => Body::Task(self.task(obj, sp, ql)),
            "Choice" => Body::Choice(self.choice(obj, sp, ql)),
            "Wait" => self.wait(obj, sp, ql).map(Body::Wait).unwrap_or(Body::Invalid),
            "Succeed" => Body::Succeed,
            "Fail" => Body::Fail(self.fail(obj, sp, ql)),
            "Parallel" => Body::Parallel { branches: self.branches(obj, sp) },
            "Map" => self.map(obj, sp, ql).map(|m| Body::Map(Box::new(m))).unwrap_or(Body::Invalid),
            _ => Body::Invalid,
        };
        if matches!(ty, "Task" | "Parallel" | "Map") {
            state.retry = self.retriers(obj, sp);
            state.catch = self.catchers(obj, sp, ql);
        }
        Some(state)
    }

    /// The state's effective query language: its own, else the machine's.
    fn state_ql(&mut self, obj: &Map<String, Value>, sp: &str) -> QueryLanguage {
        match obj.get("QueryLanguage") {
            None => self.machine_ql,
            Some(Value::String(s)) if s == "JSONata" => QueryLanguage::Jsonata,
            Some(Value::String(s)) if s == "JSONPath" => {
                if self.machine_ql == QueryLanguage::Jsonata {
                    self.error(sp, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine");
                    return QueryLanguage::Jsonata;
                }
                QueryLanguage::JsonPath
            }
            Some(_) => {
                self.error(
                    &child(sp, "QueryLanguage"),
                    "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
                );
                self.machine_ql
            }
        }
    }

    fn transition(&mut self, obj: &Map<String, Value>, sp: &str, ty: &str, state: &mut State) {
        state.next = self.opt_string(obj, sp, "Next");
        state.end = self.opt_bool(obj, sp, "End").unwrap_or(false);
        if obj.get("End") == Some(&Value::Bool(false)) {
            self.error(&child(sp, "End"), "The value of 'End' must be true");
        }
        match ty {
            "Choice" | "Succeed" | "Fail" => {}
            _ => {
                if obj.contains_key("Next") && obj.contains_key("End") {
                    self.error(sp, "There should only be one of the following fields: [Next, End]");
                } else if !obj.contains_key("Next") && !obj.contains_key("End") {
                    self.error(sp, "One of the following fields is required: [Next, End]");
                }
            }
        }
    }

    /// The input/output fields shared by most state types.
    fn io(&mut self, obj: &Map<String, Value>, sp: &str, ql: QueryLanguage, ty: &str, state: &mut State) {
        match ql {
            QueryLanguage::JsonPath => {
                state.input_path = self.io_path(obj, sp, "InputPath", false);
                state.output_path = self.io_path(obj, sp, "OutputPath", false);
                state.result_path = self.result_path(obj, sp);
                // A Map's `Parameters` is its (deprecated) item selector, read with the Map.
                if let Some(v) = obj.get("Parameters").filter(|_| ty != "Map") {
                    state.parameters = self.template(v, &child(sp, "Parameters"));
                }
                if let Some(v) = obj.get("ResultSelector") {
                    state.result_selector = self.object_template(v, &child(sp, "ResultSelector"));
                }
            }
            QueryLanguage::Jsonata => {
                let root = Path::parse("$").ok();
                (state.input_path, state.output_path, state.result_path) = (root.clone(), root.clone(), root);
                if let Some(v) = obj.get("Arguments") {
                    if !v.is_object() && jsonata_expr(v).is_none() {
                        self.error(&child(sp, "Arguments"), "Value is not an Object or a JSONata expression");
                    }
                    state.arguments = self.jsonata_template(v, &child(sp, "Arguments"));
                }
                if let Some(v) = obj.get("Output") {
                    state.output = self.jsonata_template(v, &child(sp, "Output"));
                }
            }
        }
        if let Some(v) = obj.get("Assign") {
            state.assign = self.assign(v, &child(sp, "Assign"), ql);
        }
    }

    pub(crate) fn assign(&mut self, v: &Value, at: &str, ql: QueryLanguage) -> Option<Assign> {
        let Value::Object(map) = v else {
            self.error(at, "Value is not an Object");
            return None;
        };
        for k in map.keys() {
            let name = k.strip_suffix(".$").filter(|_| ql == QueryLanguage::JsonPath).unwrap_or(k);
            self.variable_name(name, &child(at, k));
        }
        match ql {
            QueryLanguage::JsonPath => {
                match Template::parse(v) {
                    Ok(t) => Some(Assign::Paths(t)),
                    Err(e) => {
                        self.error(
                        at,
                        format!("The value for the field '{}' must be a valid JSONPath or a valid intrinsic function call", e.field),
                    );
                        None
                    }
                }
            }
            QueryLanguage::Jsonata => self.jsonata_template(v, at).map(Assign::Jsonata),
        }
    }

    /// Variable names: an identifier of at most 80 characters, not `states`.
    fn variable_name(&mut self, name: &str, at: &str) {
        let mut chars = name.chars();
        let valid_start = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
        let valid_rest = chars.all(|c| c.is_alphanumeric() || c == '_');
        if !valid_start || !valid_rest {
            self.error(at, format!("The variable name '{name}' is not a valid identifier"));
        } else if name.chars().count() > MAX_STATE_NAME {
            self.error(at, format!("The variable name '{name}' is longer than 80 characters"));
        } else if name == "states" {
            self.error(at, "The variable name 'states' is reserved");
        }
    }

    fn task(&mut self, obj: &Map<String, Value>, sp: &str, ql: QueryLanguage) -> Task {
        self.require(obj, sp, &["Resource"]);
        let resource = self.opt_string(obj, sp, "Resource").unwrap_or_default();
        if resource.starts_with("{%") || (!resource.is_empty() && !resource.starts_with("arn:")) {
            self.error(&child(sp, "Resource"), "Value is not a valid resource ARN");
        }
        let path_key = |k: &'static str| (ql == QueryLanguage::JsonPath).then_some(k);
        let timeout_seconds =
            self.number_field(obj, sp, "TimeoutSeconds", path_key("TimeoutSecondsPath"), ql, 1.0, 99_999_999.0, true);
        let heartbeat_seconds = self.number_field(
            obj,
            sp,
            "HeartbeatSeconds",
            path_key("HeartbeatSecondsPath"),
            ql,
            1.0,
            99_999_999.0,
            true,
        );
        if let (Some(crate::model::NumberField::Literal(t)), Some(crate::model::NumberField::Literal(h))) =
            (&timeout_seconds, &heartbeat_seconds)
        {
            if h.as_f64() >= t.as_f64() {
                self.error(&child(sp, "HeartbeatSeconds"), "HeartbeatSeconds must be smaller than TimeoutSeconds");
            }
        }
        let credentials = obj.get("Credentials").cloned();
        if let Some(c) = &credentials {
            let at = child(sp, "Credentials");
            match c {
                Value::Object(m) if m.contains_key("RoleArn") || m.contains_key("RoleArn.$") => {
                    if ql == QueryLanguage::JsonPath {
                        self.template(c, &at);
                    }
                }
                Value::Object(_) => self.error(&at, "The field 'RoleArn' is required but was missing"),
                _ => self.error(&at, "Value is not an Object"),
            }
        }
        Task::new(resource, timeout_seconds, heartbeat_seconds, credentials)
    }

    fn wait(&mut self, obj: &Map<String, Value>, sp: &str, ql: QueryLanguage) -> Option<WaitFor> {
        let kinds = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"];
        let present: Vec<&str> = kinds.iter().copied().filter(|k| obj.contains_key(*k)).collect();
        if present.len() > 1 {
            self.error(sp, format!("There should only be one of the following fields: [{}]", kinds.join(", ")));
        }
        let Some(kind) = present.first() else {
            self.error(sp, "One of the following fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]");
            return None;
        };
        let v = &obj[*kind];
        let at = child(sp, kind);
        if ql == QueryLanguage::Jsonata {
            if let Some(e) = jsonata_expr(v) {
                let e = self.jsonata_expression(e, &at)?;
                return Some(if *kind == "Seconds" { WaitFor::SecondsExpr(e) } else { WaitFor::TimestampExpr(e) });
            }
        }
        match *kind {
            "Seconds" => self.opt_uint(obj, sp, "Seconds", 0, 99_999_999).map(WaitFor::Seconds),
            "Timestamp" => match v.as_str() {
                Some(s) if asl_runtime::timestamp::parse(s).is_some() => Some(WaitFor::Timestamp(s.to_string())),
                _ => {
                    self.error(&at, "String does not match RFC3339 timestamp");
                    None
                }
            },
            "SecondsPath" => self.reference_path(v, &at).map(WaitFor::SecondsPath),
            _ => self.reference_path(v, &at).map(WaitFor::TimestampPath),
        }
    }

    fn fail(&mut self, obj: &Map<String, Value>, sp: &str, ql: QueryLanguage) -> Fail {
        self.exclusive(obj, sp, &["Error", "ErrorPath"]);
        self.exclusive(obj, sp, &["Cause", "CausePath"]);
        let text = |r: &mut Reader, key: &str, path_key: &str| -> Option<FailText> {
            if let Some(v) = obj.get(path_key) {
                let at = child(sp, path_key);
                let Value::String(s) = v else {
                    r.error(&at, "Value is not a String");
                    return None;
                };
                if intrinsic::looks_like_call(s) {
                    return match intrinsic::parse(s) {
                        Ok(c) if c.function.returns_string() => Some(FailText::Call(c)),
                        _ => {
                            r.error(&at, format!("The value for the field '{path_key}' must be a valid JSONPath or a valid intrinsic function call that returns a string"));
                            None
                        }
                    };
                }
                return r.reference_path(v, &at).map(FailText::Path);
            }
            let v = obj.get(key)?;
            let at = child(sp, key);
            match v {
                Value::String(_) if ql == QueryLanguage::Jsonata && jsonata_expr(v).is_some() => {
                    r.jsonata_expression(jsonata_expr(v).unwrap_or_default(), &at).map(FailText::Jsonata)
                }
                Value::String(s) => Some(FailText::Literal(s.clone())),
                _ => {
                    r.error(&at, "Value is not a String");
                    None
                }
            }
        };
        let error = text(self, "Error", "ErrorPath");
        let cause = text(self, "Cause", "CausePath");
        Fail { error, cause }
    }

    fn branches(&mut self, obj: &Map<String, Value>, sp: &str) -> Vec<crate::model::Container> {
        self.require(obj, sp, &["Branches"]);
        let at = child(sp, "Branches");
        let mut out = Vec::new();
        match obj.get("Branches") {
            Some(Value::Array(items)) if items.is_empty() => self.error(&at, "Value cannot be empty"),
            Some(Value::Array(items)) => {
                for (i, b) in items.iter().enumerate() {
                    let bp = index(&at, i);
                    let Value::Object(bo) = b else {
                        self.error(&bp, "Value is not an Object");
                        continue;
                    };
                    self.only(bo, &bp, &["StartAt", "States", "Comment"]);
                    self.require(bo, &bp, &["StartAt", "States"]);
                    if let Some(c) = self.container(bo, &bp) {
                        out.push(c);
                    }
                }
            }
            Some(_) => self.error(&at, "Value is not an Array"),
            None => {}
        }
        out
    }
}
