"""RedriveExecution: an execution that failed at a task goes on from that
task once its service works again (the mock answers the second call), the
states before it do not run again, and the history, DescribeExecution and
`$$.Execution.RedriveCount` show the redrive; it survives a restart.

Usage: redrive.py COMMAND DATA_DIR MOCK_CONFIG (COMMAND: the server's command up to its flags, as JSON)"""
import json, sys

from harness import Server, check, finished, machine, serve_from

command, server, sfn = serve_from(sys.argv, "--mock-config", sys.argv[3], "--test-case", "FixedLater")
MACHINE = machine("redrive")

arn = sfn.start_execution(stateMachineArn=MACHINE, name="pay", input="{}")["executionArn"]
d = finished(sfn, arn)
check((d["status"], d.get("error")) == ("FAILED", "PaymentsDown"), d)
check((d["redriveCount"], d["redriveStatus"]) == (0, "REDRIVABLE"), d)

# The server restarts before the redrive: what the redrive needs is stored.
check(server.terminate() == 0, "the server stops cleanly")
server = Server(command)
sfn = server.client()
redriven = sfn.redrive_execution(executionArn=arn)
check("redriveDate" in redriven, redriven)
d = finished(sfn, arn)
check(d["status"] == "SUCCEEDED", d)
check(json.loads(d["output"]) == {"charge": {"charged": 42}, "redrives": 1}, d["output"])
check(d["redriveCount"] == 1 and "redriveDate" in d and d["redriveStatus"] == "NOT_REDRIVABLE", d)
check(d["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven", d)

events = sfn.get_execution_history(executionArn=arn)["events"]
check([e["id"] for e in events] == list(range(1, len(events) + 1)), "event ids go on without a gap")
types = [e["type"] for e in events]
i = types.index("ExecutionRedriven")
check(types[i - 1] == "ExecutionFailed" and types[i + 1] == "TaskStateEntered", types)
check(events[i]["executionRedrivenEventDetails"] == {"redriveCount": 1}, events[i])
check(types.count("PassStateEntered") == 2 and types[-1] == "ExecutionSucceeded", f"Before ran once: {types}")
check(sfn.list_executions(stateMachineArn=MACHINE)["executions"][0]["redriveCount"] == 1, "listed with its count")

try:
    sfn.redrive_execution(executionArn=arn)
    raise AssertionError("expected ExecutionNotRedrivable")
except sfn.exceptions.ExecutionNotRedrivable as e:
    check("SUCCEEDED" in str(e), str(e))

# A Parallel redrives only its branch that failed: the other's task does
# not run again (its mock has one answer only).
arn = sfn.start_execution(stateMachineArn=machine("redrive-parallel"), input="{}")["executionArn"]
d = finished(sfn, arn)
check((d["status"], d.get("error")) == ("FAILED", "PaymentsDown"), d)
sfn.redrive_execution(executionArn=arn)
d = finished(sfn, arn)
check(d["status"] == "SUCCEEDED", d)
check(json.loads(d["output"]) == [{"shipped": True}, {"charged": 42}], d["output"])
events = sfn.get_execution_history(executionArn=arn)["events"]
scheduled = [e for e in events if e["type"] == "LambdaFunctionScheduled"]
check(len(scheduled) == 3, f"Ship once, Bill twice: {[e['type'] for e in events]}")
print("redrive: from the failed task, after a restart, with its event and counts; a Parallel's failed branch only")
