"""A task handler that logs each run to $ASLC_TEST_LOG: a `start` line, a
short piece of work, an `end` line. With --fail-first, the first run for
an execution fails with the error `Flaky`."""
import json, os, sys, time

task = json.load(sys.stdin)
log = os.environ["ASLC_TEST_LOG"]


def line(kind):
    with open(log, "a") as f:
        f.write(json.dumps({"kind": kind, "exec": task["exec"], "step": task["step"], "t": time.time()}) + "\n")


line("start")
time.sleep(0.3)
if "--fail-first" in sys.argv:
    marker = os.path.join(os.path.dirname(log), "failed-" + task["exec"])
    if not os.path.exists(marker):
        open(marker, "w").close()
        line("end")
        print(json.dumps({"Error": "Flaky", "Cause": "first run"}))
        sys.exit(1)
line("end")
print(json.dumps({"step": task["step"], "exec": task["exec"]}))
