// Runs a workload through aws-local-stepfunctions, the reference column of
// benches/compare: Task states replay the same mock configuration, Wait
// states and retry intervals take no time (as --fast-forward does for aslc).
// Usage: node node-runner.mjs MODULE_DIR DEFINITION INPUT_JSON [MOCK TEST_CASE]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [moduleDir, defPath, inputText, mockPath, testCase] = process.argv.slice(2);
const require = createRequire(moduleDir + '/');
const { StateMachine } = require('aws-local-stepfunctions');
const definition = JSON.parse(readFileSync(defPath, 'utf8'));

const waits = {}, retries = {}, tasks = {};
(function walk(states) {
  for (const [name, s] of Object.entries(states)) {
    if (s.Type === 'Wait') waits[name] = 0;
    if (s.Retry) retries[name] = 0;
    if (s.Type === 'Task') tasks[name] = s.Resource;
    for (const b of s.Branches || []) walk(b.States);
    const p = s.ItemProcessor || s.Iterator;
    if (p) walk(p.States);
  }
})(definition.States);

const handlers = {};
if (mockPath) {
  const mock = JSON.parse(readFileSync(mockPath, 'utf8'));
  const machine = Object.values(mock.StateMachines)[0];
  const mapping = machine.TestCases[testCase];
  for (const [state, responseName] of Object.entries(mapping)) {
    const entries = Object.entries(mock.MockedResponses[responseName]).map(([k, v]) => {
      const [lo, hi] = k.split('-').map(Number);
      return [lo, hi ?? lo, v];
    });
    let calls = 0;
    const legacy = /^arn:aws:lambda:/.test(tasks[state] || '');
    handlers[state] = async () => {
      const n = calls++;
      const hit = entries.find(([lo, hi]) => n >= lo && n <= hi);
      if (!hit) throw new Error(`no mocked response ${n} for ${state}`);
      const r = hit[2];
      if (r.Throw) {
        const e = new Error(r.Throw.Cause ?? '');
        e.name = r.Throw.Error ?? 'Error';
        throw e;
      }
      return legacy && r.Return && 'Payload' in r.Return ? r.Return.Payload : r.Return;
    };
  }
}

const sm = new StateMachine(definition, { validationOptions: { checkArn: false, checkPaths: false } });
const execution = sm.run(JSON.parse(inputText), {
  overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: waits, retryIntervalOverrides: retries },
});
console.log(JSON.stringify(await execution.result));
// The result is in; stray work the library left running does not count.
process.exit(0);
