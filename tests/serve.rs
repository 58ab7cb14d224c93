//! `aslc serve` and a built binary's `serve`, driven by real clients:
//! boto3 and the AWS CLI (installed into `target/test-venv` from PyPI when
//! missing), through the scripts in `tests/serve/`. The crash test kills
//! a server with SIGKILL on a real SQLite file and restarts it.

// `verdict` is for the tests that compare engines.
mod engines;

use engines::{aslc, root, SHARED_FEATURES};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A Python with boto3 and the AWS CLI: `ASLC_TEST_PYTHON`, or a virtualenv
/// made once under `target/test-venv` from `tests/serve/requirements.txt`.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        if let Some(p) = std::env::var_os("ASLC_TEST_PYTHON") {
            return PathBuf::from(p);
        }
        let venv = root().join("target/test-venv");
        let py = venv.join("bin/python");
        let ready = Command::new(&py).args(["-c", "import boto3, awscli"]).output().is_ok_and(|o| o.status.success());
        if !ready {
            let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).status().expect("python3 runs");
            assert!(made.success(), "cannot create {}", venv.display());
            let requirements = root().join("tests/serve/requirements.txt");
            let installed = Command::new(&py)
                .args(["-m", "pip", "install", "--quiet", "-r"])
                .arg(&requirements)
                .status()
                .expect("pip runs");
            assert!(installed.success(), "cannot install {}", requirements.display());
        }
        py
    })
}

/// Runs a script of `tests/serve/` with `args`; it asserts, and prints
/// what it checked.
fn script(name: &str, args: &[&str]) {
    let out = Command::new(python())
        .arg(root().join("tests/serve").join(name))
        .args(args)
        .current_dir(root())
        .output()
        .expect("python runs");
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{name} failed:\n{log}");
    eprintln!("{log}");
}

/// The crash tests check Wait deadlines to the second after a restart:
/// they do not share the machine with a bundle being compiled.
fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());
    HEAVY.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn aslc_path() -> &'static str {
    env!("CARGO_BIN_EXE_aslc")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

#[test]
fn the_seed_flow_through_boto3() {
    script("seed.py", &[aslc_path(), "examples"]);
}

#[test]
fn the_aws_cli() {
    script("awscli.py", &[aslc_path(), "examples"]);
}

#[test]
fn bad_input_gets_aws_errors_and_the_server_keeps_serving() {
    let data = scratch("bad-input");
    script("badinput.py", &[aslc_path(), "examples", data.to_str().expect("utf-8 path")]);
}

#[test]
fn executions_survive_sigkill_in_the_interpreter() {
    let _alone = exclusive();
    let data = scratch("crash-interpreted");
    let command = serde_json::json!([aslc_path(), "serve", "tests/serve/durable.json"]).to_string();
    script("crash.py", &[&command, data.to_str().expect("utf-8 path")]);
}

#[test]
fn a_built_binary_serves_its_machines_and_they_survive_sigkill() {
    let _alone = exclusive();
    let dir = scratch("crash-compiled");
    let bundle = dir.join("bundle");
    let built = aslc()
        .args(["build", "tests/serve/durable.json", "examples/hello.json"])
        .args(SHARED_FEATURES)
        .arg("--out")
        .arg(&bundle)
        .current_dir(root())
        .output()
        .expect("aslc build runs");
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    script("compiled.py", &[bundle.to_str().expect("utf-8 path"), "examples"]);
    let command = serde_json::json!([bundle, "serve"]).to_string();
    script("crash.py", &[&command, dir.join("data").to_str().expect("utf-8 path")]);
}

/// The machines of the callback, activity, nested, Map Run and redrive
/// scripts, compiled into one bundle (built once).
const CALLBACK_MACHINES: [&str; 8] = [
    "tests/serve/callback.json",
    "tests/serve/activity.json",
    "tests/serve/maprun.json",
    "tests/serve/nested/parent.json",
    "tests/serve/nested/child.json",
    "tests/serve/nested/express-parent.json",
    "tests/serve/redrive/redrive.json",
    "tests/serve/redrive/redrive-parallel.json",
];

fn callback_bundle() -> &'static Path {
    static BUNDLE: OnceLock<PathBuf> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let _alone = exclusive();
        let bundle = scratch("callback-bundle").join("bundle");
        let built = aslc()
            .arg("build")
            .args(CALLBACK_MACHINES)
            .args(SHARED_FEATURES)
            .arg("--out")
            .arg(&bundle)
            .current_dir(root())
            .output()
            .expect("aslc build runs");
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
        bundle
    })
}

/// Runs `name` against `aslc serve DEFS...` and against the compiled
/// bundle's `serve`, each on a data folder of its own; `extra` follows the
/// data folder.
fn in_both_engines(name: &str, defs: &[&str], extra: &[&str]) {
    let mut interpreted = vec![aslc_path(), "serve"];
    interpreted.extend(defs);
    let bundle = callback_bundle().to_str().expect("utf-8 path");
    for (engine, command) in [("interpreted", interpreted), ("compiled", vec![bundle, "serve"])] {
        let data = scratch(&format!("{name}-{engine}"));
        let mut args = vec![serde_json::json!(command).to_string(), data.to_str().expect("utf-8 path").to_string()];
        args.extend(extra.iter().map(|e| e.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        script(name, &args);
    }
}

#[test]
fn distributed_maps_have_map_runs() {
    in_both_engines("maprun.py", &["tests/serve/maprun.json"], &[]);
}

#[test]
fn wait_for_task_token_tasks_wait_for_their_callback() {
    in_both_engines("callback.py", &["tests/serve/callback.json"], &[]);
}

#[test]
fn activity_workers_share_the_tasks() {
    in_both_engines("activity.py", &["tests/serve/activity.json"], &[]);
}

#[test]
fn executions_start_executions() {
    let (parent, child) = ("tests/serve/nested/parent.json", "tests/serve/nested/child.json");
    in_both_engines("nested.py", &[parent, child], &["tests/serve/nested/express-parent.json"]);
}

#[test]
fn a_failed_execution_is_redriven_from_the_failed_state() {
    let machines = ["tests/serve/redrive/redrive.json", "tests/serve/redrive/redrive-parallel.json"];
    in_both_engines("redrive.py", &machines, &["tests/serve/redrive/redrive.mock.json"]);
}

#[test]
fn states_are_tested_as_aws_test_state_does() {
    let data = scratch("test-state");
    let command = serde_json::json!([aslc_path(), "serve"]).to_string();
    script("test_state.py", &[&command, data.to_str().expect("utf-8 path")]);
    let bundle = serde_json::json!([callback_bundle(), "serve"]).to_string();
    let data = scratch("test-state-compiled");
    script("test_state.py", &[&bundle, data.to_str().expect("utf-8 path"), "--refuses"]);
}

/// Chromium, for the browser tests: `ASLC_TEST_CHROMIUM`, else Debian's
/// (`.ci/run` installs the `chromium` package when it is missing).
fn chromium() -> String {
    let path = std::env::var("ASLC_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(Path::new(&path).exists(), "the browser tests need Chromium at {path}: apt-get install chromium");
    path
}

#[test]
fn the_execution_viewer_in_a_browser() {
    let dir = scratch("viewer");
    script("viewer.py", &[aslc_path(), &chromium(), &dir.display().to_string()]);
}
