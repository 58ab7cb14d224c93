//! Test files (`*.test.yaml`, `*.test.json`): a definition, and cases with
//! an input, mocks and expectations. Read strictly: an unknown key is an
//! error with its line and column, so a misspelt expectation never passes
//! silently.

use crate::source::Source;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// One test file.
pub struct TestFile {
    /// As the user named it (the test's name starts with it).
    pub path: PathBuf,
    /// The definition, relative paths resolved against the test file's folder.
    pub definition: PathBuf,
    /// A Step Functions Local mock configuration the cases may pick test cases of.
    pub mock_config: Option<PathBuf>,
    pub express: bool,
    pub cases: Vec<Case>,
    /// The file as read, for `--update`.
    pub document: Value,
    pub yaml: bool,
}

pub struct Case {
    pub name: String,
    /// Its index in `cases`, for `--update`.
    pub index: usize,
    pub input: Value,
    /// A test case of the file's mock configuration.
    pub mock_test_case: Option<String>,
    /// Inline mocked responses by state name, as mock configurations write
    /// them: one response (`{"Return": …}` or `{"Throw": {…}}`) answering
    /// every call, a list answering the calls in order, or an object of
    /// numbered entries (`"0"`, `"1-2"`).
    pub mocks: Map<String, Value>,
    pub expect: Expect,
}

#[derive(Default)]
pub struct Expect {
    pub status: Option<String>,
    pub output: Option<Value>,
    pub output_includes: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub path: Option<Vec<String>>,
    pub states: Vec<(String, StateExpect)>,
    pub variables: Option<Map<String, Value>>,
    pub assertions: Vec<Assertion>,
}

/// What one run of a state must show. `run`: which run (1 the first, -1
/// the last).
pub struct StateExpect {
    pub run: i64,
    pub count: Option<u64>,
    /// `input`, `output`, `parameters`, each exact or (`…Includes`) a subset.
    pub values: Vec<(&'static str, bool, Value)>,
}

/// A JSONata expression that must be true, or a JSONPath whose value is
/// checked; both over the observed execution (see `observe`).
pub enum Assertion {
    Jsonata(String),
    Path { path: String, check: PathCheck },
}

pub enum PathCheck {
    Equals(Value),
    Includes(Value),
    Exists(bool),
}

/// A problem in a test file, placed like a definition's diagnostics.
pub fn problem(source: &Source, pointer: &str, message: &str) -> String {
    match source.pos(pointer) {
        Some(p) => format!("{}:{}:{}: {message} (at {pointer})", source.name, p.line, p.column),
        None => format!("{}: {message} (at {pointer})", source.name),
    }
}

/// Reads one object strictly: each key must be taken, the others are errors.
struct Fields<'a> {
    source: &'a Source,
    pointer: String,
    map: &'a Map<String, Value>,
    taken: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    fn of(source: &'a Source, pointer: String, v: &'a Value) -> Result<Self, String> {
        match v {
            Value::Object(map) => Ok(Fields { source, pointer, map, taken: Vec::new() }),
            _ => Err(problem(source, &pointer, "expected an object")),
        }
    }

    fn at(&self, key: &str) -> String {
        format!("{}/{}", self.pointer, key.replace('~', "~0").replace('/', "~1"))
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.taken.push(key);
        self.map.get(key)
    }

    fn string(&mut self, key: &'static str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(problem(self.source, &self.at(key), "expected a string")),
        }
    }

    fn object(&mut self, key: &'static str) -> Result<Option<&'a Map<String, Value>>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(problem(self.source, &self.at(key), "expected an object")),
        }
    }

    fn array(&mut self, key: &'static str) -> Result<Option<&'a Vec<Value>>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(_) => Err(problem(self.source, &self.at(key), "expected a list")),
        }
    }

    /// Fails on a key nobody took, naming the ones allowed.
    fn done(self) -> Result<(), String> {
        match self.map.keys().find(|k| !self.taken.contains(&k.as_str())) {
            Some(k) => Err(problem(
                self.source,
                &self.at(k),
                &format!("unknown key '{k}' (expected one of: {})", self.taken.join(", ")),
            )),
            None => Ok(()),
        }
    }
}

/// Reads a test file; errors name the file, line and column.
pub fn read(path: &Path) -> Result<TestFile, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let name = path.display().to_string();
    let (source, value) = crate::source::load(&name, bytes);
    let document = value.map_err(|d| format!("{name}: {}", d.message))?;
    let mut top = Fields::of(&source, String::new(), &document)?;
    let folder = path.parent().unwrap_or(Path::new(""));
    let definition = top
        .string("definition")?
        .ok_or_else(|| problem(&source, "", "a test file needs 'definition', the definition file it tests"))?;
    let mock_config = top.string("mockConfig")?.map(|m| folder.join(m));
    let express = match top.string("type")?.as_deref() {
        None | Some("STANDARD") => false,
        Some("EXPRESS") => true,
        Some(other) => {
            return Err(problem(&source, "/type", &format!("'type' is STANDARD or EXPRESS, not '{other}'")));
        }
    };
    let listed = top.array("cases")?.ok_or_else(|| problem(&source, "", "a test file needs 'cases', a list"))?;
    top.done()?;
    let mut cases = Vec::new();
    for (index, c) in listed.iter().enumerate() {
        cases.push(read_case(&source, index, c)?);
    }
    if let Some(dup) = cases.iter().enumerate().find(|(i, c)| cases[..*i].iter().any(|o| o.name == c.name)) {
        return Err(problem(
            &source,
            &format!("/cases/{}/name", dup.0),
            &format!("two cases are named '{}'", dup.1.name),
        ));
    }
    let yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
    Ok(TestFile {
        path: path.to_path_buf(),
        definition: folder.join(definition),
        mock_config,
        express,
        cases,
        document,
        yaml,
    })
}

fn read_case(source: &Source, index: usize, v: &Value) -> Result<Case, String> {
    let mut f = Fields::of(source, format!("/cases/{index}"), v)?;
    let name = f.string("name")?.ok_or_else(|| problem(source, &f.pointer, "a case needs a 'name'"))?;
    let input = f.get("input").cloned().unwrap_or_else(|| Value::Object(Map::new()));
    let mock_test_case = f.string("mockTestCase")?;
    let mocks = f.object("mocks")?.cloned().unwrap_or_default();
    let expect = match f.get("expect") {
        Some(e) => read_expect(source, &f.at("expect"), e)?,
        None => Expect::default(),
    };
    f.done()?;
    Ok(Case { name, index, input, mock_test_case, mocks, expect })
}

fn read_expect(source: &Source, pointer: &str, v: &Value) -> Result<Expect, String> {
    let mut f = Fields::of(source, pointer.to_string(), v)?;
    let status = f.string("status")?;
    if let Some(s) = &status {
        if !["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"].contains(&s.as_str()) {
            return Err(problem(
                source,
                &f.at("status"),
                &format!("'status' is SUCCEEDED, FAILED, TIMED_OUT or ABORTED, not '{s}'"),
            ));
        }
    }
    let output = f.get("output").cloned();
    let output_includes = f.get("outputIncludes").cloned();
    let error = f.string("error")?;
    let cause = f.string("cause")?;
    let path = match f.array("path")? {
        None => None,
        Some(names) => Some(
            names
                .iter()
                .map(|n| n.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| problem(source, &f.at("path"), "'path' lists state names (strings)"))?,
        ),
    };
    let mut states = Vec::new();
    if let Some(m) = f.object("states")? {
        for (name, s) in m {
            let at = format!("{}/{}", f.at("states"), name.replace('~', "~0").replace('/', "~1"));
            states.push((name.clone(), read_state_expect(source, &at, s)?));
        }
    }
    let variables = f.object("variables")?.cloned();
    let mut assertions = Vec::new();
    if let Some(list) = f.array("assert")? {
        for (i, a) in list.iter().enumerate() {
            assertions.push(read_assertion(source, &format!("{}/{i}", f.at("assert")), a)?);
        }
    }
    f.done()?;
    Ok(Expect { status, output, output_includes, error, cause, path, states, variables, assertions })
}

fn read_state_expect(source: &Source, pointer: &str, v: &Value) -> Result<StateExpect, String> {
    let mut f = Fields::of(source, pointer.to_string(), v)?;
    let run = match f.get("run") {
        None => 1,
        Some(Value::Number(n)) if n.as_i64().is_some_and(|r| r != 0) => n.as_i64().unwrap_or(1),
        Some(_) => {
            return Err(problem(
                source,
                &f.at("run"),
                "'run' is 1 for the first run, 2 for the second, -1 for the last",
            ))
        }
    };
    let count = match f.get("count") {
        None => None,
        Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64(),
        Some(_) => return Err(problem(source, &f.at("count"), "'count' is how many times the state ran")),
    };
    let mut values = Vec::new();
    for (key, includes_key) in
        [("input", "inputIncludes"), ("output", "outputIncludes"), ("parameters", "parametersIncludes")]
    {
        if let Some(v) = f.get(key) {
            values.push((key, false, v.clone()));
        }
        if let Some(v) = f.get(includes_key) {
            values.push((key, true, v.clone()));
        }
    }
    f.done()?;
    Ok(StateExpect { run, count, values })
}

fn read_assertion(source: &Source, pointer: &str, v: &Value) -> Result<Assertion, String> {
    if let Some(text) = v.as_str() {
        let inner = asl_runtime::jsonata::expression_text(v)
            .ok_or_else(|| problem(source, pointer, "a string assertion is a JSONata expression in {% %}"))?;
        asl_runtime::jsonata::Expr::parse(inner).map_err(|e| problem(source, pointer, &e.message))?;
        return Ok(Assertion::Jsonata(text.to_string()));
    }
    let mut f = Fields::of(source, pointer.to_string(), v)?;
    let path =
        f.string("path")?.ok_or_else(|| problem(source, pointer, "an assertion object needs a JSONPath 'path'"))?;
    asl_runtime::path::Path::parse(&path).map_err(|e| problem(source, &f.at("path"), &e.to_string()))?;
    let checks = [
        f.get("equals").cloned().map(PathCheck::Equals),
        f.get("includes").cloned().map(PathCheck::Includes),
        f.get("exists")
            .map(|e| e.as_bool().ok_or(()))
            .transpose()
            .map_err(|_| problem(source, pointer, "'exists' is true or false"))?
            .map(PathCheck::Exists),
    ];
    f.done()?;
    let mut given = checks.into_iter().flatten();
    match (given.next(), given.next()) {
        (Some(check), None) => Ok(Assertion::Path { path, check }),
        _ => Err(problem(source, pointer, "an assertion object has one of 'equals', 'includes', 'exists'")),
    }
}
