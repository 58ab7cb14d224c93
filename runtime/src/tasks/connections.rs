//! What an EventBridge connection stands for, read from the resource map's
//! `Connections` section in the shape of EventBridge's `CreateConnection`
//! (`AuthorizationType` and `AuthParameters`), so the HTTP Task can call a
//! local or real API with the credentials the connection ARN names.

use crate::error::StatesError;
use base64::Engine as _;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The connections of one resource map, by ARN.
#[derive(Debug, Default)]
pub struct Connections(HashMap<String, Arc<Connection>>);

impl Connections {
    pub fn parse(v: &Value) -> Result<Connections, String> {
        let m = v.as_object().ok_or("'Connections' must be an object of connection ARNs")?;
        let mut out = HashMap::new();
        for (arn, c) in m {
            out.insert(arn.clone(), Arc::new(Connection::parse(c).map_err(|e| format!("connection '{arn}': {e}"))?));
        }
        Ok(Connections(out))
    }

    pub fn get(&self, arn: &str) -> Option<Arc<Connection>> {
        self.0.get(arn).cloned()
    }
}

#[derive(Debug)]
enum Auth {
    ApiKey { name: String, value: String },
    Basic { username: String, password: String },
    OAuth(OAuth),
}

#[derive(Debug)]
struct OAuth {
    endpoint: String,
    method: String,
    client_id: String,
    client_secret: String,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Vec<(String, String)>,
    /// The access token, fetched once and reused.
    token: Mutex<Option<String>>,
}

#[derive(Debug)]
pub struct Connection {
    auth: Auth,
    /// `InvocationHttpParameters`: sent with every call.
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub body: Vec<(String, String)>,
}

fn text(v: &Value, key: &str) -> Result<String, String> {
    v.get(key).and_then(Value::as_str).map(str::to_string).ok_or_else(|| format!("'{key}' must be a string"))
}

/// `[{"Key": …, "Value": …}]` lists of EventBridge's HTTP parameters.
fn pairs(v: Option<&Value>, key: &str) -> Result<Vec<(String, String)>, String> {
    let Some(list) = v.and_then(|v| v.get(key)) else { return Ok(Vec::new()) };
    let list = list.as_array().ok_or_else(|| format!("'{key}' must be a list of {{Key, Value}}"))?;
    list.iter().map(|p| Ok((text(p, "Key")?, text(p, "Value")?))).collect()
}

impl Connection {
    fn parse(c: &Value) -> Result<Connection, String> {
        let params = c.get("AuthParameters").ok_or("'AuthParameters' is required")?;
        let kind = match c.get("AuthorizationType").and_then(Value::as_str) {
            Some(k) => k.to_string(),
            None if params.get("ApiKeyAuthParameters").is_some() => "API_KEY".into(),
            None if params.get("BasicAuthParameters").is_some() => "BASIC".into(),
            None => "OAUTH_CLIENT_CREDENTIALS".into(),
        };
        let section = |k: &str| params.get(k).ok_or_else(|| format!("'AuthParameters.{k}' is required for {kind}"));
        let auth = match kind.as_str() {
            "API_KEY" => {
                let p = section("ApiKeyAuthParameters")?;
                Auth::ApiKey { name: text(p, "ApiKeyName")?, value: text(p, "ApiKeyValue")? }
            }
            "BASIC" => {
                let p = section("BasicAuthParameters")?;
                Auth::Basic { username: text(p, "Username")?, password: text(p, "Password")? }
            }
            "OAUTH_CLIENT_CREDENTIALS" => {
                let p = section("OAuthParameters")?;
                let client = p.get("ClientParameters").ok_or("'OAuthParameters.ClientParameters' is required")?;
                let http = p.get("OAuthHttpParameters");
                Auth::OAuth(OAuth {
                    endpoint: text(p, "AuthorizationEndpoint")?,
                    method: p.get("HttpMethod").and_then(Value::as_str).unwrap_or("POST").to_string(),
                    client_id: text(client, "ClientID")?,
                    client_secret: text(client, "ClientSecret")?,
                    headers: pairs(http, "HeaderParameters")?,
                    query: pairs(http, "QueryStringParameters")?,
                    body: pairs(http, "BodyParameters")?,
                    token: Mutex::new(None),
                })
            }
            other => {
                return Err(format!("unknown AuthorizationType '{other}' (API_KEY, BASIC or OAUTH_CLIENT_CREDENTIALS)"))
            }
        };
        let invocation = params.get("InvocationHttpParameters");
        Ok(Connection {
            auth,
            headers: pairs(invocation, "HeaderParameters")?,
            query: pairs(invocation, "QueryStringParameters")?,
            body: pairs(invocation, "BodyParameters")?,
        })
    }

    /// Drops an OAuth connection's cached token, so the next call fetches
    /// a new one; whether there was one to drop.
    pub fn forget_token(&self) -> bool {
        match &self.auth {
            Auth::OAuth(o) => o.token.lock().map(|mut t| t.take().is_some()).unwrap_or(false),
            _ => false,
        }
    }

    /// The header that carries the credentials.
    pub fn authorization(&self, agent: &ureq::Agent) -> Result<Option<(String, String)>, StatesError> {
        Ok(Some(match &self.auth {
            Auth::ApiKey { name, value } => (name.clone(), value.clone()),
            Auth::Basic { username, password } => ("Authorization".into(), basic(username, password)),
            Auth::OAuth(o) => ("Authorization".into(), format!("Bearer {}", o.token(agent)?)),
        }))
    }
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

fn auth_failed(cause: String) -> StatesError {
    StatesError::new("Events.ConnectionResource.AuthorizationFailed", cause)
}

impl OAuth {
    /// Client credentials: the client's id and secret as Basic
    /// authentication, `grant_type=client_credentials` in a form body.
    fn token(&self, agent: &ureq::Agent) -> Result<String, StatesError> {
        let mut cached = self.token.lock().map_err(|_| auth_failed("the token cache is unavailable".into()))?;
        if let Some(t) = cached.as_ref() {
            return Ok(t.clone());
        }
        let mut req = agent
            .request(&self.method, &self.endpoint)
            .set("Authorization", &basic(&self.client_id, &self.client_secret));
        for (k, v) in &self.headers {
            req = req.set(k, v);
        }
        for (k, v) in &self.query {
            req = req.query(k, v);
        }
        let mut form = form_urlencoded::Serializer::new(String::new());
        if !self.body.iter().any(|(k, _)| k == "grant_type") {
            form.append_pair("grant_type", "client_credentials");
        }
        for (k, v) in &self.body {
            form.append_pair(k, v);
        }
        let response = req
            .set("Content-Type", "application/x-www-form-urlencoded")
            .send_string(&form.finish())
            .map_err(|e| auth_failed(format!("The OAuth token request to {} failed: {e}", self.endpoint)))?;
        let body = super::http::read_capped(response, 1 << 20)
            .map_err(|e| auth_failed(format!("reading the OAuth token failed: {e}")))?
            .unwrap_or_default();
        let token = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| v.get("access_token")?.as_str().map(str::to_string))
            .ok_or_else(|| auth_failed(format!("The OAuth endpoint {} returned no access_token", self.endpoint)))?;
        *cached = Some(token.clone());
        Ok(token)
    }
}
