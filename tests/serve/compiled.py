"""A built binary's `serve`: its machines exist at start and run with
their compiled code; CreateStateMachine takes a definition the binary
contains (whatever its spacing and key order) and refuses any other.

Usage: compiled.py BUNDLE EXAMPLES_DIR"""
import json, os, sys

from harness import Server, check, finished

bundle, examples = sys.argv[1], sys.argv[2]
server = Server([bundle, "serve", "--in-memory"])
sfn = server.client()
names = sorted(m["name"] for m in sfn.list_state_machines()["stateMachines"])
check(names == ["durable", "hello"], names)
hello = json.load(open(os.path.join(examples, "hello.json")))
role = "arn:aws:iam::123456789012:role/r"
# The same definition, written differently: accepted, run as compiled.
copy = sfn.create_state_machine(name="hello-again", roleArn=role, definition=json.dumps(hello, indent=4, sort_keys=True))
e = sfn.start_execution(stateMachineArn=copy["stateMachineArn"])
d = finished(sfn, e["executionArn"])
check(d["status"] == "SUCCEEDED" and d["output"] == '"Hello World!"', d)
try:
    sfn.create_state_machine(name="other", roleArn=role,
                             definition='{"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}')
    raise AssertionError("a definition the binary does not contain must be refused")
except sfn.exceptions.InvalidDefinition as err:
    check("compiled into it" in str(err), str(err))
check(server.terminate() == 0, "SIGTERM stops the server")
print("compiled serve: ok")
