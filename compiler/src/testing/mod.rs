//! `aslc test`: workflows tested like code. Test files name a definition
//! and list cases (input, mocks, expectations); every case runs with
//! virtual time in the interpreter, the compiled binary or both, in
//! parallel, and the result reads like `cargo test`'s, with a JUnit file
//! and coverage for CI.
//!
//! The pipeline: `file` reads the test files, `engines` runs a case,
//! `crate::observe` turns what it did into the document expectations read,
//! `expect` checks them, `coverage` counts what the runs took, `report`
//! writes JUnit, `update` records actual results as expectations.

pub mod coverage;
mod engines;
pub mod expect;
pub mod file;
mod report;
mod update;

use crate::check::MachineType;
use crate::model::StateMachine;
use file::TestFile;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Engine {
    Interp,
    Compiled,
    Both,
}

/// What `aslc test` was asked.
pub struct Options {
    pub engine: Engine,
    pub filter: Option<String>,
    pub update: bool,
    pub junit: Option<PathBuf>,
    pub coverage: bool,
    pub coverage_json: Option<PathBuf>,
    pub coverage_lcov: Option<PathBuf>,
    pub coverage_report: Option<PathBuf>,
    /// Build the compiled engine's binary without optimisations.
    pub debug: bool,
    pub jobs: usize,
}

/// The test files under `paths`: a file as given, a folder searched for
/// `*.test.yaml`, `*.test.yml` and `*.test.json` (not in `target`, `.git`
/// or `node_modules`). No path: the current folder.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() {
                if !["target", ".git", "node_modules"].contains(&name) {
                    walk(&p, out)?;
                }
            } else if [".test.yaml", ".test.yml", ".test.json"].iter().any(|s| name.ends_with(s)) {
                out.push(p);
            }
        }
        Ok(())
    }
    let roots = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
    let mut found = Vec::new();
    for r in roots {
        if r.is_dir() {
            walk(&r, &mut found)?;
        } else if r.is_file() {
            found.push(r);
        } else {
            return Err(format!("{} is neither a test file nor a folder", r.display()));
        }
    }
    Ok(found)
}

/// A test file with its checked machine.
struct Suite {
    file: TestFile,
    machine: StateMachine,
    /// The definition as JSON text (what a built binary embeds).
    definition: String,
    /// The machine's name: its definition's stem, made unique in the run.
    name: String,
}

/// One case in one engine, once it ran.
pub struct Outcome {
    /// Which test file (by index), case and engine.
    pub job: (usize, usize, Engine),
    pub name: String,
    /// The test file's path, JUnit's suite.
    pub file: String,
    pub engine: Engine,
    /// Why the case could not run, or the expectations it missed.
    pub failure: Option<String>,
    pub time: Duration,
}

/// Runs the suite; the exit code is 0 when every case passed, 1 when one
/// failed, 2 for a problem with the test files or the build.
pub fn run(paths: &[PathBuf], opts: &Options) -> Result<u8, String> {
    let started = Instant::now();
    let suites = load(&discover(paths)?)?;
    let engines: &[Engine] = match opts.engine {
        Engine::Both => &[Engine::Interp, Engine::Compiled],
        Engine::Interp => &[Engine::Interp],
        Engine::Compiled => &[Engine::Compiled],
    };
    let selected =
        |s: &Suite, c: &file::Case| opts.filter.as_ref().is_none_or(|f| test_name(s, c).contains(f.as_str()));
    let mut jobs = Vec::new();
    for (si, s) in suites.iter().enumerate() {
        for (ci, _) in s.file.cases.iter().enumerate().filter(|(_, c)| selected(s, c)) {
            jobs.extend(engines.iter().map(|e| (si, ci, *e)));
        }
    }
    let scratch = std::env::temp_dir().join(format!("aslc-test-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let result = run_jobs(&suites, &jobs, opts, &scratch, engines.len() > 1);
    let _ = std::fs::remove_dir_all(&scratch);
    let (outcomes, runs) = result?;
    let mut outcomes = outcomes;
    if opts.update {
        update::apply(&suites.iter().map(|s| &s.file).collect::<Vec<_>>(), &runs, &mut outcomes)?;
    }
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.failure.is_some()).collect();
    if !failed.is_empty() {
        println!("\nfailures:\n");
        for o in &failed {
            println!("---- {} ----\n{}", o.name, o.failure.as_deref().unwrap_or(""));
        }
        println!("failures:");
        for o in &failed {
            println!("    {}", o.name);
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed; finished in {:.2}s",
        if failed.is_empty() { "ok" } else { "FAILED" },
        outcomes.len() - failed.len(),
        failed.len(),
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = &opts.junit {
        write(path, &report::junit(&outcomes))?;
    }
    if opts.coverage || opts.coverage_json.is_some() || opts.coverage_lcov.is_some() || opts.coverage_report.is_some() {
        let machines = covered(&suites, &runs);
        print!("{}", coverage::table(&machines));
        if let Some(p) = &opts.coverage_json {
            write(p, &serde_json::to_string_pretty(&coverage::json_report(&machines)).unwrap_or_default())?;
        }
        if let Some(p) = &opts.coverage_lcov {
            write(p, &coverage::lcov(&machines))?;
        }
        if let Some(p) = &opts.coverage_report {
            let graphs: Vec<(&coverage::MachineCoverage, &StateMachine)> =
                machines.iter().zip(suites_by_machine(&suites, &machines)).collect();
            write(p, &report::coverage_html(&graphs))?;
        }
    }
    Ok(if failed.is_empty() { 0 } else { 1 })
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn test_name(s: &Suite, c: &file::Case) -> String {
    format!("{} :: {}", s.file.path.display(), c.name)
}

/// Reads every test file and checks its definition.
fn load(paths: &[PathBuf]) -> Result<Vec<Suite>, String> {
    let mut suites: Vec<Suite> = Vec::new();
    for p in paths {
        let file = file::read(p)?;
        let shown = file.definition.display().to_string();
        let ty = if file.express { MachineType::Express } else { MachineType::Standard };
        let mut read = crate::iac::read(&shown, &[]).map_err(|e| format!("{}: {e}", p.display()))?;
        if read.len() != 1 {
            return Err(format!(
                "{}: {shown} holds {} state machines: name one as {shown}#LogicalId",
                p.display(),
                read.len()
            ));
        }
        let d = read.remove(0);
        let (machine, diags) = crate::check::check_definition(&d, ty);
        let machine = machine.ok_or_else(|| {
            format!(
                "{}: {shown} is not a valid definition:\n{}",
                p.display(),
                crate::diagnostics::render_human(&d.source, &diags)
            )
        })?;
        let stem = d.name.clone();
        // The same definition keeps its name; another with the same stem gets a suffix.
        let same = suites.iter().find(|s| s.file.definition == file.definition).map(|s| s.name.clone());
        let name = same.unwrap_or_else(|| {
            let mut name = stem.clone();
            let mut n = 1;
            while suites.iter().any(|s| s.name == name) {
                n += 1;
                name = format!("{stem}-{n}");
            }
            name
        });
        let definition =
            d.value.as_ref().map(|v| serde_json::to_string_pretty(v).unwrap_or_default()).unwrap_or_default();
        suites.push(Suite { file, machine, definition, name });
    }
    Ok(suites)
}

/// The suite's binary for the compiled engine: every machine in one
/// bundle, and whether it has several (then a subcommand each).
fn build(suites: &[&Suite], scratch: &Path, debug: bool) -> Result<(PathBuf, bool), String> {
    let mut units = Vec::new();
    for s in suites {
        if units.iter().any(|u: &crate::codegen::Unit| u.name == s.name) {
            continue;
        }
        units.push(crate::codegen::Unit {
            name: s.name.clone(),
            machine: &s.machine,
            definition: s.definition.clone(),
        });
    }
    let out = scratch.join("suite");
    let profile = if debug { crate::build::Profile::Debug } else { crate::build::Profile::Release };
    eprintln!("building {} machine(s) for the compiled engine", units.len());
    crate::build::build(
        &units,
        &crate::build::Options { out: out.clone(), emit_crate: None, profile, handlers: None, with: Vec::new() },
    )?;
    Ok((out, units.len() > 1))
}

/// The trace of each run, by (suite, case), for coverage and `--update`.
type Runs = Vec<((usize, usize, Engine), crate::observe::Ran)>;

/// Runs the jobs on `opts.jobs` threads, printing each result as it comes.
fn run_jobs(
    suites: &[Suite],
    jobs: &[(usize, usize, Engine)],
    opts: &Options,
    scratch: &Path,
    tag_engine: bool,
) -> Result<(Vec<Outcome>, Runs), String> {
    let compiled: Vec<&Suite> = {
        let mut used: Vec<&Suite> = Vec::new();
        for (si, _, e) in jobs {
            if *e == Engine::Compiled && !used.iter().any(|s| std::ptr::eq(*s, &suites[*si])) {
                used.push(&suites[*si]);
            }
        }
        used
    };
    let binary = if compiled.is_empty() { None } else { Some(build(&compiled, scratch, opts.debug)?) };
    println!("\nrunning {} case(s)", jobs.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel();
    let mut outcomes = Vec::new();
    let mut runs = Vec::new();
    std::thread::scope(|scope| {
        for worker in 0..opts.jobs.max(1) {
            let (tx, next, binary) = (tx.clone(), &next, binary.as_ref());
            scope.spawn(move || loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&(si, ci, engine)) = jobs.get(i) else { break };
                let (s, c) = (&suites[si], &suites[si].file.cases[ci]);
                let t = Instant::now();
                let ran = engines::mock_config(&s.file, c, &s.name).and_then(|config| match (engine, binary) {
                    (Engine::Compiled, Some((b, bundle))) => {
                        let dir = scratch.join(format!("{worker}"));
                        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                        let sub = bundle.then_some(s.name.as_str());
                        engines::compiled(b, sub, s.file.express, c, config.as_ref(), &dir)
                    }
                    _ => engines::interpreted(&s.machine, &s.name, s.file.express, c, config.as_ref()),
                });
                if tx.send((si, ci, engine, ran, t.elapsed())).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (si, ci, engine, ran, time) in rx {
            let (s, c) = (&suites[si], &suites[si].file.cases[ci]);
            let mut name = test_name(s, c);
            if tag_engine {
                name.push_str(if engine == Engine::Interp { " [interp]" } else { " [compiled]" });
            }
            let failure = match &ran {
                Err(e) => Some(format!("the case could not run: {e}\n")),
                Ok(r) => {
                    let missed = expect::check(&c.expect, &r.document());
                    (!missed.is_empty()).then(|| missed.iter().map(expect::render).collect::<String>())
                }
            };
            println!("test {name} ... {}", if failure.is_some() { "FAILED" } else { "ok" });
            outcomes.push(Outcome {
                job: (si, ci, engine),
                name,
                file: s.file.path.display().to_string(),
                engine,
                failure,
                time,
            });
            if let Ok(r) = ran {
                runs.push(((si, ci, engine), r));
            }
        }
    });
    Ok((outcomes, runs))
}

/// Each machine's coverage over every run of its cases.
fn covered(suites: &[Suite], runs: &Runs) -> Vec<coverage::MachineCoverage> {
    let mut machines: Vec<coverage::MachineCoverage> = Vec::new();
    for s in suites {
        if !machines.iter().any(|m| m.name == s.name) {
            machines.push(coverage::MachineCoverage::new(
                &s.name,
                &s.file.definition.display().to_string(),
                &s.machine,
            ));
        }
    }
    for ((si, _, _), ran) in runs {
        if let Some(m) = machines.iter_mut().find(|m| m.name == suites[*si].name) {
            m.add(&ran.trace);
        }
    }
    machines
}

fn suites_by_machine<'s>(suites: &'s [Suite], machines: &[coverage::MachineCoverage]) -> Vec<&'s StateMachine> {
    machines.iter().filter_map(|m| suites.iter().find(|s| s.name == m.name).map(|s| &s.machine)).collect()
}
