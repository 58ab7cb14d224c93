"""The AWS CLI against the server: list, start, describe.

Usage: awscli.py ASLC EXAMPLES_DIR"""
import json, os, subprocess, sys, time

from harness import Server, check

aslc, examples = sys.argv[1], sys.argv[2]
server = Server([aslc, "serve", os.path.join(examples, "hello.json"), "--in-memory"])
aws = os.path.join(os.path.dirname(sys.executable), "aws")
env = {**os.environ, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
       "AWS_DEFAULT_REGION": "us-east-1", "AWS_DISABLE_HOST_PREFIX_INJECTION": "true"}


def cli(*args):
    out = subprocess.run([aws, "stepfunctions", *args, "--endpoint-url", server.url, "--output", "json"],
                         env=env, capture_output=True, text=True)
    return out.returncode, out.stdout, out.stderr


code, out, err = cli("list-state-machines")
check(code == 0, err)
arn = json.loads(out)["stateMachines"][0]["stateMachineArn"]
code, out, err = cli("start-execution", "--state-machine-arn", arn, "--input", '{"x": 1}')
check(code == 0, err)
execution = json.loads(out)["executionArn"]
for _ in range(50):
    code, out, err = cli("describe-execution", "--execution-arn", execution)
    if json.loads(out)["status"] != "RUNNING":
        break
    time.sleep(0.1)
check(json.loads(out)["output"] == '"Hello World!"', out)
code, out, err = cli("describe-execution", "--execution-arn", execution + "x")
check(code != 0 and "ExecutionDoesNotExist" in err, err)
check(server.terminate() == 0, "SIGTERM stops the server")
print("aws cli: ok")
