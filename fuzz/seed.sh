#!/bin/sh
# Seeds each target's corpus from the project's examples and test cases:
# ./seed.sh, then `cargo +nightly fuzz run TARGET -- -dict=asl.dict`.
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/definition corpus/path corpus/template corpus/intrinsic corpus/jsonata corpus/mock_config corpus/serve_request corpus/execution
cp ../examples/*.json ../tests/fixtures/valid/*.json ../tests/fixtures/invalid/*.json corpus/definition/ 2>/dev/null || true
cp ../examples/*.mock.json ../examples/*.resources.json corpus/mock_config/ 2>/dev/null || true
python3 - <<'PY'
import json, glob, hashlib, re
def put(target, text):
    data = text.encode() if isinstance(text, str) else text
    open("corpus/%s/%s" % (target, hashlib.sha1(data).hexdigest()), "wb").write(data)
for f in glob.glob("../tests/cases/*.json"):
    for case in json.load(open(f)):
        d = case.get("definition", {})
        put("definition", json.dumps(d))
        def walk(v):
            if isinstance(v, dict):
                for k, x in v.items():
                    if isinstance(x, str) and (k.endswith(".$") or k.endswith("Path")):
                        (put("intrinsic", x) if x.startswith("States.") else put("path", x))
                    if isinstance(x, str) and x.startswith("{%"):
                        put("jsonata", x[2:-2].strip())
                    if k in ("Parameters", "ResultSelector", "ItemSelector"):
                        put("template", json.dumps(x))
                    walk(x)
            elif isinstance(v, list):
                for x in v: walk(x)
        walk(d)
# The execution target's definitions, in its order: a byte picks one, the
# rest is its input.
n = 0
for f in ["choice", "errors", "intrinsics", "io-failures", "jsonata", "paths", "states", "tasks"]:
    for case in json.load(open("../tests/cases/%s.json" % f)):
        put("execution", bytes([n % 256]) + json.dumps(case.get("input", {})).encode())
        n += 1
for op in range(15):
    put("serve_request", bytes([op]) + json.dumps({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m", "name": "n", "input": "{}"}).encode())
PY
