"""The crash test: about twenty executions of durable.json run on a data
folder; the server is killed with SIGKILL while they wait, sleep in
backoffs and run tasks, then restarted on the same folder. Every execution
must end with the right output, its history without gaps or duplicates,
Waits keeping their deadlines, and no task that had completed running
again. SIGTERM then stops the server cleanly.

Usage: crash.py COMMAND_JSON DATA_DIR, where COMMAND_JSON is the server
command up to its flags (`["aslc", "serve", "durable.json"]`, or a built
binary's `["./bundle", "serve"]`)."""
import json, os, sys, time

from harness import HERE, Server, check

prefix, data = json.loads(sys.argv[1]), sys.argv[2]
log = os.path.join(data, "tasks.log")
os.makedirs(data, exist_ok=True)
env = {"ASLC_TEST_LOG": log}
command = prefix + ["--data", data, "--resources", os.path.join(HERE, "durable.resources.json")]

server = Server(command, env)
sfn = server.client()
machine = next(m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"] if m["name"] == "durable")
N = 20
items = [{"i": 0, "w": 1}, {"i": 1, "w": 2}]
arns = []
for n in range(N):
    r = sfn.start_execution(stateMachineArn=machine, name=f"run-{n}", input=json.dumps({"n": n, "items": items}))
    arns.append(r["executionArn"])
    time.sleep(0.3)
# Idempotent by name: the same name and input gives the same execution.
again = sfn.start_execution(stateMachineArn=machine, name="run-19", input=json.dumps({"n": 19, "items": items}))
check(again["executionArn"] == arns[-1], "StartExecution is idempotent for a running execution")
try:
    sfn.start_execution(stateMachineArn=machine, name="run-19", input="{}")
    raise AssertionError("another input under the same name must be refused")
except sfn.exceptions.ExecutionAlreadyExists:
    pass

time.sleep(1.0)
killed_at = time.time()
server.kill()
time.sleep(1.5)
server = Server(command, env)
restarted_at = time.time()
sfn = server.client()

deadline = time.time() + 120
while True:
    statuses = [sfn.describe_execution(executionArn=a)["status"] for a in arns]
    if all(s != "RUNNING" for s in statuses) or time.time() > deadline:
        break
    time.sleep(0.5)

runs = [json.loads(l) for l in open(log)]
resumed = 0
for n, a in enumerate(arns):
    d = sfn.describe_execution(executionArn=a)
    check(d["status"] == "SUCCEEDED", f"{a}: {d['status']} {d.get('error')} {d.get('cause')}")
    name = f"run-{n}"
    expected = {
        "n": n,
        "items": items,
        "one": {"step": "one", "exec": name},
        "fan": [{"step": "branch", "exec": name}, [{"step": "item0"}, {"step": "item1"}]],
        "flaky": {"step": "flaky", "exec": name},
    }
    check(json.loads(d["output"]) == expected, f"{a}: output {d['output']}")
    events = [e for p in sfn.get_paginator("get_execution_history").paginate(executionArn=a, maxResults=7) for e in p["events"]]
    ids = [e["id"] for e in events]
    check(ids == list(range(1, len(ids) + 1)), f"{a}: event ids {ids}")
    for e in events:
        check(e["previousEventId"] < e["id"], f"{a}: event {e['id']} follows {e['previousEventId']}")
    types = [e["type"] for e in events]
    check(types.count("ExecutionStarted") == 1 and types.count("ExecutionSucceeded") == 1, f"{a}: {types}")
    check(types.count("WaitStateEntered") == 4 and types.count("WaitStateExited") == 4, f"{a}: waits {types}")
    check(types.count("MapIterationStarted") == 2 and types.count("MapIterationSucceeded") == 2, f"{a}: map {types}")
    check(types.count("ParallelStateStarted") == 1 and types.count("MapStateStarted") == 1, f"{a}: {types}")
    # Each task's result is in the history once.
    done = [
        json.loads(e["lambdaFunctionSucceededEventDetails"]["output"])["step"]
        for e in events
        if e["type"] == "LambdaFunctionSucceeded"
    ]
    check(sorted(done) == ["branch", "flaky", "item0", "item1", "one"], f"{a}: succeeded tasks {done}")
    # The first Wait keeps the deadline it had when it was entered.
    entered = next(e for e in events if e["type"] == "WaitStateEntered")
    exited = next(e for e in events if e["type"] == "WaitStateExited")
    waited = (exited["timestamp"] - entered["timestamp"]).total_seconds()
    check(waited >= 3.99, f"{a}: the 4 s Wait took {waited:.2f} s")
    # A Wait interrupted by the kill keeps its deadline: it ends at that
    # deadline, or at the restart if the deadline passed meanwhile. One
    # whose deadline were reset at the restart would end 4 s after it.
    start, end = entered["timestamp"].timestamp(), exited["timestamp"].timestamp()
    if start < killed_at < end:
        due = max(start + 4, restarted_at)
        check(end < min(due + 3.0, restarted_at + 3.9), f"{a}: the Wait ended at {end:.2f} (due {due:.2f})")
    # A task that had ended before the kill did not run again.
    for step in ["one", "branch", "item0", "item1", "flaky"]:
        mine = [r for r in runs if r["exec"] == name and r["step"] == step]
        starts = [r for r in mine if r["kind"] == "start"]
        ends = [r for r in mine if r["kind"] == "end"]
        expected_runs = 2 if step == "flaky" else 1
        if len(starts) > expected_runs:
            resumed += 1
            check(len(starts) == expected_runs + 1, f"{name}/{step} ran {len(starts)} times")
            ended_before = [r for r in ends if r["t"] < killed_at - 1.0]
            check(len(ended_before) < expected_runs, f"{name}/{step} had completed before the kill and ran again")

check(server.terminate() == 0, "SIGTERM stops the server with status 0")
print(f"crash test: {N} executions, {resumed} tasks in flight at the kill ran again")
