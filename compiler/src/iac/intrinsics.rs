//! CloudFormation's intrinsic functions, resolved to text as far as a
//! template alone allows: `Ref`, `Fn::GetAtt`, `Fn::Sub` and `Fn::Join`
//! (what SAM, CloudFormation and CDK templates build definitions and
//! substitutions with). What only a deployment knows (a function's ARN, a
//! queue's URL) becomes a stable placeholder in us-east-1 of account
//! 123456789012, the account local executions run in, and a note says so.

use asl_runtime::exec::{ACCOUNT, REGION};
use serde_json::{Map, Value};
use std::cell::RefCell;

pub struct Resolver<'t> {
    resources: &'t Map<String, Value>,
    parameters: &'t Map<String, Value>,
    /// `AWS::StackName`: the template's file stem.
    stack: String,
    /// Each placeholder given, once.
    pub notes: RefCell<Vec<String>>,
}

impl<'t> Resolver<'t> {
    pub fn new(template: &'t Value, stack: &str) -> Resolver<'t> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        let empty = EMPTY.get_or_init(Map::new);
        Resolver {
            resources: template.get("Resources").and_then(Value::as_object).unwrap_or(empty),
            parameters: template.get("Parameters").and_then(Value::as_object).unwrap_or(empty),
            stack: stack.to_string(),
            notes: RefCell::new(Vec::new()),
        }
    }

    fn note(&self, what: String, placeholder: &str) -> String {
        let line = format!("{what} is a placeholder here: {placeholder}");
        let mut notes = self.notes.borrow_mut();
        if !notes.contains(&line) {
            notes.push(line);
        }
        placeholder.to_string()
    }

    fn resource_type(&self, id: &str) -> Option<&str> {
        self.resources.get(id)?.get("Type")?.as_str()
    }

    /// `Ref` of a pseudo parameter, a parameter or a resource.
    pub fn reference(&self, id: &str) -> Result<String, String> {
        match id {
            "AWS::Region" => return Ok(REGION.into()),
            "AWS::AccountId" => return Ok(ACCOUNT.into()),
            "AWS::Partition" => return Ok("aws".into()),
            "AWS::URLSuffix" => return Ok("amazonaws.com".into()),
            "AWS::StackName" => return Ok(self.stack.clone()),
            "AWS::StackId" => {
                let id = format!("arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{}/local", self.stack);
                return Ok(self.note("AWS::StackId".into(), &id));
            }
            _ => {}
        }
        if let Some(p) = self.parameters.get(id) {
            return match p.get("Default") {
                Some(d) => self.text(d),
                None => Ok(self.note(format!("parameter {id} (no Default)"), id)),
            };
        }
        let Some(ty) = self.resource_type(id) else {
            return Ok(self.note(format!("Ref {id} (not defined in the template)"), id));
        };
        let placeholder = match ty {
            "AWS::Lambda::Function"
            | "AWS::Serverless::Function"
            | "AWS::DynamoDB::Table"
            | "AWS::Serverless::SimpleTable" => id.to_string(),
            "AWS::SQS::Queue" => format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{id}"),
            "AWS::S3::Bucket" => id.to_lowercase(),
            _ => self.arn(id, ty).unwrap_or_else(|| id.to_string()),
        };
        Ok(self.note(format!("Ref {id}"), &placeholder))
    }

    /// The ARN a resource of type `ty` named `id` would have.
    fn arn(&self, id: &str, ty: &str) -> Option<String> {
        let (service, resource) = match ty {
            "AWS::Lambda::Function" | "AWS::Serverless::Function" => ("lambda", format!("function:{id}")),
            "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
                ("states", format!("stateMachine:{id}"))
            }
            "AWS::StepFunctions::Activity" => ("states", format!("activity:{id}")),
            "AWS::SQS::Queue" => ("sqs", id.to_string()),
            "AWS::SNS::Topic" => ("sns", id.to_string()),
            "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => ("dynamodb", format!("table/{id}")),
            "AWS::Events::EventBus" => ("events", format!("event-bus/{id}")),
            "AWS::IAM::Role" => return Some(format!("arn:aws:iam::{ACCOUNT}:role/{id}")),
            "AWS::S3::Bucket" => return Some(format!("arn:aws:s3:::{}", id.to_lowercase())),
            "AWS::ECS::Cluster" => ("ecs", format!("cluster/{id}")),
            "AWS::Glue::Job" => ("glue", format!("job/{id}")),
            _ => return None,
        };
        Some(format!("arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"))
    }

    /// `Fn::GetAtt` of a resource's attribute.
    pub fn attribute(&self, id: &str, attribute: &str) -> Result<String, String> {
        let ty = self.resource_type(id).unwrap_or("");
        let placeholder = match attribute {
            "Arn" => self
                .arn(id, ty)
                .unwrap_or_else(|| format!("arn:aws:cloudformation:{REGION}:{ACCOUNT}:placeholder/{id}")),
            "Name" | "QueueName" | "TopicName" => id.to_string(),
            "QueueUrl" => format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{id}"),
            _ => format!("{id}.{attribute}"),
        };
        Ok(self.note(format!("{id}.{attribute}"), &placeholder))
    }

    /// A value as text: a literal, or an intrinsic function resolved.
    pub fn text(&self, v: &Value) -> Result<String, String> {
        let function = v.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next());
        match (v, function) {
            (Value::String(s), _) => Ok(s.clone()),
            (Value::Number(_) | Value::Bool(_), _) => Ok(v.to_string()),
            (_, Some((name, arg))) => match (name.as_str(), arg) {
                ("Ref", Value::String(id)) => self.reference(id),
                ("Fn::GetAtt", Value::Array(parts)) if parts.len() == 2 => {
                    let (id, attribute) = (self.text(&parts[0])?, self.text(&parts[1])?);
                    self.attribute(&id, &attribute)
                }
                ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
                    Some((id, attribute)) => self.attribute(id, attribute),
                    None => Err(format!("Fn::GetAtt '{s}' names no attribute")),
                },
                ("Fn::Join", Value::Array(a)) if a.len() == 2 => {
                    let delimiter = self.text(&a[0])?;
                    let parts = a[1].as_array().ok_or("Fn::Join's second element must be a list")?;
                    Ok(parts.iter().map(|p| self.text(p)).collect::<Result<Vec<_>, _>>()?.join(&delimiter))
                }
                ("Fn::Sub", Value::String(s)) => self.sub(s, &Map::new()),
                ("Fn::ImportValue", v) => {
                    let export = self.text(v)?;
                    Ok(self.note(format!("Fn::ImportValue {export}"), &format!("imported:{export}")))
                }
                ("Fn::Sub", Value::Array(a)) if a.len() == 2 => {
                    let text = a[0].as_str().ok_or("Fn::Sub's first element must be a string")?;
                    let vars = a[1].as_object().ok_or("Fn::Sub's second element must be an object")?;
                    self.sub(text, vars)
                }
                (name, _) => Err(format!("{name} cannot be resolved from the template alone")),
            },
            _ => Err(format!("{v} is not text")),
        }
    }

    /// `Fn::Sub`: `${Name}` (a variable, a parameter, a resource),
    /// `${Resource.Attribute}`, and `${!Literal}` for `${Literal}`.
    fn sub(&self, text: &str, vars: &Map<String, Value>) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or_else(|| format!("Fn::Sub: '${{' without '}}' in '{text}'"))?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str(&format!("${{{literal}}}"));
            } else if let Some(v) = vars.get(name) {
                out.push_str(&self.text(v)?);
            } else if let Some((id, attribute)) = name.split_once('.').filter(|_| !name.starts_with("AWS::")) {
                out.push_str(&self.attribute(id, attribute)?);
            } else {
                out.push_str(&self.reference(name)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// Every intrinsic function inside an inline `Definition` resolved in
/// place, as CloudFormation resolves them before Step Functions sees it.
pub fn resolve_all(v: &mut Value, resolver: &Resolver) -> Result<(), String> {
    let intrinsic = v
        .as_object()
        .is_some_and(|o| o.len() == 1 && o.keys().next().is_some_and(|k| k == "Ref" || k.starts_with("Fn::")));
    match v {
        _ if intrinsic => *v = Value::String(resolver.text(v)?),
        Value::Array(items) => items.iter_mut().try_for_each(|i| resolve_all(i, resolver))?,
        Value::Object(map) => map.values_mut().try_for_each(|i| resolve_all(i, resolver))?,
        _ => {}
    }
    Ok(())
}

/// `DefinitionSubstitutions`: `${Name}` in every string of a definition
/// replaced by the name's value; other `${…}` are left as they are.
pub fn substitute(v: &mut Value, values: &[(String, String)]) {
    match v {
        Value::String(s) if s.contains("${") => {
            for (name, value) in values {
                *s = s.replace(&format!("${{{name}}}"), value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| substitute(i, values)),
        Value::Object(map) => map.values_mut().for_each(|i| substitute(i, values)),
        _ => {}
    }
}
