"""Map Runs: a Distributed Map's run is listed, described while it runs and
after, its concurrency changed under it (UpdateMapRun), its child
executions listed, its events in the parent's history, and all of it still
there after a restart.

Usage: maprun.py COMMAND DATA_DIR (COMMAND: the server's command up to its flags, as JSON)"""
import json, sys, time

from harness import Server, check, finished, machine, serve_from

command, server, sfn = serve_from(sys.argv)
MACHINE = machine("maprun")

ok, bad = {"fail": False}, {"fail": True}
items = [ok, ok, bad, ok, ok, ok]
started = sfn.start_execution(stateMachineArn=MACHINE, name="fan", input=json.dumps(items))
arn = started["executionArn"]

deadline = time.time() + 10
while not sfn.list_map_runs(executionArn=arn)["mapRuns"] and time.time() < deadline:
    time.sleep(0.05)
runs = sfn.list_map_runs(executionArn=arn)["mapRuns"]
check(len(runs) == 1, runs)
run = runs[0]
run_arn = run["mapRunArn"]
check(run_arn.startswith("arn:aws:states:us-east-1:123456789012:mapRun:maprun/items:"), run_arn)
check(run["stateMachineArn"] == MACHINE + "/items" and run["executionArn"] == arn, run)

# One child at a time, as MaxConcurrency says.
d = sfn.describe_map_run(mapRunArn=run_arn)
check(d["status"] == "RUNNING" and d["maxConcurrency"] == 1 and d["toleratedFailureCount"] == 1, d)
check(d["itemCounts"]["total"] == 6 and d["itemCounts"]["running"] == 1, d["itemCounts"])
check(d["executionCounts"]["pending"] == 5, d["executionCounts"])

# Then all the others at once.
sfn.update_map_run(mapRunArn=run_arn, maxConcurrency=0)
time.sleep(0.3)
d = sfn.describe_map_run(mapRunArn=run_arn)
check(d["maxConcurrency"] == 0 and d["itemCounts"]["running"] > 1, d)

end = finished(sfn, arn)
check(end["status"] == "SUCCEEDED", end)
check(len(json.loads(end["output"])) == 6, end["output"])
d = sfn.describe_map_run(mapRunArn=run_arn)
check(d["status"] == "SUCCEEDED" and "stopDate" in d, d)
counts = d["itemCounts"]
check((counts["succeeded"], counts["failed"], counts["pending"], counts["running"]) == (5, 1, 0, 0), counts)

children = sfn.list_executions(mapRunArn=run_arn)["executions"]
check(len(children) == 6 and all(c["mapRunArn"] == run_arn and c["itemCount"] == 1 for c in children), children)
failed = sfn.list_executions(mapRunArn=run_arn, statusFilter="FAILED")["executions"]
check(len(failed) == 1, failed)

events = sfn.get_execution_history(executionArn=arn)["events"]
types = [e["type"] for e in events]
check("MapRunStarted" in types and "MapRunSucceeded" in types and "MapIterationStarted" not in types, types)
check(next(e for e in events if e["type"] == "MapRunStarted")["mapRunStartedEventDetails"]["mapRunArn"] == run_arn, events)

# Two failures are one too many: the run fails, and the execution with it.
over = sfn.start_execution(stateMachineArn=MACHINE, input=json.dumps([bad, bad, ok]))
end = finished(sfn, over["executionArn"])
check((end["status"], end.get("error")) == ("FAILED", "States.ExceedToleratedFailureThreshold"), end)
failed_run = sfn.list_map_runs(executionArn=over["executionArn"])["mapRuns"][0]["mapRunArn"]
check(sfn.describe_map_run(mapRunArn=failed_run)["status"] == "FAILED", failed_run)
types = [e["type"] for e in sfn.get_execution_history(executionArn=over["executionArn"])["events"]]
check(types[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"], types)

# AWS's errors.
for call, kind in [
    (lambda: sfn.describe_map_run(mapRunArn=run_arn + "x"), sfn.exceptions.ResourceNotFound),
    (lambda: sfn.update_map_run(mapRunArn=run_arn), sfn.exceptions.ValidationException),
    (lambda: sfn.update_map_run(mapRunArn=run_arn, maxConcurrency=3), sfn.exceptions.ValidationException),
    (lambda: sfn.list_executions(mapRunArn=run_arn + "x"), sfn.exceptions.ResourceNotFound),
]:
    try:
        call()
        raise AssertionError(f"expected {kind.__name__}")
    except kind:
        pass

# A restart keeps every run as the API showed it.
def described(arn):
    d = sfn.describe_map_run(mapRunArn=arn)
    d.pop("ResponseMetadata")
    return d


before = described(run_arn)
check(server.terminate() == 0, "the server stops cleanly")
server = Server(command)
sfn = server.client()
check(described(run_arn) == before, "the run after a restart")
check(len(sfn.list_executions(mapRunArn=run_arn)["executions"]) == 6, "children after a restart")
check(sfn.list_map_runs(executionArn=arn)["mapRuns"][0]["mapRunArn"] == run_arn, "listed after a restart")
print("map runs: listed, described, updated, children listed, kept across a restart")
