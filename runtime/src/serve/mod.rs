//! `serve`: the Step Functions API (AWS JSON 1.0, the operations of
//! botocore's service model) over HTTP, with Standard executions kept in a
//! durable store. `aslc serve` plugs the interpreter in; every binary
//! `aslc build` makes plugs in its compiled machines, through `Engines`.
//!
//! Everything runs on one thread (the engine's values are `Rc`), on a
//! tokio `LocalSet`: the HTTP connections, and every execution as a task
//! that costs no thread while it waits. The store writes on a thread of
//! its own (`store`).

mod api;
mod arn;
mod callbacks;
mod executions;
mod http;
mod journal_events;
mod map_runs;
pub mod model;
mod nested;
mod redrive;
mod registry;
pub mod store;
mod test_state;
mod viewer;

use crate::cli::TaskArgs;
use crate::tasks::{Linked, Tasks};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// `serve`'s flags, the same in `aslc serve` and in built binaries.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8083)]
    pub port: u16,
    /// Where executions and state machines are kept (default:
    /// `$XDG_DATA_HOME/aslc`, else `~/.local/share/aslc`).
    #[arg(long, value_name = "DIR", conflicts_with = "in_memory")]
    pub data: Option<PathBuf>,
    /// Keep nothing on disk: everything is gone when the server stops.
    #[arg(long)]
    pub in_memory: bool,
    #[command(flatten)]
    pub tasks: TaskArgs,
}

impl ServeArgs {
    /// The data folder, or `None` in memory.
    fn data_dir(&self) -> Option<PathBuf> {
        if self.in_memory {
            return None;
        }
        if let Some(d) = &self.data {
            return Some(d.clone());
        }
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .unwrap_or_else(|| PathBuf::from("."));
        Some(base.join("aslc"))
    }
}

/// A definition problem, as ValidateStateMachineDefinition lists it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: String,
    pub message: String,
    pub location: Option<String>,
    /// `ERROR` or `WARNING`.
    pub severity: &'static str,
}

pub use crate::exec::{Compiled, Loaded};

/// How definitions become machines: the checker and interpreter in
/// `aslc serve`, the compiled code in a built binary.
pub trait Engines {
    /// Every problem of `definition` (JSON text); `express`: the Express rules too.
    fn check(&self, definition: &str, express: bool) -> Vec<Diagnostic>;
    /// The machine for a definition `check` found no error in.
    fn load(&self, definition: &str) -> Result<Loaded, String>;
    /// A TestState request checked against its definition, ready to run.
    fn prepare_test(
        &self,
        request: &crate::test_state::Request,
    ) -> Result<crate::test_state::Test, crate::test_state::ApiError>;
    /// The execution viewer's page (`GET /viewer?executionArn=`) of an
    /// execution named `name` of `definition`, from its history (with
    /// execution data); or why there is none.
    fn viewer(&self, name: &str, definition: &str, history: &serde_json::Value) -> Result<String, String>;
}

/// A machine that exists when the server starts (named on the command
/// line, or compiled into the binary): its name and definition text.
pub struct Initial {
    pub name: String,
    pub definition: String,
}

/// Task answers, per machine name (mock test cases are per machine).
struct TaskSetup {
    args: TaskArgs,
    linked: Linked,
    cache: RefCell<HashMap<String, Tasks>>,
}

impl TaskSetup {
    fn for_machine(&self, name: &str) -> Result<Tasks, String> {
        if let Some(t) = self.cache.borrow().get(name) {
            return Ok(t.clone());
        }
        let tasks = self.args.tasks(name, true, &self.linked).map_err(|e| e.0)?;
        self.cache.borrow_mut().insert(name.to_string(), tasks.clone());
        Ok(tasks)
    }

    /// What answers a Task TestState runs without a mock: the resource map
    /// and linked handlers (a mock configuration is per machine).
    fn for_test(&self) -> Result<Tasks, String> {
        let args = TaskArgs { resources: self.args.resources.clone(), ..TaskArgs::default() };
        args.tasks("", true, &self.linked).map_err(|e| e.0)
    }
}

/// Runs the server until SIGTERM or Ctrl-C; exit code 2 when it cannot start.
pub fn main(args: &ServeArgs, initial: Vec<Initial>, engines: Box<dyn Engines>, linked: &Linked) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let setup = TaskSetup { args: args.tasks.clone(), linked: linked.clone(), cache: RefCell::default() };
    // A bad resource map or mock configuration is a start-up error.
    for i in &initial {
        if let Err(e) = setup.for_machine(&i.name) {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let local = tokio::task::LocalSet::new();
    let result = local.block_on(&rt, async move {
        let server = api::Server::start(args.data_dir().as_deref(), initial, engines, setup).await?;
        http::listen(server, &args.host, args.port).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The engines of a built binary: its compiled machines, and nothing
/// else. A definition it does not contain (compared as JSON, so spacing
/// and key order do not matter) is refused as an invalid definition that
/// says so: building a new machine needs `aslc build`, and running one
/// without building, `aslc serve`.
struct Builtin(Vec<Compiled>);

impl Builtin {
    fn find(&self, definition: &str) -> Option<&Compiled> {
        let wanted: serde_json::Value = serde_json::from_str(definition).ok()?;
        self.0.iter().find(|c| serde_json::from_str::<serde_json::Value>(c.definition).ok().as_ref() == Some(&wanted))
    }
}

impl Engines for Builtin {
    fn check(&self, definition: &str, _express: bool) -> Vec<Diagnostic> {
        if self.find(definition).is_some() {
            return Vec::new();
        }
        let names: Vec<&str> = self.0.iter().map(|c| c.name).collect();
        vec![Diagnostic {
            code: "SCHEMA_VALIDATION_FAILED".into(),
            message: format!(
                "This binary runs only the state machines compiled into it ({}); build this definition with `aslc build`, or serve it with `aslc serve`",
                names.join(", ")
            ),
            location: None,
            severity: "ERROR",
        }]
    }

    fn load(&self, definition: &str) -> Result<Loaded, String> {
        self.find(definition)
            .map(|c| (c.load)())
            .ok_or_else(|| "the definition is not compiled into this binary".into())
    }

    /// A built binary holds compiled code, not the checker and model
    /// TestState needs.
    fn prepare_test(
        &self,
        _: &crate::test_state::Request,
    ) -> Result<crate::test_state::Test, crate::test_state::ApiError> {
        Err(crate::test_state::ApiError::invalid_definition(
            "This binary runs only the state machines compiled into it; test states with `aslc serve` or `aslc test-state`",
        ))
    }

    /// The viewer draws the checked model, which a built binary does not
    /// carry.
    fn viewer(&self, _: &str, _: &str, _: &serde_json::Value) -> Result<String, String> {
        Err("This binary has no execution viewer: `aslc serve` serves it, and `aslc run --report` writes it".into())
    }
}

/// `serve` in a built binary: its machines exist at start, under their names.
pub fn main_compiled(args: &ServeArgs, machines: Vec<Compiled>, linked: &Linked) -> ExitCode {
    let initial =
        machines.iter().map(|c| Initial { name: c.name.to_string(), definition: c.definition.to_string() }).collect();
    main(args, initial, Box::new(Builtin(machines)), linked)
}
