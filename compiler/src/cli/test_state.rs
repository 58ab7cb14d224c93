//! `aslc test-state --request FILE`: AWS's TestState, from the command
//! line. FILE is a TestState request body (what the API receives); the
//! response body is printed as the API sends it.

use super::read_input;
use asl_runtime::cli::{emit, TaskArgs};
use asl_runtime::test_state::{self, ApiError, Request};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A TestState request body (JSON): `definition`, `input`,
    /// `inspectionLevel`, `mock`, `stateName`, ...; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    request: String,
    /// A resource map that answers a Task tested without a mock, as for
    /// `aslc run --resources`.
    #[arg(long, value_name = "FILE")]
    resources: Option<String>,
    /// Rust task handlers, as for `aslc run --handlers`.
    #[arg(long, value_name = "FILE")]
    handlers: Option<std::path::PathBuf>,
}

/// Exit codes: 0 with a response (whatever its status), 1 when the request
/// is refused (the API's error printed as `{"__type", "message"}`), 2 for a
/// usage or I/O error.
pub fn run(a: Args) -> ExitCode {
    let text = match read_input(&a.request).map(|(_, b)| String::from_utf8(b)) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => return usage(format!("{} is not UTF-8 text", a.request)),
        Err(e) => return usage(e),
    };
    let linked = match super::linked(a.handlers.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let task_args = TaskArgs { resources: a.resources.clone(), ..TaskArgs::default() };
    let tasks = match task_args.tasks("", true, &linked) {
        Ok(t) => t,
        Err(e) => return usage(e.0),
    };
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return usage(format!("cannot start the async runtime: {e}")),
    };
    let answer = (|| -> Result<_, ApiError> {
        let req = Request::parse(&text)?;
        let test = crate::test_state::prepare(&req)?;
        rt.block_on(test_state::run(test, tasks))
    })();
    match answer {
        Ok(response) => {
            emit(&response.to_json());
            ExitCode::SUCCESS
        }
        Err(e) => {
            emit(&e.to_json());
            ExitCode::from(1)
        }
    }
}

fn usage(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}
