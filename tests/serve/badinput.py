"""Bad input over raw HTTP: AWS-shaped errors, and the server keeps
serving. Usage: badinput.py ASLC EXAMPLES_DIR DATA_DIR"""
import json, os, subprocess, sys, urllib.request

from harness import Server, check

aslc, examples, data = sys.argv[1], sys.argv[2], sys.argv[3]
server = Server([aslc, "serve", os.path.join(examples, "hello.json"), "--data", data])


def post(body, target="AWSStepFunctions.ListStateMachines", headers=None):
    req = urllib.request.Request(server.url, data=body, method="POST", headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target, **(headers or {})})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read()), r.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), e.headers


status, body, headers = post(b"{}")
check(status == 200 and headers["x-amzn-RequestId"], (status, body))
for payload, target, kind in [
    (b"not json", "AWSStepFunctions.ListStateMachines", "SerializationException"),
    (b"[1, 2]", "AWSStepFunctions.ListStateMachines", "SerializationException"),
    (b"{}", "AWSStepFunctions.NoSuchThing", "UnknownOperationException"),
    (b"{}", "", "UnknownOperationException"),
    (b"{}", "AWSStepFunctions.StartExecution", "ValidationException"),
    (json.dumps({"stateMachineArn": 5}).encode(), "AWSStepFunctions.StartExecution", "SerializationException"),
    (json.dumps({"name": "x" * 81, "definition": "{}", "roleArn": "r"}).encode(), "AWSStepFunctions.CreateStateMachine", "ValidationException"),
    (json.dumps({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:activity:a"}).encode(), "AWSStepFunctions.DescribeStateMachine", "InvalidArn"),
    (json.dumps({"name": "a/b", "definition": "{}", "roleArn": "arn:aws:iam::123456789012:role/r"}).encode(), "AWSStepFunctions.CreateStateMachine", "InvalidName"),
    (json.dumps({"name": "m", "definition": "{\"StartAt\": 1}", "roleArn": "arn:aws:iam::123456789012:role/r"}).encode(), "AWSStepFunctions.CreateStateMachine", "InvalidDefinition"),
    (json.dumps({"maxResults": 5000}).encode(), "AWSStepFunctions.ListStateMachines", "ValidationException"),
]:
    status, body, _ = post(payload, target)
    check(status == 400 and body["__type"] == kind and body["message"], (payload, target, status, body))
status, body, _ = post(b" " * (5 << 20))
check(status == 413 and body["__type"] == "RequestEntityTooLargeException", (status, body))
# The server still serves, and nothing stored was lost.
status, body, _ = post(b"{}")
check(status == 200 and body["stateMachines"][0]["name"] == "hello", body)
check(server.terminate() == 0, "SIGTERM stops the server")

# A data folder that cannot be created is a clear start-up error.
blocker = os.path.join(data, "a-file")
open(blocker, "w").close()
r = subprocess.run([aslc, "serve", "--data", os.path.join(blocker, "sub"), "--port", "0"], capture_output=True, text=True, timeout=30)
check(r.returncode == 2 and "cannot create the data folder" in r.stderr, r.stderr)
print("bad input: ok")
