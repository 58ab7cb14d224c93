//! `aslc run DEF`: interprets a definition.

use super::{load_one, read_input, Sources};
use crate::check::{check_text, MachineType};
use crate::interpret::Interpreted;
use asl_runtime::cli::{report, run_outcome, RunArgs};
use asl_runtime::exec::{Loaded, Startable};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Definition file (JSON or YAML), or a CloudFormation/SAM template
    /// (`template.yaml#LogicalId` picks one of its machines); `-` reads
    /// standard input.
    file: String,
    #[command(flatten)]
    sources: Sources,
    #[command(flatten)]
    run: RunArgs,
    /// Rust task handlers (the file `aslc build --handlers` links): built
    /// once into a handler program the interpreter runs for their tasks.
    #[arg(long, value_name = "FILE")]
    handlers: Option<std::path::PathBuf>,
    /// Machines `states:startExecution` tasks may start, each named by its
    /// file stem: a definition file, or a folder of them (`.json`, `.yaml`,
    /// `.yml`). The run's own machine is always one.
    #[arg(long, value_name = "PATH")]
    machines: Vec<String>,
    /// Write the execution viewer here: one HTML page with the graph
    /// coloured by what each state did, its runs on a click, the events.
    #[arg(long, value_name = "FILE")]
    report: Option<std::path::PathBuf>,
}

pub fn run(a: Args) -> ExitCode {
    let (name, m) = match load_one(&a.file, &a.sources, a.run.machine_type, 2) {
        Ok(c) => (c.name, c.machine),
        Err(code) => return code,
    };
    let linked = match super::linked(a.handlers.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let machines = match startable(&a.machines) {
        Ok(mut others) if !others.is_empty() => {
            let own = m.clone();
            let load = move || {
                Ok(Loaded { timeout_seconds: own.timeout_seconds, machine: Box::new(Interpreted(own.clone())) })
            };
            others.retain(|s| s.name != name);
            others.push(Startable { name: name.clone(), load: Box::new(load) });
            others
        }
        Ok(_) => Vec::new(),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome =
        match run_outcome(&a.run, &name, m.timeout_seconds, &Interpreted(&m), &linked, machines, a.report.is_some()) {
            Ok(o) => o,
            Err(code) => return code,
        };
    // The viewer is drawn from the history the run kept.
    if let Some(page) = &a.report {
        let ran = crate::observe::Ran::from_history(outcome.history.clone());
        if let Err(e) = std::fs::write(page, crate::viewer::page(&name, &m, &ran)) {
            eprintln!("error: cannot write {}: {e}", page.display());
            return ExitCode::from(2);
        }
    }
    report(&a.run, &outcome)
}

/// The machines named by `--machines`, each checked when a task first
/// starts it.
fn startable(paths: &[String]) -> Result<Vec<Startable>, String> {
    let mut files = Vec::new();
    for p in paths {
        let path = std::path::Path::new(p);
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| format!("cannot read {p}: {e}"))?;
            let mut found: Vec<String> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "json" || x == "yaml" || x == "yml"))
                .map(|f| f.to_string_lossy().into_owned())
                .collect();
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(p.clone());
        } else {
            return Err(format!("{p} is neither a definition file nor a folder"));
        }
    }
    Ok(files
        .into_iter()
        .map(|file| {
            let name = crate::iac::stem(&file);
            let load = move || {
                let (_, bytes) = read_input(&file)?;
                let (_, machine, diags) = check_text(&file, bytes, MachineType::Standard);
                let m = machine.ok_or_else(|| {
                    let first = diags.first().map(|d| d.aws_text()).unwrap_or_default();
                    format!("{file} is not a valid definition: {first}")
                })?;
                Ok(Loaded { timeout_seconds: m.timeout_seconds, machine: Box::new(Interpreted(m)) })
            };
            Startable { name, load: Box::new(load) }
        })
        .collect())
}
