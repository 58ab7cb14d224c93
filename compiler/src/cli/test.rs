//! `aslc test [PATH...]`: runs workflow test files (see `crate::testing`).

use crate::testing::{self, Engine, Options};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Test files, or folders searched for `*.test.yaml`, `*.test.yml` and
    /// `*.test.json` (default: the current folder).
    paths: Vec<PathBuf>,
    /// The engine the cases run in; `both` runs each case in each.
    #[arg(long, value_enum, default_value_t = Engine::Interp)]
    engine: Engine,
    /// Only the cases whose name (`FILE :: CASE`) contains this text.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Record each failing case's actual status, output (or error and
    /// cause) and path as its expectations, rewriting the test file.
    #[arg(long)]
    update: bool,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Print the coverage of states, transitions, Choice rules, retriers
    /// and catchers.
    #[arg(long)]
    coverage: bool,
    /// Write the coverage as JSON.
    #[arg(long, value_name = "FILE")]
    coverage_json: Option<PathBuf>,
    /// Write the coverage in lcov's format (states as lines, ways out as branches).
    #[arg(long, value_name = "FILE")]
    coverage_lcov: Option<PathBuf>,
    /// Write an HTML page of each machine's graph coloured by coverage.
    #[arg(long, value_name = "FILE")]
    coverage_report: Option<PathBuf>,
    /// Build the compiled engine's binary without optimisations (as `aslc
    /// build --debug`; its dependencies then build once more, unoptimised).
    #[arg(long)]
    debug: bool,
    /// How many cases run at once (default: the number of CPUs).
    #[arg(long, short)]
    jobs: Option<usize>,
}

pub fn run(a: Args) -> ExitCode {
    let jobs = a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let opts = Options {
        engine: a.engine,
        filter: a.filter,
        update: a.update,
        junit: a.junit,
        coverage: a.coverage,
        coverage_json: a.coverage_json,
        coverage_lcov: a.coverage_lcov,
        coverage_report: a.coverage_report,
        debug: a.debug,
        jobs,
    };
    match testing::run(&a.paths, &opts) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
