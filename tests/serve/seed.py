"""The seed's flow: a function shaped like the Lambda handler behind API
Gateway starts the product workflow with boto3, polls DescribeExecution
until it ends, and reads the history with boto3's paginator. Errors arrive
as botocore's modelled exceptions.

Usage: seed.py ASLC EXAMPLES_DIR"""
import json, os, sys

from harness import Server, check, finished

aslc, examples = sys.argv[1], sys.argv[2]
server = Server([
    aslc, "serve", os.path.join(examples, "product-processing.json"), "--in-memory",
    "--mock-config", os.path.join(examples, "product-processing.mock.json"), "--test-case", "HappyPath",
])
sfn = server.client()
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:product-processing"


def lambda_handler(event, context):
    """What the seed's Lambda does: start, wait for the end, report."""
    started = sfn.start_execution(stateMachineArn=MACHINE, input=json.dumps(event))
    d = finished(sfn, started["executionArn"])
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=started["executionArn"], maxResults=5)
    events = [e for p in pages for e in p["events"]]
    return {"statusCode": 200, "body": json.dumps({"status": d["status"], "output": json.loads(d["output"]), "events": events}, default=str)}


event = json.load(open(os.path.join(examples, "product-processing.input.json")))
reply = lambda_handler(event, None)
body = json.loads(reply["body"])
check(body["status"] == "SUCCEEDED", body)
check(body["output"] == {
    "requestId": "req-42",
    "processed": 2,
    "results": [
        {"sku": "A-1", "productId": "p-1", "status": "READY"},
        {"sku": "B-2", "productId": "p-2", "status": "READY"},
    ],
}, body["output"])
events = body["events"]
check([e["id"] for e in events] == list(range(1, len(events) + 1)), "the paginator returns every event once, in order")
check(events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionSucceeded", events[-1])
check(any(e["type"] == "WaitStateEntered" for e in events), "the polling loop waited")

# Listing, reverse order and data-free history.
listed = sfn.list_executions(stateMachineArn=MACHINE)["executions"]
check(len(listed) == 1 and listed[0]["status"] == "SUCCEEDED", listed)
arn = listed[0]["executionArn"]
rev = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=1)
check(rev["events"][0]["type"] == "ExecutionSucceeded" and "nextToken" in rev, rev)
bare = sfn.get_execution_history(executionArn=arn, includeExecutionData=False)["events"]
check("input" not in bare[0]["executionStartedEventDetails"], bare[0])
described = sfn.describe_state_machine_for_execution(executionArn=arn)
check(json.loads(described["definition"])["StartAt"] == json.load(open(os.path.join(examples, "product-processing.json")))["StartAt"], described["definition"][:80])

# Modelled errors.
for call, kind in [
    (lambda: sfn.describe_execution(executionArn=arn + "-nope"), sfn.exceptions.ExecutionDoesNotExist),
    (lambda: sfn.describe_execution(executionArn="not-an-arn"), sfn.exceptions.InvalidArn),
    (lambda: sfn.start_execution(stateMachineArn=MACHINE + "x"), sfn.exceptions.StateMachineDoesNotExist),
    (lambda: sfn.start_execution(stateMachineArn=MACHINE, name="has space"), sfn.exceptions.InvalidName),
    (lambda: sfn.start_execution(stateMachineArn=MACHINE, input="{not json"), sfn.exceptions.InvalidExecutionInput),
    (lambda: sfn.list_executions(stateMachineArn=MACHINE, nextToken="bogus"), sfn.exceptions.InvalidToken),
    (lambda: sfn.create_state_machine(name="bad", roleArn="arn:aws:iam::123456789012:role/r",
                                      definition='{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}'),
     sfn.exceptions.InvalidDefinition),
]:
    try:
        call()
        raise AssertionError(f"expected {kind.__name__}")
    except kind as e:
        check(e.response["Error"]["Message"], "every error has a message")

# StopExecution: a long Wait, stopped, ABORTED with its event.
long = sfn.create_state_machine(name="long", roleArn="arn:aws:iam::123456789012:role/r",
                                definition='{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}}')
e = sfn.start_execution(stateMachineArn=long["stateMachineArn"], name="to-stop")
sfn.stop_execution(executionArn=e["executionArn"], error="Halted", cause="by the test")
d = sfn.describe_execution(executionArn=e["executionArn"])
check(d["status"] == "ABORTED" and d["error"] == "Halted" and d["cause"] == "by the test", d)
last = sfn.get_execution_history(executionArn=e["executionArn"], reverseOrder=True)["events"][0]
check(last["type"] == "ExecutionAborted" and last["executionAbortedEventDetails"]["error"] == "Halted", last)

# A Standard execution that never ends fails at AWS's 25,000 history events.
loop = sfn.create_state_machine(name="forever", roleArn="arn:aws:iam::123456789012:role/r",
                                definition=json.dumps({"StartAt": "A", "States": {
                                    "A": {"Type": "Pass", "Next": "Poll"},
                                    "Poll": {"Type": "Choice", "Default": "A",
                                             "Choices": [{"Variable": "$.done", "IsPresent": True, "Next": "Done"}]},
                                    "Done": {"Type": "Succeed"}}}))
e = sfn.start_execution(stateMachineArn=loop["stateMachineArn"])
d = finished(sfn, e["executionArn"])
check(d["status"] == "FAILED" and d["error"] == "States.Runtime", d)
last = sfn.get_execution_history(executionArn=e["executionArn"], reverseOrder=True, maxResults=1)["events"][0]
check(last["type"] == "ExecutionFailed" and last["id"] <= 25000, last)

# Express: StartSyncExecution answers with the result.
ex = sfn.create_state_machine(name="sync", type="EXPRESS", roleArn="arn:aws:iam::123456789012:role/r",
                              definition='{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 7, "End": true}}}')
r = sfn.start_sync_execution(stateMachineArn=ex["stateMachineArn"], input="{}")
check(r["status"] == "SUCCEEDED" and r["output"] == "7", r)
try:
    sfn.start_sync_execution(stateMachineArn=MACHINE)
    raise AssertionError("StartSyncExecution of a Standard machine must be refused")
except sfn.exceptions.StateMachineTypeNotSupported:
    pass

# Versions, aliases and tags.
v1 = sfn.publish_state_machine_version(stateMachineArn=long["stateMachineArn"])["stateMachineVersionArn"]
check(v1.endswith(":long:1"), v1)
alias = sfn.create_state_machine_alias(name="live", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])
check(sfn.describe_state_machine_alias(stateMachineAliasArn=alias["stateMachineAliasArn"])["name"] == "live", alias)
try:
    sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    raise AssertionError("a version an alias routes to cannot be deleted")
except sfn.exceptions.ConflictException:
    pass
sfn.tag_resource(resourceArn=MACHINE, tags=[{"key": "team", "value": "shop"}])
check(sfn.list_tags_for_resource(resourceArn=MACHINE)["tags"] == [{"key": "team", "value": "shop"}], "tags")
act = sfn.create_activity(name="approve")
check(sfn.describe_activity(activityArn=act["activityArn"])["name"] == "approve", act)
valid = sfn.validate_state_machine_definition(definition='{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}')
check(valid["result"] == "OK" and valid["diagnostics"] == [], valid)
check(server.terminate() == 0, "SIGTERM stops the server")
print("seed flow: ok")
