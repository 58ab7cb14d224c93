"""TestState through boto3: a state of a served machine and a bare state,
with mocks, inspection data, retries and catchers, and AWS's errors. A
built binary has no checker to test states with: it refuses, and says so.

Usage: test_state.py COMMAND DATA_DIR [--refuses] (COMMAND: the server's command up to its flags, as JSON)"""
import json, sys

from harness import check, serve_from

command, server, sfn = serve_from(sys.argv[:3])

if sys.argv[3:] == ["--refuses"]:
    try:
        sfn.test_state(definition=json.dumps({"Type": "Pass", "End": True}))
        raise AssertionError("expected InvalidDefinition")
    except sfn.exceptions.InvalidDefinition as e:
        check("aslc test-state" in str(e), str(e))
    print("test_state: a built binary refuses, naming what tests states")
    sys.exit(0)

machine = {
    "StartAt": "Price",
    "States": {
        "Price": {"Type": "Pass", "Parameters": {"total.$": "States.MathAdd($.a, $.b)"}, "ResultPath": "$.price", "Next": "Charge"},
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge", "Payload.$": "$.price"},
            "ResultSelector": {"id.$": "$.Payload.id"},
            "Retry": [{"ErrorEquals": ["Throttled"], "MaxAttempts": 3, "IntervalSeconds": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Refund"}],
            "End": True,
        },
        "Refund": {"Type": "Succeed"},
    },
}
definition = json.dumps(machine)

r = sfn.test_state(definition=definition, stateName="Price", input=json.dumps({"a": 2, "b": 3}), inspectionLevel="DEBUG")
check(r["status"] == "SUCCEEDED" and r["nextState"] == "Charge", r)
check(json.loads(r["output"]) == {"a": 2, "b": 3, "price": {"total": 5}}, r)
check(json.loads(r["inspectionData"]["afterParameters"]) == {"total": 5}, r)

role = "arn:aws:iam::123456789012:role/test"
price = json.dumps({"price": {"total": 5}})
r = sfn.test_state(definition=definition, stateName="Charge", input=price, roleArn=role, inspectionLevel="TRACE",
                   mock={"result": json.dumps({"Payload": {"id": "ch_1"}, "StatusCode": 200})})
check(r["status"] == "SUCCEEDED" and "nextState" not in r, r)
check(json.loads(r["output"]) == {"id": "ch_1"}, r["output"])
check(json.loads(r["inspectionData"]["afterResultSelector"]) == {"id": "ch_1"}, r)

throttled = {"errorOutput": {"error": "Throttled", "cause": "slow down"}}
r = sfn.test_state(definition=definition, stateName="Charge", input=price, inspectionLevel="DEBUG", mock=throttled,
                   stateConfiguration={"retrierRetryCount": 1})
check(r["status"] == "RETRIABLE" and r["error"] == "Throttled", r)
check(r["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 4}, r)
r = sfn.test_state(definition=definition, stateName="Charge", input=price, mock=throttled,
                   stateConfiguration={"retrierRetryCount": 3})
check(r["status"] == "CAUGHT_ERROR" and r["nextState"] == "Refund", r)
check(json.loads(r["output"])["error"] == {"Error": "Throttled", "Cause": "slow down"}, r)

try:
    sfn.test_state(definition=definition, stateName="Nowhere")
    raise AssertionError("expected ValidationException")
except sfn.exceptions.ValidationException as e:
    check("State not found in definition" in str(e), str(e))
try:
    sfn.test_state(definition=json.dumps({"Type": "Pass", "Resource": "x", "End": True}))
    raise AssertionError("expected InvalidDefinition")
except sfn.exceptions.InvalidDefinition as e:
    check("/States/StateName" in str(e), str(e))
try:
    sfn.test_state(definition=definition, stateName="Charge", inspectionLevel="LOUD")
    raise AssertionError("expected a validation error from the service model")
except sfn.exceptions.ClientError as e:
    check(e.response["Error"]["Code"] == "ValidationException", e.response)
print("test_state: a machine's Pass and Task, mocked, retriable, caught, and refused requests")
