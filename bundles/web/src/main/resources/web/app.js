// The Penwright console: a build-free ES module that talks only to the public HTTP API (/v1, /health) and to the
// reports folder next to this page (reports/). No framework and no CDN: the runtime may have no internet.

const $ = (selector) => document.querySelector(selector);

/** An API error, as the server reports it: {"error": {"code", "message"}} and the HTTP status. */
class ApiProblem extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

// What an administrator can do about the errors a fresh installation meets most.
const HINTS = {
  no_styler: 'No styler is running: install a base model under models/ (see ./penwright models).',
  no_model: 'No base model is installed under models/.',
  no_pipeline: 'The generation pipeline bundle is not running.',
  style_not_found: 'Pick a style that the catalogue lists as ACTIVE.',
  queue_full: 'The server is busy; try again shortly.',
  unauthorized: 'Enter a valid API key at the top right.',
  api_keys_not_configured: 'This server needs API keys; set apiKeys in etc/dev.penwright.server.cfg.',
};

function headers(json) {
  const h = {};
  const key = $('#api-key').value.trim();
  if (key) h['X-API-Key'] = key;
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

async function problemOf(response) {
  let code = 'http_' + response.status;
  let message = response.statusText || 'request failed';
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch (notJson) {
    // Keep the status line.
  }
  return new ApiProblem(response.status, code, message, response.headers.get('Retry-After'));
}

async function api(path, body, signal) {
  const init = body === undefined ? { headers: headers(false), signal }
    : { method: 'POST', headers: headers(true), body: JSON.stringify(body), signal };
  const response = await fetch(path, init);
  if (!response.ok) throw await problemOf(response);
  return response.json();
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function showProblem(target, error) {
  target.replaceChildren();
  target.hidden = false;
  if (error instanceof ApiProblem) {
    target.append(el('strong', {}, `HTTP ${error.status} `), el('code', {}, error.code), ': ' + error.message);
    if (error.retryAfter) target.append(` (retry after ${error.retryAfter} s)`);
    if (HINTS[error.code]) target.append(el('div', { className: 'hint' }, HINTS[error.code]));
    target.dataset.code = error.code;
    target.dataset.status = String(error.status);
  } else {
    target.append(el('strong', {}, 'Error: '), String(error && error.message ? error.message : error));
    target.dataset.code = 'client_error';
    target.dataset.status = '0';
  }
}

// ---- tabs and health ----

function selectTab(name) {
  for (const b of document.querySelectorAll('nav button')) b.classList.toggle('active', b.dataset.tab === name);
  for (const s of document.querySelectorAll('section.tab')) s.hidden = s.id !== name;
  if (name === 'reports') loadReports();
}

async function loadHealth() {
  const target = $('#health');
  try {
    const h = await api('/health');
    const parts = [h.status || 'ok'];
    if (h.styles !== undefined) parts.push(`styles: ${h.styles}`);
    if (h.rejected) parts.push(`rejected: ${h.rejected}`);
    if (h.uptimeMillis !== undefined) parts.push(`up ${duration(h.uptimeMillis)}`);
    if (h.engine) parts.push(h.engine);
    target.textContent = parts.join(' · ');
    target.className = 'health ok';
  } catch (e) {
    target.textContent = e instanceof ApiProblem ? `${e.status} ${e.code}` : 'server unreachable';
    target.className = 'health bad';
  }
}

/** A duration for people: "42 s", "12 min", "3 h 5 min", "2 d 4 h". */
function duration(millis) {
  const s = Math.floor(millis / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

// ---- catalogue ----

let entries = [];

async function loadStyles() {
  const body = $('#styles tbody');
  try {
    entries = (await api('/v1/styles')).styles || [];
  } catch (e) {
    body.replaceChildren(el('tr', {}, el('td', { colSpan: 6, className: 'reason' }, `${e.code || ''} ${e.message}`)));
    return;
  }
  body.replaceChildren(...entries.map((s) => el('tr', { dataset: { id: s.id, state: s.state } },
    el('td', {}, s.name && s.name !== s.id ? `${s.id} (${s.name})` : s.id),
    el('td', { className: 'state-' + s.state }, s.state),
    el('td', {}, s.version || ''),
    el('td', {}, s.language || ''),
    el('td', {}, s.baseModel || ''),
    el('td', { className: 'reason' }, s.reason || ''))));
  $('#styles-empty').hidden = entries.length > 0;
  for (const row of body.rows) row.addEventListener('click', () => showStyle(row.dataset.id));
  const select = $('#style');
  const chosen = select.value;
  select.replaceChildren(...entries.filter((s) => s.state === 'ACTIVE')
    .map((s) => el('option', { value: s.id }, `${s.id} ${s.version || ''}`)));
  if (chosen) select.value = chosen;
}

/** A JSON value as nested definition lists, so that any report shape stays readable. */
function renderValue(value) {
  if (value === null || value === undefined) return el('span', { className: 'muted' }, '—');
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return document.createTextNode(value.join(', '));
    return el('pre', {}, JSON.stringify(value, null, 2));
  }
  if (typeof value === 'object') {
    const dl = el('dl');
    for (const [k, v] of Object.entries(value)) dl.append(el('dt', {}, k), el('dd', {}, renderValue(v)));
    return dl;
  }
  if (typeof value === 'number' && !Number.isInteger(value)) return document.createTextNode(value.toFixed(4));
  return document.createTextNode(String(value));
}

async function showStyle(id) {
  for (const row of $('#styles tbody').rows) row.classList.toggle('selected', row.dataset.id === id);
  const aside = $('#detail');
  aside.hidden = false;
  $('#detail-title').textContent = id;
  const facts = $('#detail-facts');
  const report = $('#detail-report');
  facts.replaceChildren();
  report.replaceChildren(el('span', { className: 'muted' }, 'loading…'));
  try {
    const detail = await api('/v1/styles/' + encodeURIComponent(id));
    const entry = detail.entry || {};
    const style = detail.style || {};
    const rows = [['State', entry.state], ['Version', entry.version], ['Language', entry.language],
      ['Base model', entry.baseModel], ['Reason', entry.reason], ['Since', entry.since], ['Source', entry.source],
      ['Description', style.description], ['License', style.license], ['Provenance', style.provenance]];
    for (const [k, v] of rows) if (v) facts.append(el('dt', {}, k), el('dd', {}, String(v)));
    report.replaceChildren(detail.report ? renderValue(detail.report)
      : el('span', { className: 'muted' }, entry.state === 'REJECTED' ? 'Rejected: ' + (entry.reason || '')
        : 'This pack has no report.json.'));
  } catch (e) {
    report.replaceChildren();
    showProblem(report, e);
    report.hidden = false;
  }
}

// ---- playground ----

let plan = null;
let running = null;

function material() {
  const facts = $('#facts').value.split('\n').map((f) => f.trim()).filter((f) => f);
  return { brief: $('#brief').value.trim(), facts, sourceArticle: $('#source').value.trim(),
    language: $('#language').value.trim() };
}

function setStatus(text, error) {
  const s = $('#status');
  s.textContent = text;
  s.className = error ? 'status error' : 'status';
}

async function loadPlanners() {
  try {
    const p = await api('/v1/plan');
    $('#planner').replaceChildren(...(p.planners || []).map((id) => el('option', { value: id }, id)));
    if (p.default && (p.planners || []).includes(p.default)) $('#planner').value = p.default;
  } catch (e) {
    $('#planner').replaceChildren(el('option', { value: '' }, 'default'));
  }
}

function showPlan(p, millis) {
  const target = $('#plan');
  target.className = '';
  target.replaceChildren(
    el('h3', {}, p.title || '(untitled)'),
    p.summary ? el('p', {}, p.summary) : null,
    el('ol', {}, ...(p.keyFacts || []).map((f) => el('li', {}, f))),
    p.neutralDraft ? el('details', {}, el('summary', {}, 'Neutral draft'), el('p', {}, p.neutralDraft)) : null,
    el('p', { className: 'muted' }, `planner ${p.plannerId || '?'}${millis !== undefined ? `, ${millis} ms` : ''}`));
}

async function makePlan() {
  $('#problem').hidden = true;
  const m = material();
  setStatus('planning…');
  try {
    const answer = await api('/v1/plan', { material: m, planner: $('#planner').value || undefined });
    plan = answer.plan;
    plan.__material = JSON.stringify(m);
    showPlan(plan, answer.millis);
    setStatus('planned');
  } catch (e) {
    showProblem($('#problem'), e);
    setStatus('error', true);
  }
}

/** Server-sent events from a fetch response body: calls onEvent(name, data) for each complete event. */
async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let name = 'message';
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = val;
        else if (field === 'data') data.push(val);
      }
      if (data.length) onEvent(name, JSON.parse(data.join('\n')));
    }
  }
}

function showResult(result) {
  const rows = (result.scores || []).map((s) => el('tr', { dataset: { score: s.name } },
    el('th', {}, s.name), el('td', { className: 'value' }, String(Number(Number(s.value).toFixed(3)))),
    el('td', { className: 'signature', title: s.signature || '' }, s.signature || '')));
  $('#scores tbody').replaceChildren(...rows);
  const t = result.timings || {};
  $('#timings').textContent = `${result.styleRef || ''} on ${result.modelId || '?'}: ${result.generatedTokens} tokens`
    + ` (${result.finishReason || 'done'}); plan ${t.planMillis ?? '?'} ms, style ${t.styleMillis ?? '?'} ms,`
    + ` evaluate ${t.evaluateMillis ?? '?'} ms, total ${t.totalMillis ?? '?'} ms`;
  if (result.text && !$('#output').textContent) $('#output').textContent = result.text;
  if (result.plan && !plan) showPlan(result.plan);
}

async function generate() {
  $('#problem').hidden = true;
  const output = $('#output');
  output.textContent = '';
  $('#scores tbody').replaceChildren();
  $('#timings').textContent = '';
  const m = material();
  const request = { style: $('#style').value, stream: true,
    options: { maxNewTokens: Number($('#max-tokens').value), temperature: Number($('#temperature').value) } };
  // A plan made from this very material is reused; otherwise the server plans.
  if (plan && plan.__material === JSON.stringify(m)) {
    const { __material, ...ready } = plan;
    request.plan = ready;
  } else {
    request.material = m;
    if ($('#planner').value) request.planner = $('#planner').value;
  }
  running = new AbortController();
  $('#stop-button').disabled = false;
  $('#generate-button').disabled = true;
  output.classList.add('writing');
  setStatus('writing…');
  let finished = false;
  try {
    const response = await fetch('/v1/generate', { method: 'POST', headers: headers(true),
      body: JSON.stringify(request), signal: running.signal });
    if (!response.ok) throw await problemOf(response);
    if (!(response.headers.get('Content-Type') || '').startsWith('text/event-stream')) {
      showResult(await response.json());
      finished = true;
    } else {
      await readEvents(response, (name, data) => {
        if (name === 'token') output.textContent += data.text;
        else if (name === 'result') { showResult(data); finished = true; }
        else if (name === 'error') {
          const e = data.error || {};
          throw new ApiProblem(response.status, e.code || 'error', e.message || 'generation failed');
        }
      });
    }
    if (!finished) throw new Error('the stream ended without a result');
    setStatus('done');
  } catch (e) {
    if (e.name === 'AbortError') setStatus('stopped');
    else { showProblem($('#problem'), e); setStatus('error', true); }
  } finally {
    output.classList.remove('writing');
    $('#stop-button').disabled = true;
    $('#generate-button').disabled = false;
    running = null;
  }
}

// ---- benchmark reports ----

async function loadReports() {
  const list = $('#report-list');
  let answer;
  try {
    answer = await api('reports/');
  } catch (e) {
    showProblem($('#reports-dir'), e);
    return;
  }
  $('#reports-dir').textContent = answer.exists ? `Reports in ${answer.dir}`
    : `No reports yet: ${answer.dir} does not exist. Write some with ./penwright bench notes --out ${answer.dir}`;
  // One report a folder: its HTML pages, then its charts.
  const groups = new Map();
  for (const f of answer.files) {
    const folder = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '.';
    if (!groups.has(folder)) groups.set(folder, []);
    groups.get(folder).push(f);
  }
  const items = [];
  for (const [folder, files] of groups) {
    const shown = files.filter((f) => ['html', 'htm', 'png', 'svg', 'md', 'txt', 'csv', 'json'].includes(f.kind))
      .sort((a, b) => (a.kind === 'html' ? 0 : 1) - (b.kind === 'html' ? 0 : 1) || a.path.localeCompare(b.path));
    items.push(el('li', { dataset: { folder } }, el('strong', {}, folder === '.' ? answer.dir : folder),
      el('ul', {}, ...shown.map((f) => el('li', {}, el('a', { dataset: { path: f.path, kind: f.kind },
        onclick: () => showReport(f) }, f.path.slice(folder === '.' ? 0 : folder.length + 1)),
      el('span', { className: 'muted' }, ` ${f.kind}, ${Math.max(1, Math.round(f.bytes / 1024))} KiB, `
        + new Date(f.modified).toLocaleString()))))));
  }
  list.replaceChildren(...items);
  if (!answer.files.length) list.replaceChildren(el('li', { className: 'muted' }, 'No report files.'));
}

function reportUrl(path) {
  return 'reports/' + path.split('/').map(encodeURIComponent).join('/');
}

async function showReport(f) {
  const view = $('#report-view');
  const url = reportUrl(f.path);
  if (f.kind === 'html' || f.kind === 'htm') {
    view.replaceChildren(el('iframe', { src: url, title: f.path, sandbox: 'allow-scripts' }));
  } else if (f.kind === 'png' || f.kind === 'svg') {
    view.replaceChildren(el('img', { src: url, alt: f.path }));
  } else {
    const response = await fetch(url, { headers: headers(false) });
    view.replaceChildren(el('pre', {}, response.ok ? await response.text() : `HTTP ${response.status}`));
  }
  view.dataset.shown = f.path;
}

// ---- wiring ----

document.addEventListener('DOMContentLoaded', () => {
  const key = $('#api-key');
  key.value = sessionStorage.getItem('penwright.apiKey') || '';
  key.addEventListener('change', () => {
    sessionStorage.setItem('penwright.apiKey', key.value.trim());
    loadHealth(); loadStyles(); loadPlanners();
  });
  for (const b of document.querySelectorAll('nav button')) b.addEventListener('click', () => selectTab(b.dataset.tab));
  $('#refresh-styles').addEventListener('click', loadStyles);
  $('#refresh-reports').addEventListener('click', loadReports);
  $('#plan-button').addEventListener('click', makePlan);
  $('#generate-button').addEventListener('click', generate);
  $('#stop-button').addEventListener('click', () => running && running.abort());
  const wanted = location.hash.slice(1);
  if (['catalogue', 'playground', 'reports'].includes(wanted)) selectTab(wanted);
  loadHealth();
  loadStyles();
  loadPlanners();
});
