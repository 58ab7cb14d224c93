"""Activities: workers written as AWS's docs show them (GetActivityTask in
a loop, then SendTaskHeartbeat and SendTaskSuccess or SendTaskFailure)
share an activity's tasks, each task going to one of them.

Usage: activity.py COMMAND DATA_DIR (COMMAND: the server's command up to its flags, as JSON)"""
import json, sys, threading

from harness import check, client, finished, machine, serve_from

command, server, sfn = serve_from(sys.argv)
MACHINE = machine("activity")
activity = sfn.create_activity(name="doubler")["activityArn"]
check(activity == "arn:aws:states:us-east-1:123456789012:activity:doubler", activity)
done = []


def worker(name):
    own = client(server.url)
    while True:
        task = own.get_activity_task(activityArn=activity, workerName=name)
        if "taskToken" not in task:
            continue
        n = json.loads(task["input"])["n"]
        done.append(n)
        own.send_task_heartbeat(taskToken=task["taskToken"])
        if n < 0:
            own.send_task_failure(taskToken=task["taskToken"], error="Negative", cause=f"{n} is below zero")
        else:
            own.send_task_success(taskToken=task["taskToken"], output=json.dumps({"n": n * 2, "by": name}))


for name in ["w1", "w2", "w3"]:
    threading.Thread(target=worker, args=(name,), daemon=True).start()

arns = [sfn.start_execution(stateMachineArn=MACHINE, input=json.dumps({"n": n}))["executionArn"] for n in range(8)]
failing = sfn.start_execution(stateMachineArn=MACHINE, input=json.dumps({"n": -1}))["executionArn"]
for n, a in enumerate(arns):
    d = finished(sfn, a)
    check(d["status"] == "SUCCEEDED", d)
    out = json.loads(d["output"])
    check(out["n"] == n * 2 and out["by"] in ("w1", "w2", "w3"), out)
    events = sfn.get_execution_history(executionArn=a)["events"]
    types = [e["type"] for e in events]
    check(types[2:5] == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"], types)
    started = next(e for e in events if e["type"] == "ActivityStarted")
    check(started["activityStartedEventDetails"]["workerName"] == out["by"], started)
d = finished(sfn, failing)
check((d["status"], d.get("error"), d.get("cause")) == ("FAILED", "Negative", "-1 is below zero"), d)
check(sorted(done) == list(range(-1, 8)), f"each task went to one worker: {sorted(done)}")
try:
    sfn.get_activity_task(activityArn=activity + "-nope")
    raise AssertionError("expected ActivityDoesNotExist")
except sfn.exceptions.ActivityDoesNotExist:
    pass
print("activities: 9 tasks shared by 3 workers, each done once, with AWS's events")
