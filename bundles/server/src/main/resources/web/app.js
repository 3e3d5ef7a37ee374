'use strict';
// The Penwright page: the style catalogue and a playground on the public HTTP API only.

const $ = (id) => document.getElementById(id);
const keyInput = $('apikey');
keyInput.value = localStorage.getItem('penwright.apikey') || '';
keyInput.addEventListener('change', () => { localStorage.setItem('penwright.apikey', keyInput.value); refresh(); });

function headers(json) {
  const h = {};
  if (json) h['Content-Type'] = 'application/json';
  if (keyInput.value) h['X-API-Key'] = keyInput.value;
  return h;
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...headers(!!options.body && !options.raw), ...(options.headers || {}) } });
  const body = response.headers.get('Content-Type')?.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const error = body && body.error ? body.error : { code: 'http_' + response.status, message: String(body) };
    throw Object.assign(new Error(error.message), { code: error.code, status: response.status });
  }
  return body;
}

function text(el, value) { el.textContent = value == null ? '' : String(value); return el; }
function cell(row, value) { text(row.insertCell(), value); }

// Tabs.
document.querySelectorAll('nav a').forEach((a) => a.addEventListener('click', (e) => {
  e.preventDefault();
  document.querySelectorAll('nav a').forEach((x) => x.classList.toggle('active', x === a));
  document.querySelectorAll('main section').forEach((s) => { s.hidden = s.id !== a.dataset.tab; });
}));

async function refresh() {
  try {
    const health = await api('/health');
    text($('health'), `${health.status} · ${health.styles} styles · ${health.engine}`);
  } catch (e) { text($('health'), 'unreachable'); }
  try {
    const { styles } = await api('/v1/styles');
    const body = $('styles').tBodies[0];
    body.replaceChildren();
    for (const s of styles) {
      const row = body.insertRow();
      row.dataset.id = s.id;
      [s.id, s.version, s.name, s.language, s.baseModel, s.state === 'ACTIVE' ? 'active' : 'rejected: ' + s.reason]
        .forEach((v) => cell(row, v));
      if (s.state !== 'ACTIVE') row.classList.add('rejected');
      row.addEventListener('click', () => showStyle(s.id));
    }
    $('no-styles').hidden = styles.length > 0;
    const models = await api('/v1/models');
    const select = $('style');
    const chosen = select.value;
    select.replaceChildren();
    for (const m of models.data) {
      const option = document.createElement('option');
      option.value = m.parent ? m.id : '';
      text(option, m.parent ? `${m.id} (on ${m.parent})` : `${m.id} (base, no style)`);
      select.append(option);
    }
    if (chosen) select.value = chosen;
    const planners = await api('/v1/plan');
    $('planner').replaceChildren(...planners.planners.map((p) => {
      const o = document.createElement('option'); o.value = p; text(o, p); o.selected = p === planners.default; return o;
    }));
  } catch (e) { text($('status'), e.message); }
}

async function showStyle(id) {
  const detail = await api('/v1/styles/' + encodeURIComponent(id));
  $('style-detail').hidden = false;
  text($('detail-title'), `${id} ${detail.entry.version}`);
  text($('detail-description'), detail.style ? detail.style.description : detail.entry.reason);
  text($('detail-style'), JSON.stringify(detail.style || detail.entry, null, 2));
  text($('detail-report'), detail.report ? JSON.stringify(detail.report, null, 2) : 'no report');
}

$('upload').addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = $('packfile').files[0];
  if (!file) return;
  try {
    const result = await api('/v1/styles', { method: 'POST', body: file, raw: true,
      headers: { 'Content-Type': 'application/java-archive' } });
    text($('upload-result'), result.entry ? `${result.entry.id} ${result.entry.version} active` : result.state);
    refresh();
  } catch (err) { text($('upload-result'), `${err.code}: ${err.message}`).className = 'error'; }
});

function material() {
  return { sourceArticle: $('material').value };
}

function showPlan(plan) {
  const box = $('plan');
  box.replaceChildren();
  const h = document.createElement('strong'); text(h, plan.title); box.append(h);
  const p = document.createElement('p'); text(p, plan.summary); box.append(p);
  const ul = document.createElement('ul');
  for (const f of plan.keyFacts) { const li = document.createElement('li'); text(li, f); ul.append(li); }
  box.append(ul);
}

$('plan-button').addEventListener('click', async () => {
  try {
    text($('status'), 'planning…');
    const { plan, millis } = await api('/v1/plan', { method: 'POST',
      body: JSON.stringify({ material: material(), planner: $('planner').value }) });
    showPlan(plan);
    text($('status'), `planned in ${millis} ms`);
  } catch (e) { text($('status'), `${e.code}: ${e.message}`); }
});

$('generate-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const output = $('output');
  output.replaceChildren();
  $('scores').tBodies[0].replaceChildren();
  text($('timings'), '');
  text($('status'), 'writing…');
  const request = {
    style: $('style').value, material: material(), planner: $('planner').value, stream: true,
    bestOf: Number($('best-of').value) || 1,
    options: { maxNewTokens: Number($('max-tokens').value) || undefined, temperature: Number($('temperature').value) },
  };
  try {
    const response = await fetch('/v1/generate', { method: 'POST', headers: headers(true), body: JSON.stringify(request) });
    if (!response.ok) {
      const body = await response.json();
      throw Object.assign(new Error(body.error.message), { code: body.error.code });
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (!data) continue;
        const payload = JSON.parse(data);
        if (event === 'token') output.append(payload.text);
        else if (event === 'result') showResult(payload);
        else if (event === 'error') throw Object.assign(new Error(payload.error.message), { code: payload.error.code });
      }
    }
  } catch (err) {
    text($('status'), `${err.code || 'error'}: ${err.message}`).className = 'error';
  }
});

function showResult(result) {
  text($('output'), result.text);
  showPlan(result.plan);
  const body = $('scores').tBodies[0];
  for (const s of result.scores) {
    const row = body.insertRow();
    row.dataset.score = s.name;
    cell(row, s.name); cell(row, s.value.toFixed(2)); cell(row, s.signature);
  }
  const t = result.timings;
  text($('timings'), `${result.styleRef || 'base model'} · ${result.generatedTokens} tokens · ${t.totalMillis} ms`
    + ` (queued ${t.queuedMillis}, plan ${t.planMillis}, style ${t.styleMillis}, evaluate ${t.evaluateMillis})`);
  const status = $('status');
  status.className = 'muted';
  text(status, 'done');
}

refresh();
