//! The execution flags shared by `aslc run` and every binary `aslc build`
//! makes, and how an outcome is printed: the same words and exit codes in
//! both engines.

use crate::exec::nested_executions::Starter;
use crate::exec::{execute, ExecutionInfo, LocalStarter, Machine, MachineType, Options, Outcome, Startable, Status};
use crate::tasks::{mock, Linked, ResourceMap, Tasks};
use serde_json::Value;
use std::path::Path;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;

#[derive(clap::Args, Debug, Clone, Default)]
pub struct RunArgs {
    /// Execution input as JSON text (default `{}`).
    #[arg(long, conflicts_with = "input_file")]
    pub input: Option<String>,
    /// Read the execution input from a file (`-` for standard input).
    #[arg(long, value_name = "PATH")]
    pub input_file: Option<String>,
    /// Print one JSON object like StartSyncExecution's response instead of the output.
    #[arg(long)]
    pub result: bool,
    /// Write the execution history (GetExecutionHistory's shape) to this file.
    #[arg(long, value_name = "FILE")]
    pub history: Option<String>,
    /// Write every state entered and every way out taken (transition,
    /// Choice rule, retrier, catcher) to this file, as JSON: what `aslc
    /// test --coverage` counts. Every state then runs through the runtime.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<String>,
    #[command(flatten)]
    pub tasks: TaskArgs,
    /// The execution's name (default: a fresh UUID).
    #[arg(long)]
    pub name: Option<String>,
    /// Let time jump ahead whenever the execution only waits: Wait states,
    /// retry intervals and timeouts take no real time (for tests).
    #[arg(long)]
    pub fast_forward: bool,
    /// Run the execution N times in this process and print the time each
    /// took on standard error (the last one's output as usual): compares
    /// engines without process start-up.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,
    /// Run as a STANDARD execution (AWS's 25,000-event history quota
    /// applies) or an EXPRESS one (no quota, no `RedriveCount`).
    #[arg(long = "type", value_name = "TYPE", value_enum, default_value_t = MachineType::Standard)]
    pub machine_type: MachineType,
}

/// What answers Task states: the flags `aslc run`, `aslc serve` and built
/// binaries share.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TaskArgs {
    /// Answer Task states from a Step Functions Local mock configuration
    /// (default: the file named by SFN_MOCK_CONFIG, if set).
    #[arg(long, value_name = "FILE")]
    pub mock_config: Option<String>,
    /// The mock configuration's test case to use.
    #[arg(long, value_name = "NAME")]
    pub test_case: Option<String>,
    /// Bind task resources to local handlers (commands, Lambda endpoints)
    /// and HTTP Task connections to credentials: a resource map file, JSON
    /// or YAML (default: the file named by ASLC_RESOURCES, if set).
    #[arg(long, value_name = "FILE")]
    pub resources: Option<String>,
}

/// A usage or I/O problem: exit code 2.
pub struct UsageError(pub String);

fn read_text(path: &str) -> Result<String, UsageError> {
    if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| UsageError(format!("cannot read standard input: {e}")))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| UsageError(format!("cannot read {path}: {e}")))
}

impl RunArgs {
    /// The raw input text (`{}` by default).
    pub fn input_text(&self) -> Result<String, UsageError> {
        match (&self.input, &self.input_file) {
            (Some(t), _) => Ok(t.clone()),
            (None, Some(p)) => read_text(p),
            (None, None) => Ok("{}".into()),
        }
    }
}

impl TaskArgs {
    /// The mock test case, from `--mock-config` or `SFN_MOCK_CONFIG`.
    /// `among`: the machine is one of several (a server's, a run's
    /// children), and a configuration that does not list it mocks nothing
    /// of it; a run's own machine must be listed (or be the only one).
    pub fn mock(&self, machine: &str, among: bool) -> Result<Option<mock::TestCase>, UsageError> {
        let Some(path) = self.mock_config.clone().or_else(|| std::env::var("SFN_MOCK_CONFIG").ok()) else {
            if self.test_case.is_some() {
                return Err(UsageError(
                    "--test-case needs a mock configuration (--mock-config or SFN_MOCK_CONFIG)".into(),
                ));
            }
            return Ok(None);
        };
        let text = read_text(&path)?;
        let config: Value = serde_json::from_str(&text)
            .map_err(|e| UsageError(format!("the mock configuration {path} is not JSON: {e}")))?;
        if among && !mock::TestCase::lists(&config, machine) {
            return Ok(None);
        }
        let case = match &self.test_case {
            Some(c) => c.clone(),
            None => only_test_case(&config)
                .ok_or_else(|| UsageError(format!("{path} has several test cases: choose one with --test-case")))?,
        };
        mock::TestCase::load(&config, machine, &case).map(Some).map_err(|e| UsageError(format!("{path}: {e}")))
    }

    /// Everything that answers Task states: the mock test case, the
    /// resource map, and the Rust handlers linked into the binary
    /// (`among` as for `mock`).
    pub fn tasks(&self, machine: &str, among: bool, linked: &Linked) -> Result<Tasks, UsageError> {
        let path = self.resources.clone().or_else(|| std::env::var("ASLC_RESOURCES").ok());
        let resources = match path {
            Some(p) => Some(Arc::new(ResourceMap::load(Path::new(&p)).map_err(UsageError)?)),
            None => None,
        };
        Ok(Tasks { mock: self.mock(machine, among)?, resources, linked: linked.clone() })
    }
}

fn only_test_case(config: &Value) -> Option<String> {
    let machines = config.get("StateMachines")?.as_object()?;
    let mut names = machines.values().filter_map(|m| m.get("TestCases")?.as_object()).flat_map(|t| t.keys());
    let first = names.next()?.clone();
    names.next().is_none().then_some(first)
}

/// Runs a machine with the flags and prints the outcome; the exit code is
/// 0 for SUCCEEDED, 1 for a failed or timed-out execution, 2 for a usage
/// error. `linked`: the Rust task handlers of a binary built with them.
pub fn run_main(
    args: &RunArgs,
    machine_name: &str,
    timeout_seconds: Option<u64>,
    machine: &dyn Machine,
    linked: &Linked,
    machines: Vec<Startable>,
) -> ExitCode {
    match run_outcome(args, machine_name, timeout_seconds, machine, linked, machines, false) {
        Ok(outcome) => report(args, &outcome),
        Err(code) => code,
    }
}

/// `run_main` up to the outcome, which the caller reports (`report`).
/// `keep_history`: record the history even without `--history` (for a
/// page drawn from it).
pub fn run_outcome(
    args: &RunArgs,
    machine_name: &str,
    timeout_seconds: Option<u64>,
    machine: &dyn Machine,
    linked: &Linked,
    machines: Vec<Startable>,
    keep_history: bool,
) -> Result<Outcome, ExitCode> {
    let prepared = args.input_text().and_then(|text| Ok((text, args.tasks.tasks(machine_name, false, linked)?)));
    let (text, tasks) = match prepared {
        Ok(p) => p,
        Err(UsageError(e)) => {
            eprintln!("error: {e}");
            return Err(ExitCode::from(2));
        }
    };
    let info = ExecutionInfo {
        machine_name: machine_name.to_string(),
        execution_name: args.name.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        start_time: chrono::Utc::now(),
        machine_type: args.machine_type,
        redrive: None,
    };
    let rt = match tokio::runtime::Builder::new_current_thread().enable_time().start_paused(args.fast_forward).build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Err(ExitCode::from(2));
        }
    };
    let input = match serde_json::from_str::<Value>(&text) {
        Ok(input) => input,
        Err(e) => return Ok(invalid_input(info, &text, e)),
    };
    // `states:startExecution` tasks start these machines in this process.
    let starter = (!machines.is_empty()).then(|| {
        let (task_args, linked) = (args.tasks.clone(), linked.clone());
        LocalStarter::new(machines, Box::new(move |name: &str| task_args.tasks(name, true, &linked).map_err(|e| e.0)))
    });
    let mut times = Vec::new();
    let outcome = loop {
        let started = std::time::Instant::now();
        let info = ExecutionInfo { start_time: chrono::Utc::now(), ..info.clone() };
        let opts = Options {
            timeout_seconds,
            record_history: keep_history || args.history.is_some(),
            trace: args.trace.is_some(),
            keep_task_calls: args.result,
            starter: starter.clone().map(|s| s as Rc<dyn Starter>),
            ..Options::default()
        };
        let run = async {
            let outcome = execute(info, input.clone(), tasks.clone(), opts, machine).await;
            if let Some(s) = &starter {
                s.settle().await;
            }
            outcome
        };
        let outcome = rt.block_on(run);
        times.push(started.elapsed());
        if times.len() as u32 >= args.repeat {
            break outcome;
        }
    };
    if args.repeat > 1 {
        report_times(&mut times);
    }
    Ok(outcome)
}

/// `--repeat`: the median and the fastest of the executions.
fn report_times(times: &mut [std::time::Duration]) {
    times.sort();
    let median = times[times.len() / 2];
    eprintln!(
        "{} executions: median {:.1} µs, fastest {:.1} µs",
        times.len(),
        median.as_secs_f64() * 1e6,
        times[0].as_secs_f64() * 1e6
    );
}

/// Input that is not JSON never starts: the execution fails at once.
fn invalid_input(info: ExecutionInfo, text: &str, e: serde_json::Error) -> Outcome {
    Outcome {
        status: Status::Failed,
        output: None,
        error: Some(crate::error::names::RUNTIME.into()),
        cause: Some(format!("The execution input is not valid JSON: {e}")),
        input: Value::String(text.to_string()),
        stop_time: info.start_time,
        info,
        history: serde_json::json!({ "events": [] }),
        task_calls: Vec::new(),
        trace: Vec::new(),
    }
}

/// Prints an outcome as the flags ask and writes their files; gives the
/// exit code.
pub fn report(args: &RunArgs, outcome: &Outcome) -> ExitCode {
    let files = [
        (&args.history, serde_json::to_string_pretty(&outcome.history)),
        (&args.trace, serde_json::to_string(&outcome.trace)),
    ];
    for (path, text) in files {
        let Some(path) = path else { continue };
        if let Err(e) = std::fs::write(path, text.unwrap_or_default() + "\n") {
            eprintln!("error: cannot write {path}: {e}");
            return ExitCode::from(2);
        }
    }
    if args.result {
        emit(&outcome.to_result_json());
    } else if let Some(out) = &outcome.output {
        emit(out);
    } else {
        eprintln!("{}: {}", outcome.error.as_deref().unwrap_or(""), outcome.cause.as_deref().unwrap_or(""));
    }
    if outcome.status == Status::Succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Prints a line on standard output. A reader that went away (`aslc run …
/// | head`) is no error: as Unix tools do, the program goes on quietly to
/// its usual exit status.
pub fn emit(text: &dyn std::fmt::Display) {
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => eprintln!("error: cannot write the output: {e}"),
        _ => {}
    }
}
