"""Callbacks: a `.waitForTaskToken` task waits until a client answers its
token with SendTaskSuccess or SendTaskFailure; SendTaskHeartbeat keeps it
alive, a missed heartbeat times it out, unknown and malformed tokens get
AWS's errors, and a token still works after the server was killed.

Usage: callback.py COMMAND DATA_DIR (COMMAND: the server's command up to its flags, as JSON)"""
import json, subprocess, sys, time

from harness import HERE, Server, check, finished, machine, serve_from

command, server, sfn = serve_from(sys.argv)
MACHINE = machine("callback")


def token_of(arn):
    """The token, as the queue would have received it: from the task's parameters."""
    deadline = time.time() + 10
    while time.time() < deadline:
        events = sfn.get_execution_history(executionArn=arn)["events"]
        if any(e["type"] == "TaskSubmitted" for e in events):
            scheduled = [e for e in events if e["type"] == "TaskScheduled"][-1]
            return json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
        time.sleep(0.05)
    raise AssertionError(f"{arn}: the task never submitted")


def expect(call, kind):
    try:
        call()
    except kind:
        return
    raise AssertionError(f"expected {kind.__name__}")


# Success, after a heartbeat.
e1 = sfn.start_execution(stateMachineArn=MACHINE, input=json.dumps({"who": "ann"}))["executionArn"]
t1 = token_of(e1)
check(sfn.describe_execution(executionArn=e1)["status"] == "RUNNING", "the task waits for its callback")
sfn.send_task_heartbeat(taskToken=t1)
# The answer comes from another process, as from the system the token went to.
answer = f"""
import json, sys
sys.path.insert(0, {HERE!r})
from harness import client
client({server.url!r}).send_task_success(taskToken={t1!r}, output=json.dumps({{"approved": True}}))
"""
check(subprocess.run([sys.executable, "-c", answer]).returncode == 0, "the other process answered")
d = finished(sfn, e1)
check(d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"who": "ann", "approval": {"approved": True}}, d)
types = [e["type"] for e in sfn.get_execution_history(executionArn=e1)["events"]]
check(types[2:7] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited"], types)
expect(lambda: sfn.send_task_success(taskToken=t1, output="{}"), sfn.exceptions.TaskDoesNotExist)
expect(lambda: sfn.send_task_success(taskToken="not-a-token", output="{}"), sfn.exceptions.InvalidToken)

# Failure, caught by the state's Catch.
e2 = sfn.start_execution(stateMachineArn=MACHINE, input=json.dumps({"who": "bob"}))["executionArn"]
t2 = token_of(e2)
check(t2 != t1, "each task has a token of its own")
expect(lambda: sfn.send_task_success(taskToken=t2, output="{not json"), sfn.exceptions.InvalidOutput)
sfn.send_task_failure(taskToken=t2, error="Rejected", cause="not today")
d = finished(sfn, e2)
check(json.loads(d["output"])["rejection"] == {"Error": "Rejected", "Cause": "not today"}, d)

# No heartbeat within HeartbeatSeconds: the task times out, and so does its token.
e3 = sfn.start_execution(stateMachineArn=MACHINE, input=json.dumps({"who": "cy"}))["executionArn"]
t3 = token_of(e3)
d = finished(sfn, e3)
check((d["status"], d.get("error")) == ("FAILED", "States.HeartbeatTimeout"), d)
expect(lambda: sfn.send_task_success(taskToken=t3, output="{}"), sfn.exceptions.TaskTimedOut)

# A token outlives the server: killed while the task waits, restarted, answered.
e4 = sfn.start_execution(stateMachineArn=MACHINE, input=json.dumps({"who": "dee"}))["executionArn"]
t4 = token_of(e4)
server.kill()
server = Server(command)
sfn = server.client()
deadline = time.time() + 10
while True:
    try:
        sfn.send_task_success(taskToken=t4, output=json.dumps({"approved": "later"}))
        break
    except sfn.exceptions.TaskDoesNotExist:
        # The resumed task registers its token again as it restarts.
        check(time.time() < deadline, "the resumed task never waited on its token")
        time.sleep(0.05)
d = finished(sfn, e4)
check(d["status"] == "SUCCEEDED" and json.loads(d["output"])["approval"] == {"approved": "later"}, d)
print("callbacks: success, failure, heartbeat timeout, AWS's errors, a token across a restart")
