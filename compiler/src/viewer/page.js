// The execution viewer: selecting a state (a click on the graph or on an
// event, or `#state=NAME` in the address) shows each of its runs.
const data = JSON.parse(document.getElementById('run-data').textContent);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function json(v) {
  return v === undefined ? 'undefined' : JSON.stringify(v, null, 2);
}

function show(name) {
  const details = document.getElementById('details');
  details.replaceChildren();
  details.dataset.state = name;
  details.append(el('h2', 'name', name));
  const runs = data.states[name] || [];
  if (runs.length === 0) details.append(el('p', 'not-reached', 'Not reached.'));
  runs.forEach((run, i) => {
    const section = el('section', 'run');
    section.dataset.status = run.status;
    section.append(el('h3', null, 'Run ' + (i + 1) + ': ' + run.status));
    if (run.attempts > 1) section.append(el('p', 'retries', (run.attempts - 1) + ' retr' + (run.attempts > 2 ? 'ies' : 'y')));
    const errors = run.errors.slice();
    // A state that failed the execution without an error event of its own.
    if (run.status === 'failed' && errors.length === 0 && data.error) errors.push({ error: data.error, cause: data.cause });
    if (errors.length > 0) {
      const list = el('ul', 'errors');
      errors.forEach(e => list.append(el('li', 'error', e.error + (e.cause ? ': ' + e.cause : ''))));
      section.append(list);
    }
    for (const part of ['input', 'parameters', 'output']) {
      if (run[part] === undefined) continue;
      section.append(el('h4', null, part));
      section.append(el('pre', part, json(run[part])));
    }
    details.append(section);
  });
  document.querySelectorAll('g.state').forEach(g => g.classList.toggle('selected', g.dataset.state === name));
  document.querySelectorAll('#events tr[data-state]').forEach(tr => tr.classList.toggle('selected', tr.dataset.state === name));
  history.replaceState(null, '', '#state=' + encodeURIComponent(name));
}

document.querySelectorAll('g.state').forEach(g => g.addEventListener('click', () => show(g.dataset.state)));
document.querySelectorAll('#events tr[data-state]').forEach(tr => tr.addEventListener('click', () => show(tr.dataset.state)));
const asked = location.hash.match(/^#state=(.*)$/);
const failed = Object.keys(data.states).find(n => data.states[n].some(r => r.status === 'failed'));
if (asked) show(decodeURIComponent(asked[1]));
else if (failed) show(failed);
