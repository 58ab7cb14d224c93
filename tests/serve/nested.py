"""Nested executions: a parent starts a child machine of the same server
with `states:startExecution` (`.sync:2`, `.sync`, and fire-and-forget),
gets AWS's shapes back, fails with the child's description when the child
fails, and stops its child when it is stopped.

Usage: nested.py COMMAND DATA_DIR EXPRESS_PARENT (COMMAND: the server's command up to its flags, as JSON)"""
import json, sys, time

from harness import check, finished, machine, serve_from

command, server, sfn = serve_from(sys.argv)
PARENT, CHILD = machine("parent"), machine("child")

run = sfn.start_execution(stateMachineArn=PARENT, input=json.dumps({"target": CHILD, "n": 3}))["executionArn"]
d = finished(sfn, run)
check(d["status"] == "SUCCEEDED", d)
out = json.loads(d["output"])
j = out["json"]
check(j["Status"] == "SUCCEEDED" and j["Output"] == {"doubled": 6} and j["OutputDetails"] == {"Included": True}, j)
check(j["Input"]["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"] == run and j["StateMachineArn"] == CHILD, j)
check(isinstance(j["StartDate"], int) and j["StopDate"] >= j["StartDate"], j)
t = out["text"]
check(t["Output"] == json.dumps({"doubled": 12}, separators=(",", ":")) and isinstance(t["Input"], str), t)
check(out["fire"]["ExecutionArn"] == "arn:aws:states:us-east-1:123456789012:execution:child:fired", out["fire"])
check(finished(sfn, out["fire"]["ExecutionArn"])["status"] == "SUCCEEDED", "the fired child ran")
children = sfn.list_executions(stateMachineArn=CHILD)["executions"]
check(len(children) == 3, children)

# A child that fails fails the task, with the child's description as cause.
failed = sfn.start_execution(stateMachineArn=PARENT, input=json.dumps({"target": CHILD, "n": -1}))["executionArn"]
d = finished(sfn, failed)
check((d["status"], d.get("error")) == ("FAILED", "States.TaskFailed"), d)
cause = json.loads(d["cause"])
check((cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "Negative", "below zero"), cause)
check(list(cause) == sorted(cause), f"the description's keys are in AWS's order: {list(cause)}")

# A machine that does not exist: the SDK's error.
missing = sfn.start_execution(stateMachineArn=PARENT, input=json.dumps({"target": CHILD + "-nope", "n": 1}))["executionArn"]
d = finished(sfn, missing)
check(d.get("error") == "StepFunctions.StateMachineDoesNotExistException", d)
check(d["cause"].startswith(f"State Machine Does Not Exist: '{CHILD}-nope' (Service: AWSStepFunctions;"), d["cause"])

# Stopping the parent stops the child it waits for.
waiting = sfn.start_execution(stateMachineArn=PARENT, input=json.dumps({"target": CHILD, "n": 99}))["executionArn"]
deadline = time.time() + 10
while True:
    running = sfn.list_executions(stateMachineArn=CHILD, statusFilter="RUNNING")["executions"]
    if running or time.time() > deadline:
        break
    time.sleep(0.05)
check(len(running) == 1, running)
sfn.stop_execution(executionArn=waiting)
check(finished(sfn, running[0]["executionArn"])["status"] == "ABORTED", "the child is stopped with its parent")
# An Express machine (StartSyncExecution) may start a Standard one.
definition = open(sys.argv[3]).read()
express = sfn.create_state_machine(name="handover", definition=definition, type="EXPRESS",
                                   roleArn="arn:aws:iam::123456789012:role/aslc")["stateMachineArn"]
r = sfn.start_sync_execution(stateMachineArn=express, input=json.dumps({"n": 5}))
check(r["status"] == "SUCCEEDED", r)
handed = json.loads(r["output"])["ExecutionArn"]
check(json.loads(finished(sfn, handed)["output"]) == {"doubled": 10}, "the Standard child ran")
print("nested executions: .sync:2, .sync, fire-and-forget, a failing child, a missing machine, a stopped parent")
