//! State machines, their revisions, versions and aliases, activities and
//! tags: kept in memory as the JSON records the API returns, written
//! through to the store.

use super::api::{epoch, opt_text, page, text, ApiError, Reply, Server};
use super::store::Write;
use super::{arn, Initial, Loaded};
use indexmap::IndexMap;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::rc::Rc;

#[derive(Default)]
pub struct Registry {
    /// By ARN. Machine records carry `_nextVersion`, which is not returned.
    machines: IndexMap<String, Value>,
    versions: IndexMap<String, Value>,
    aliases: IndexMap<String, Value>,
    activities: IndexMap<String, Value>,
    tags: HashMap<String, Vec<Value>>,
    /// Definitions by revision id: executions name the one they run.
    revisions: HashMap<String, Value>,
    loaded: HashMap<String, Rc<Loaded>>,
}

/// What an execution runs: the machine's ARN and name, the version or
/// alias it was started through, and the revision.
pub struct Target {
    pub machine_arn: String,
    pub name: String,
    pub version_arn: Option<String>,
    pub alias_arn: Option<String>,
    pub revision: String,
    pub express: bool,
}

impl Registry {
    pub fn load(&mut self, resources: &[(String, String, String)]) {
        for (kind, arn, body) in resources {
            let Ok(v) = serde_json::from_str::<Value>(body) else { continue };
            match kind.as_str() {
                "machine" => drop(self.machines.insert(arn.clone(), v)),
                "version" => drop(self.versions.insert(arn.clone(), v)),
                "alias" => drop(self.aliases.insert(arn.clone(), v)),
                "activity" => drop(self.activities.insert(arn.clone(), v)),
                "tags" => drop(self.tags.insert(arn.clone(), v.as_array().cloned().unwrap_or_default())),
                "revision" => drop(self.revisions.insert(arn.clone(), v)),
                _ => {}
            }
        }
    }

    pub fn machine(&self, arn: &str) -> Option<&Value> {
        self.machines.get(arn)
    }

    pub fn revision(&self, id: &str) -> Option<&Value> {
        self.revisions.get(id)
    }
}

fn resource(kind: &'static str, arn: &str, body: &Value) -> Write {
    Write::Resource { kind, arn: arn.to_string(), body: Some(body.to_string()) }
}

fn delete(kind: &'static str, arn: &str) -> Write {
    Write::Resource { kind, arn: arn.to_string(), body: None }
}

/// A record as the API returns it: without the fields that start with `_`.
pub fn public(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            Value::Object(m.iter().filter(|(k, _)| !k.starts_with('_')).map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        other => other.clone(),
    }
}

fn machine_missing(arn: &str) -> ApiError {
    ApiError::new("StateMachineDoesNotExist", format!("State Machine Does Not Exist: '{arn}'"))
}

fn not_found(arn: &str) -> ApiError {
    ApiError::new("ResourceNotFound", format!("Resource not found: '{arn}'"))
}

impl Server {
    /// The definition's errors as `InvalidDefinition`, as CreateStateMachine reports them.
    fn check_definition(&self, definition: &str, express: bool) -> Result<(), ApiError> {
        let errors: Vec<String> = self
            .engines
            .check(definition, express)
            .into_iter()
            .filter(|d| d.severity == "ERROR")
            .map(|d| match &d.location {
                Some(l) => format!("{}: {} at {l}", d.code, d.message),
                None => format!("{}: {}", d.code, d.message),
            })
            .collect();
        if errors.is_empty() {
            return Ok(());
        }
        Err(ApiError::new("InvalidDefinition", crate::test_state::invalid_definition_message(&errors)))
    }

    /// The machine for a revision, loaded once.
    pub fn loaded(&self, revision: &str) -> Result<Rc<Loaded>, String> {
        if let Some(l) = self.reg.borrow().loaded.get(revision) {
            return Ok(l.clone());
        }
        let definition = self
            .reg
            .borrow()
            .revisions
            .get(revision)
            .map(|r| text(r, "definition").to_string())
            .ok_or_else(|| format!("the revision {revision} is missing from the store"))?;
        let l = Rc::new(self.engines.load(&definition)?);
        self.reg.borrow_mut().loaded.insert(revision.to_string(), l.clone());
        Ok(l)
    }

    pub(super) async fn create_initial(&self, i: &Initial) -> Result<(), String> {
        let req = json!({
            "name": i.name,
            "definition": i.definition,
            "roleArn": crate::exec::ROLE_ARN,
        });
        let machine_arn = arn::machine(&i.name);
        let same = self.reg.borrow().machines.get(&machine_arn).map(|m| text(m, "definition") == i.definition);
        match same {
            // Restarted with the same definition: nothing to do.
            Some(true) => Ok(()),
            Some(false) => {
                let update = json!({"stateMachineArn": machine_arn, "definition": i.definition});
                self.update_state_machine(&update).await.map(drop).map_err(|e| format!("{}: {}", i.name, e.message))
            }
            None => self.create_state_machine(&req).await.map(drop).map_err(|e| format!("{}: {}", i.name, e.message)),
        }
    }

    pub async fn create_state_machine(&self, req: &Value) -> Reply {
        let name = text(req, "name");
        arn::check_name(name)?;
        let role = text(req, "roleArn");
        if !(role.starts_with("arn:") && role.contains(":iam::")) {
            return Err(ApiError::new("InvalidArn", format!("Invalid Arn: 'Invalid ARN prefix: {role}'")));
        }
        let ty = opt_text(req, "type").unwrap_or("STANDARD");
        let definition = text(req, "definition");
        self.check_definition(definition, ty == "EXPRESS")?;
        let machine_arn = arn::machine(name);
        if let Some(existing) = self.reg.borrow().machines.get(&machine_arn) {
            // Idempotent when nothing differs, as AWS.
            if text(existing, "definition") == definition
                && text(existing, "roleArn") == role
                && text(existing, "type") == ty
            {
                return Ok(json!({"stateMachineArn": machine_arn, "creationDate": existing["creationDate"]}));
            }
            return Err(ApiError::new(
                "StateMachineAlreadyExists",
                format!("State Machine Already Exists: '{machine_arn}'"),
            ));
        }
        let now = chrono::Utc::now();
        let revision = uuid::Uuid::new_v4().to_string();
        let mut record = json!({
            "stateMachineArn": machine_arn,
            "name": name,
            "status": "ACTIVE",
            "definition": definition,
            "roleArn": role,
            "type": ty,
            "creationDate": epoch(now),
            "loggingConfiguration": req.get("loggingConfiguration").cloned().unwrap_or(json!({"level": "OFF", "includeExecutionData": false})),
            "tracingConfiguration": req.get("tracingConfiguration").cloned().unwrap_or(json!({"enabled": false})),
            "revisionId": revision,
            "encryptionConfiguration": req.get("encryptionConfiguration").cloned().unwrap_or(json!({"type": "AWS_OWNED_KEY"})),
            "_nextVersion": 1,
        });
        let mut reply = json!({"stateMachineArn": machine_arn, "creationDate": epoch(now)});
        let version = (req.get("publish").and_then(Value::as_bool) == Some(true)).then(|| {
            record["_nextVersion"] = json!(2);
            version_record(&record, 1, opt_text(req, "versionDescription"), now)
        });
        let rev = json!({"definition": definition, "roleArn": role});
        let mut writes = vec![resource("revision", &revision, &rev), resource("machine", &machine_arn, &record)];
        if let Some(v) = &version {
            writes.push(resource("version", text(v, "stateMachineArn"), v));
            reply["stateMachineVersionArn"] = v["stateMachineArn"].clone();
        }
        let tags = req.get("tags").and_then(Value::as_array).cloned().unwrap_or_default();
        if !tags.is_empty() {
            writes.push(resource("tags", &machine_arn, &Value::Array(tags.clone())));
        }
        self.write(writes).await?;
        let mut reg = self.reg.borrow_mut();
        reg.revisions.insert(revision, rev);
        reg.machines.insert(machine_arn.clone(), record);
        if let Some(v) = version {
            reg.versions.insert(text(&v, "stateMachineArn").to_string(), v);
        }
        if !tags.is_empty() {
            reg.tags.insert(machine_arn, tags);
        }
        Ok(reply)
    }

    pub fn describe_state_machine(&self, req: &Value) -> Reply {
        let a = text(req, "stateMachineArn");
        arn::parts(a, &["stateMachine"])?;
        let reg = self.reg.borrow();
        let found = reg.machines.get(a).or_else(|| reg.versions.get(a));
        found.map(public).ok_or_else(|| machine_missing(a))
    }

    pub async fn update_state_machine(&self, req: &Value) -> Reply {
        let a = text(req, "stateMachineArn");
        arn::parts(a, &["stateMachine"])?;
        let Some(mut record) = self.reg.borrow().machines.get(a).cloned() else { return Err(machine_missing(a)) };
        let fields =
            ["definition", "roleArn", "loggingConfiguration", "tracingConfiguration", "encryptionConfiguration"];
        if fields.iter().all(|f| req.get(*f).is_none()) {
            return Err(ApiError::new(
                "MissingRequiredParameter",
                "Either the definition, the role ARN, the LoggingConfiguration, the EncryptionConfiguration or the TracingConfiguration must be specified",
            ));
        }
        if let Some(d) = opt_text(req, "definition") {
            self.check_definition(d, text(&record, "type") == "EXPRESS")?;
        }
        for f in fields {
            if let Some(v) = req.get(f) {
                record[f] = v.clone();
            }
        }
        let now = chrono::Utc::now();
        let mut writes = Vec::new();
        let changed = req.get("definition").is_some() || req.get("roleArn").is_some();
        let mut rev = None;
        if changed {
            let id = uuid::Uuid::new_v4().to_string();
            let r = json!({"definition": record["definition"], "roleArn": record["roleArn"]});
            writes.push(resource("revision", &id, &r));
            record["revisionId"] = json!(id);
            rev = Some((id, r));
        }
        let mut reply = json!({"updateDate": epoch(now), "revisionId": record["revisionId"]});
        let version = (req.get("publish").and_then(Value::as_bool) == Some(true)).then(|| {
            let n = record["_nextVersion"].as_u64().unwrap_or(1);
            record["_nextVersion"] = json!(n + 1);
            version_record(&record, n, opt_text(req, "versionDescription"), now)
        });
        if let Some(v) = &version {
            writes.push(resource("version", text(v, "stateMachineArn"), v));
            reply["stateMachineVersionArn"] = v["stateMachineArn"].clone();
        }
        writes.push(resource("machine", a, &record));
        self.write(writes).await?;
        let mut reg = self.reg.borrow_mut();
        if let Some((id, r)) = rev {
            reg.revisions.insert(id, r);
        }
        if let Some(v) = version {
            reg.versions.insert(text(&v, "stateMachineArn").to_string(), v);
        }
        reg.machines.insert(a.to_string(), record);
        Ok(reply)
    }

    pub async fn delete_state_machine(&self, req: &Value) -> Reply {
        let a = text(req, "stateMachineArn");
        arn::parts(a, &["stateMachine"])?;
        let prefix = format!("{a}:");
        let (versions, aliases): (Vec<String>, Vec<String>) = {
            let reg = self.reg.borrow();
            (
                reg.versions.keys().filter(|k| k.starts_with(&prefix)).cloned().collect(),
                reg.aliases.keys().filter(|k| k.starts_with(&prefix)).cloned().collect(),
            )
        };
        let mut writes = vec![delete("machine", a), delete("tags", a)];
        writes.extend(versions.iter().map(|v| delete("version", v)));
        writes.extend(aliases.iter().map(|v| delete("alias", v)));
        self.write(writes).await?;
        let mut reg = self.reg.borrow_mut();
        reg.machines.shift_remove(a);
        reg.tags.remove(a);
        versions.iter().for_each(|v| drop(reg.versions.shift_remove(v)));
        aliases.iter().for_each(|v| drop(reg.aliases.shift_remove(v)));
        Ok(json!({}))
    }

    pub fn list_state_machines(&self, req: &Value) -> Reply {
        let reg = self.reg.borrow();
        let items = reg
            .machines
            .values()
            .map(|m| json!({"stateMachineArn": m["stateMachineArn"], "name": m["name"], "type": m["type"], "creationDate": m["creationDate"]}))
            .collect();
        page(items, req, "stateMachines")
    }

    pub async fn publish_version(&self, req: &Value) -> Reply {
        let a = text(req, "stateMachineArn");
        arn::parts(a, &["stateMachine"])?;
        let Some(mut record) = self.reg.borrow().machines.get(a).cloned() else { return Err(machine_missing(a)) };
        if let Some(r) = opt_text(req, "revisionId").filter(|r| *r != text(&record, "revisionId")) {
            return Err(ApiError::new("ConflictException", format!("Failed to publish the State Machine version for revision {r}. The current State Machine revision is {}.", text(&record, "revisionId"))));
        }
        // Publishing an unchanged revision again gives the latest version.
        let latest = self.latest_version(a);
        if let Some(v) = latest.filter(|v| v["revisionId"] == record["revisionId"]) {
            return Ok(json!({"creationDate": v["creationDate"], "stateMachineVersionArn": v["stateMachineArn"]}));
        }
        let n = record["_nextVersion"].as_u64().unwrap_or(1);
        record["_nextVersion"] = json!(n + 1);
        let now = chrono::Utc::now();
        let v = version_record(&record, n, opt_text(req, "description"), now);
        let va = text(&v, "stateMachineArn").to_string();
        self.write(vec![resource("machine", a, &record), resource("version", &va, &v)]).await?;
        let mut reg = self.reg.borrow_mut();
        reg.machines.insert(a.to_string(), record);
        reg.versions.insert(va.clone(), v);
        Ok(json!({"creationDate": epoch(now), "stateMachineVersionArn": va}))
    }

    fn latest_version(&self, machine: &str) -> Option<Value> {
        let prefix = format!("{machine}:");
        self.reg.borrow().versions.iter().rev().find(|(k, _)| k.starts_with(&prefix)).map(|(_, v)| v.clone())
    }

    pub fn list_versions(&self, req: &Value) -> Reply {
        let a = text(req, "stateMachineArn");
        arn::parts(a, &["stateMachine"])?;
        let prefix = format!("{a}:");
        let reg = self.reg.borrow();
        let items = reg
            .versions
            .iter()
            .rev()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| json!({"stateMachineVersionArn": k, "creationDate": v["creationDate"]}))
            .collect();
        page(items, req, "stateMachineVersions")
    }

    pub async fn delete_version(&self, req: &Value) -> Reply {
        let a = text(req, "stateMachineVersionArn");
        arn::parts(a, &["stateMachine"])?;
        let used = self.reg.borrow().aliases.values().any(|al| routes_to(al, a));
        if used {
            return Err(ApiError::new(
                "ConflictException",
                format!("Version {a} is referenced by an alias and cannot be deleted"),
            ));
        }
        self.write(vec![delete("version", a)]).await?;
        self.reg.borrow_mut().versions.shift_remove(a);
        Ok(json!({}))
    }

    /// The alias's routing: each version must exist and belong to one
    /// machine; weights add up to 100.
    fn check_routing(&self, routing: &Value) -> Result<String, ApiError> {
        let routes = routing.as_array().cloned().unwrap_or_default();
        let mut machine = None;
        let mut total = 0;
        for r in &routes {
            let v = text(r, "stateMachineVersionArn");
            if !self.reg.borrow().versions.contains_key(v) {
                return Err(ApiError::new("ResourceNotFound", format!("Resource not found: '{v}'")));
            }
            let m = v.rsplit_once(':').map(|(m, _)| m.to_string()).unwrap_or_default();
            if machine.as_ref().is_some_and(|x| *x != m) {
                return Err(ApiError::new(
                    "ValidationException",
                    "Routing configuration must route to versions of one state machine",
                ));
            }
            machine = Some(m);
            total += r.get("weight").and_then(Value::as_u64).unwrap_or(0);
        }
        if total != 100 {
            return Err(ApiError::new("ValidationException", "Sum of routing configuration weights must equal 100"));
        }
        machine.ok_or_else(|| ApiError::new("ValidationException", "Routing configuration must not be empty"))
    }

    pub async fn create_alias(&self, req: &Value) -> Reply {
        let name = text(req, "name");
        arn::check_name(name)?;
        let machine = self.check_routing(&req["routingConfiguration"])?;
        let alias_arn = format!("{machine}:{name}");
        if let Some(existing) = self.reg.borrow().aliases.get(&alias_arn) {
            if existing["routingConfiguration"] == req["routingConfiguration"]
                && existing.get("description") == req.get("description")
            {
                return Ok(json!({"stateMachineAliasArn": alias_arn, "creationDate": existing["creationDate"]}));
            }
            return Err(ApiError::new("ConflictException", format!("Alias {alias_arn} already exists")));
        }
        let now = epoch(chrono::Utc::now());
        let mut record = json!({"stateMachineAliasArn": alias_arn, "name": name, "routingConfiguration": req["routingConfiguration"], "creationDate": now, "updateDate": now});
        if let Some(d) = req.get("description") {
            record["description"] = d.clone();
        }
        self.write(vec![resource("alias", &alias_arn, &record)]).await?;
        self.reg.borrow_mut().aliases.insert(alias_arn.clone(), record);
        Ok(json!({"stateMachineAliasArn": alias_arn, "creationDate": now}))
    }

    fn alias(&self, a: &str) -> Result<Value, ApiError> {
        arn::parts(a, &["stateMachine"])?;
        self.reg.borrow().aliases.get(a).cloned().ok_or_else(|| not_found(a))
    }

    pub fn describe_alias(&self, req: &Value) -> Reply {
        self.alias(text(req, "stateMachineAliasArn"))
    }

    pub async fn update_alias(&self, req: &Value) -> Reply {
        let a = text(req, "stateMachineAliasArn");
        let mut record = self.alias(a)?;
        if let Some(r) = req.get("routingConfiguration") {
            self.check_routing(r)?;
            record["routingConfiguration"] = r.clone();
        }
        if let Some(d) = req.get("description") {
            record["description"] = d.clone();
        }
        let now = epoch(chrono::Utc::now());
        record["updateDate"] = now.clone();
        self.write(vec![resource("alias", a, &record)]).await?;
        self.reg.borrow_mut().aliases.insert(a.to_string(), record);
        Ok(json!({"updateDate": now}))
    }

    pub async fn delete_alias(&self, req: &Value) -> Reply {
        let a = text(req, "stateMachineAliasArn");
        self.alias(a)?;
        self.write(vec![delete("alias", a)]).await?;
        self.reg.borrow_mut().aliases.shift_remove(a);
        Ok(json!({}))
    }

    pub fn list_aliases(&self, req: &Value) -> Reply {
        let a = text(req, "stateMachineArn");
        arn::parts(a, &["stateMachine"])?;
        if !self.reg.borrow().machines.contains_key(a) {
            return Err(machine_missing(a));
        }
        let prefix = format!("{a}:");
        let reg = self.reg.borrow();
        let items = reg
            .aliases
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| json!({"stateMachineAliasArn": k, "creationDate": v["creationDate"]}))
            .collect();
        page(items, req, "stateMachineAliases")
    }

    fn taggable(&self, a: &str) -> Result<(), ApiError> {
        arn::parts(a, &["stateMachine", "activity"])?;
        let reg = self.reg.borrow();
        if reg.machines.contains_key(a) || reg.activities.contains_key(a) {
            return Ok(());
        }
        Err(not_found(a))
    }

    pub async fn tag_resource(&self, req: &Value) -> Reply {
        let a = text(req, "resourceArn");
        self.taggable(a)?;
        let mut tags = self.reg.borrow().tags.get(a).cloned().unwrap_or_default();
        for t in req["tags"].as_array().into_iter().flatten() {
            tags.retain(|old| old["key"] != t["key"]);
            tags.push(json!({"key": t["key"], "value": t.get("value").cloned().unwrap_or(json!(""))}));
        }
        if tags.len() > 50 {
            return Err(ApiError::new(
                "TooManyTags",
                format!("Too many tags: a resource can have at most 50 (resource {a})"),
            ));
        }
        self.write(vec![resource("tags", a, &Value::Array(tags.clone()))]).await?;
        self.reg.borrow_mut().tags.insert(a.to_string(), tags);
        Ok(json!({}))
    }

    pub async fn untag_resource(&self, req: &Value) -> Reply {
        let a = text(req, "resourceArn");
        self.taggable(a)?;
        let mut tags = self.reg.borrow().tags.get(a).cloned().unwrap_or_default();
        let keys: Vec<&Value> = req["tagKeys"].as_array().map(|k| k.iter().collect()).unwrap_or_default();
        tags.retain(|t| !keys.contains(&&t["key"]));
        self.write(vec![resource("tags", a, &Value::Array(tags.clone()))]).await?;
        self.reg.borrow_mut().tags.insert(a.to_string(), tags);
        Ok(json!({}))
    }

    pub fn list_tags(&self, req: &Value) -> Reply {
        let a = text(req, "resourceArn");
        self.taggable(a)?;
        Ok(json!({"tags": self.reg.borrow().tags.get(a).cloned().unwrap_or_default()}))
    }

    pub async fn create_activity(&self, req: &Value) -> Reply {
        let name = text(req, "name");
        arn::check_name(name)?;
        let a = arn::activity(name);
        if let Some(existing) = self.reg.borrow().activities.get(&a) {
            return Ok(json!({"activityArn": a, "creationDate": existing["creationDate"]}));
        }
        let now = epoch(chrono::Utc::now());
        let record = json!({"activityArn": a, "name": name, "creationDate": now});
        let tags = req.get("tags").and_then(Value::as_array).cloned().unwrap_or_default();
        let mut writes = vec![resource("activity", &a, &record)];
        if !tags.is_empty() {
            writes.push(resource("tags", &a, &Value::Array(tags.clone())));
        }
        self.write(writes).await?;
        let mut reg = self.reg.borrow_mut();
        reg.activities.insert(a.clone(), record);
        if !tags.is_empty() {
            reg.tags.insert(a.clone(), tags);
        }
        Ok(json!({"activityArn": a, "creationDate": now}))
    }

    pub fn describe_activity(&self, req: &Value) -> Reply {
        let a = text(req, "activityArn");
        arn::parts(a, &["activity"])?;
        self.reg
            .borrow()
            .activities
            .get(a)
            .cloned()
            .ok_or_else(|| ApiError::new("ActivityDoesNotExist", format!("Activity Does Not Exist: '{a}'")))
    }

    pub async fn delete_activity(&self, req: &Value) -> Reply {
        let a = text(req, "activityArn");
        arn::parts(a, &["activity"])?;
        self.write(vec![delete("activity", a), delete("tags", a)]).await?;
        let mut reg = self.reg.borrow_mut();
        reg.activities.shift_remove(a);
        reg.tags.remove(a);
        Ok(json!({}))
    }

    pub fn list_activities(&self, req: &Value) -> Reply {
        let items = self.reg.borrow().activities.values().cloned().collect();
        page(items, req, "activities")
    }

    pub fn validate_definition(&self, req: &Value) -> Value {
        let express = opt_text(req, "type") == Some("EXPRESS");
        // `severity: WARNING` lists warnings too; the default is errors only.
        let warnings = opt_text(req, "severity") == Some("WARNING");
        let max = req.get("maxResults").and_then(Value::as_u64).filter(|n| *n > 0).unwrap_or(100) as usize;
        let all: Vec<Value> = self
            .engines
            .check(text(req, "definition"), express)
            .into_iter()
            .filter(|d| warnings || d.severity == "ERROR")
            .map(|d| {
                let mut v = json!({"severity": d.severity, "code": d.code, "message": d.message});
                if let Some(l) = d.location {
                    v["location"] = json!(l);
                }
                v
            })
            .collect();
        let failed = all.iter().any(|d| d["severity"] == "ERROR");
        let truncated = all.len() > max;
        json!({
            "result": if failed { "FAIL" } else { "OK" },
            "diagnostics": all.into_iter().take(max).collect::<Vec<_>>(),
            "truncated": truncated,
        })
    }

    /// What `StartExecution` runs for a machine, version or alias ARN.
    pub fn target(&self, a: &str) -> Result<Target, ApiError> {
        let parts = arn::parts(a, &["stateMachine"])?;
        let reg = self.reg.borrow();
        let of = |m: &Value, version: Option<String>, alias: Option<String>, revision: &Value| Target {
            machine_arn: text(m, "stateMachineArn").to_string(),
            name: text(m, "name").to_string(),
            version_arn: version,
            alias_arn: alias,
            revision: revision.as_str().unwrap_or("").to_string(),
            express: text(m, "type") == "EXPRESS",
        };
        if let Some(m) = reg.machines.get(a) {
            return Ok(of(m, None, None, &m["revisionId"]));
        }
        let machine_arn = arn::machine(parts[1]);
        let machine = reg.machines.get(&machine_arn).ok_or_else(|| machine_missing(a))?;
        if let Some(v) = reg.versions.get(a) {
            return Ok(of(machine, Some(a.to_string()), None, &v["revisionId"]));
        }
        if let Some(al) = reg.aliases.get(a) {
            let version = pick_route(al);
            let v = reg.versions.get(&version).ok_or_else(|| machine_missing(&version))?;
            return Ok(of(machine, Some(version.clone()), Some(a.to_string()), &v["revisionId"]));
        }
        Err(machine_missing(a))
    }
}

/// A version record: the machine's record at this revision, numbered.
fn version_record(machine: &Value, n: u64, description: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> Value {
    let mut v = public(machine);
    v["stateMachineArn"] = json!(format!("{}:{n}", text(machine, "stateMachineArn")));
    v["creationDate"] = epoch(now);
    if let Some(d) = description {
        v["description"] = json!(d);
    }
    v
}

fn routes_to(alias: &Value, version: &str) -> bool {
    alias["routingConfiguration"].as_array().into_iter().flatten().any(|r| text(r, "stateMachineVersionArn") == version)
}

/// An alias's version for one execution, chosen by the routing weights.
fn pick_route(alias: &Value) -> String {
    let routes = alias["routingConfiguration"].as_array().cloned().unwrap_or_default();
    let mut roll = (crate::random::unit() * 100.0) as u64;
    for r in &routes {
        let w = r.get("weight").and_then(Value::as_u64).unwrap_or(0);
        if roll < w {
            return text(r, "stateMachineVersionArn").to_string();
        }
        roll -= w;
    }
    routes.first().map(|r| text(r, "stateMachineVersionArn").to_string()).unwrap_or_default()
}
