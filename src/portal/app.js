// Herald's consumer portal (docs/portal.md): a small page, no framework, that calls the REST face (/v1)
// with a portal session. The link's token arrives in the URL fragment (browsers never send it to a
// server), is removed from the address bar at once and exchanged, once, for a session token that this
// tab keeps in sessionStorage and sends as `Authorization: Bearer` (never a cookie, so no other site can
// make the browser call Herald with it: CSRF has nothing to ride on). Every element is built with DOM
// calls, never from HTML strings, so nothing a receiver answered can run here.

const SESSION_KEY = 'herald-portal-session';
const view = document.getElementById('view');
const statusLine = document.getElementById('status');

/** An element: `h('a', { href: '#/x' }, 'text', child)`; `on…` attributes become listeners. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Number.POSITIVE_INFINITY)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const badge = (text) => h('span', { class: `badge ${text}` }, text);
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const say = (text) => {
  statusLine.textContent = text;
};

function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
  } catch {
    return null;
  }
}

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** A call to the REST face with the session; errors carry Herald's message. */
async function api(method, path, body) {
  const current = session();
  const headers = { accept: 'application/json' };
  if (current) headers.authorization = `Bearer ${current.session_token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!res.ok) {
    if (res.status === 401 && current) {
      sessionStorage.removeItem(SESSION_KEY);
      throw new ApiError(401, { message: 'Your portal session has ended. Open a new link from your platform.' });
    }
    throw new ApiError(res.status, parsed);
  }
  return parsed;
}

function showError(error) {
  const box = h('p', { role: 'alert' }, error.message);
  view.prepend(box);
  box.scrollIntoView({ block: 'nearest' });
}

/** Runs an action from a button: disables it meanwhile, reports failures in place. */
function action(label, run, attrs = {}) {
  const button = h('button', { type: 'button', ...attrs }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await run();
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** The secret, shown once, after create or rotate. */
function secretBox(secret, what) {
  return h(
    'section',
    { class: 'secret', role: 'region', 'aria-label': 'Signing secret' },
    h('p', {}, h('strong', {}, `${what}. `), 'Copy the signing secret now: it is not shown again.'),
    h('code', { id: 'secret' }, secret),
  );
}

// --- pages ---

let eventTypesCache;
async function eventTypes() {
  eventTypesCache ??= (await api('GET', '/v1/event-types')).event_types;
  return eventTypesCache;
}

function eventTypeChoices(selected) {
  return eventTypes().then((types) =>
    h(
      'fieldset',
      {},
      h('legend', { class: 'muted' }, 'Event types'),
      types
        .filter((t) => t.publishable || selected.includes(t.type))
        .map((t) =>
          h(
            'label',
            {},
            h('input', { type: 'checkbox', name: 'event_types', value: t.type, checked: selected.includes(t.type) }),
            ` ${t.type}`,
          ),
        ),
    ),
  );
}

async function webhookForm({ submitLabel, webhook, onSubmit }) {
  const form = h(
    'form',
    { class: 'grid' },
    h('label', { for: 'wh-url' }, 'Endpoint URL'),
    h('input', {
      id: 'wh-url',
      name: 'url',
      type: 'url',
      required: true,
      value: webhook?.url ?? '',
      placeholder: 'https://example.com/webhooks',
    }),
    h('label', { for: 'wh-name' }, 'Description'),
    h('input', { id: 'wh-name', name: 'name', type: 'text', value: webhook?.name ?? '' }),
    h('span', { class: 'muted' }, 'Subscribe to'),
    await eventTypeChoices(webhook?.event_types ?? ['message.received']),
    h('span'),
    h('div', {}, h('button', { type: 'submit', class: 'primary' }, submitLabel)),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    try {
      await onSubmit({ url: String(data.get('url')), name: name || undefined, event_types: data.getAll('event_types').map(String) });
    } catch (error) {
      showError(error);
    }
  });
  return form;
}

async function webhooksPage() {
  const { webhooks } = await api('GET', '/v1/webhooks?limit=100');
  const rows = webhooks.map((w) =>
    h(
      'tr',
      {},
      h('td', {}, h('a', { href: `#/webhooks/${encodeURIComponent(w.id)}` }, w.name ?? w.url), h('div', { class: 'muted' }, w.url)),
      h('td', {}, badge(w.status)),
      h('td', {}, String(w.failure_count)),
      h('td', {}, w.last_error ?? '—'),
      h('td', {}, when(w.last_delivered_at)),
    ),
  );
  const created = h('div');
  const form = await webhookForm({
    submitLabel: 'Add endpoint',
    onSubmit: async (input) => {
      const webhook = await api('POST', '/v1/webhooks', input);
      await render();
      view.prepend(secretBox(webhook.secret, `Endpoint ${webhook.url} added`));
      say('Endpoint added.');
    },
  });
  return [
    h('h1', {}, 'Endpoints'),
    created,
    h(
      'section',
      {},
      webhooks.length === 0
        ? h('p', {}, 'No endpoints yet.')
        : h(
            'table',
            {},
            h('caption', { class: 'muted' }, `${webhooks.length} endpoint(s)`),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Endpoint', 'Status', 'Failures', 'Last error', 'Last delivery'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h('tbody', {}, rows),
          ),
    ),
    h('h2', {}, 'Add an endpoint'),
    h('section', {}, form),
  ];
}

async function attemptsTable(deliveryId) {
  const delivery = await api('GET', `/v1/deliveries/${encodeURIComponent(deliveryId)}`);
  return h(
    'table',
    { class: 'attempts' },
    h('caption', { class: 'muted' }, `Attempts of ${delivery.id}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['#', 'Started', 'Status code', 'Duration', 'Outcome', 'Response', 'Error'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      delivery.attempts.map((a) =>
        h(
          'tr',
          {},
          h('td', {}, String(a.attempt)),
          h('td', {}, when(a.started_at)),
          h('td', {}, a.status_code === null ? '—' : String(a.status_code)),
          h('td', {}, `${a.duration_ms} ms`),
          h('td', {}, badge(a.outcome)),
          h('td', {}, a.response_body ? h('code', {}, a.response_body.slice(0, 200)) : '—'),
          h('td', {}, a.error ?? '—'),
        ),
      ),
    ),
  );
}

async function deliveriesSection(webhookId, statusFilter) {
  const query = new URLSearchParams({ webhook_id: webhookId, limit: '50' });
  if (statusFilter) query.set('status', statusFilter);
  const { deliveries } = await api('GET', `/v1/deliveries?${query}`);
  const filter = h(
    'select',
    {
      id: 'delivery-status',
      onchange: (event) =>
        navigate(`#/webhooks/${encodeURIComponent(webhookId)}${event.target.value ? `?status=${event.target.value}` : ''}`),
    },
    ['', 'pending', 'retrying', 'succeeded', 'failed', 'parked', 'cancelled'].map((s) =>
      h('option', { value: s, selected: s === (statusFilter ?? '') }, s || 'all'),
    ),
  );
  const rows = deliveries.map((d) => {
    const details = h('tr', { hidden: true }, h('td', { colspan: 7 }));
    const row = h(
      'tr',
      { 'data-delivery': d.id },
      h('td', {}, d.event_type),
      h('td', {}, h('code', {}, d.event_id)),
      h('td', {}, badge(d.status)),
      h('td', {}, String(d.attempt_count)),
      h('td', {}, d.last_attempt?.status_code == null ? '—' : String(d.last_attempt.status_code)),
      h('td', {}, when(d.created_at)),
      h(
        'td',
        { class: 'actions' },
        action('Attempts', async () => {
          details.hidden = !details.hidden;
          if (!details.hidden) details.firstChild.replaceChildren(await attemptsTable(d.id));
        }),
        action('Replay', async () => {
          await api('POST', `/v1/deliveries/${encodeURIComponent(d.id)}/replay`);
          say(`Delivery ${d.id} replayed.`);
          await render();
        }),
      ),
    );
    return [row, details];
  });
  return h(
    'section',
    { 'aria-labelledby': 'deliveries-title' },
    h('h2', { id: 'deliveries-title' }, 'Deliveries'),
    h(
      'p',
      {},
      h('label', { for: 'delivery-status' }, 'Status '),
      filter,
      ' ',
      action('Refresh', () => render()),
    ),
    deliveries.length === 0
      ? h('p', {}, 'No deliveries.')
      : h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Event type', 'Event', 'Status', 'Attempts', 'Last code', 'Created', ''].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h('tbody', {}, rows),
        ),
  );
}

function recoverSection(webhookId) {
  const since = h('input', { id: 'recover-since', type: 'datetime-local', required: true });
  since.value = new Date(Date.now() - 24 * 3600_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Recovery progress' });
  const progressText = h('span', { role: 'status' });
  const form = h(
    'form',
    {},
    h('label', { for: 'recover-since' }, 'Replay every failed delivery since '),
    since,
    ' ',
    h('button', { type: 'submit' }, 'Recover'),
    ' ',
    progress,
    ' ',
    progressText,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const started = await api('POST', `/v1/webhooks/${encodeURIComponent(webhookId)}/recover`, {
        since: new Date(since.value).toISOString(),
      });
      progress.hidden = false;
      progress.max = Math.max(started.total, 1);
      for (;;) {
        const s = await api('GET', `/v1/recoveries/${encodeURIComponent(started.recovery_id)}`);
        progress.value = s.done + s.failed;
        progressText.textContent = `${s.done + s.failed} of ${s.total} replayed${s.failed ? ` (${s.failed} could not be)` : ''}${s.finished ? ': done' : ''}`;
        if (s.finished) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    } catch (error) {
      showError(error);
    }
  });
  return h('section', { 'aria-labelledby': 'recover-title' }, h('h2', { id: 'recover-title' }, 'Recover failed deliveries'), form);
}

async function webhookPage(webhookId, statusFilter) {
  const w = await api('GET', `/v1/webhooks/${encodeURIComponent(webhookId)}`);
  const path = `/v1/webhooks/${encodeURIComponent(webhookId)}`;
  const testResult = h('p', { role: 'status' });
  const secretSlot = h('div');
  const edit = await webhookForm({
    submitLabel: 'Save',
    webhook: w,
    onSubmit: async (input) => {
      await api('PATCH', path, { ...input, name: input.name ?? null });
      say('Endpoint saved.');
      await render();
    },
  });
  return [
    h('p', {}, h('a', { href: '#/webhooks' }, '← Endpoints')),
    h('h1', {}, w.name ?? w.url),
    secretSlot,
    h(
      'section',
      {},
      h(
        'table',
        {},
        h(
          'tbody',
          {},
          [
            ['URL', w.url],
            ['Status', badge(w.status)],
            ['Event types', w.event_types.join(', ')],
            ['Consecutive failures', String(w.failure_count)],
            ['Last error', w.last_error ?? '—'],
            ['Last delivery', when(w.last_delivered_at)],
            ['Last failure', when(w.last_failure_at)],
          ].map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v))),
        ),
      ),
      h(
        'div',
        { class: 'actions' },
        w.enabled
          ? action('Disable', async () => {
              await api('POST', `${path}/disable`);
              await render();
            })
          : action('Enable', async () => {
              await api('POST', `${path}/enable`);
              await render();
            }),
        action('Send test event', async () => {
          const r = await api('POST', `${path}/test`, {});
          testResult.textContent = r.success
            ? `Test event delivered: ${r.status_code} in ${r.duration_ms} ms.`
            : `Test event failed: ${r.status_code ?? r.error} (${r.duration_ms} ms).`;
        }),
        action('Rotate secret', async () => {
          const r = await api('POST', `${path}/rotate-secret`, {});
          secretSlot.replaceChildren(secretBox(r.secret, 'Secret rotated; the old one stays valid for 24 hours'));
        }),
        action(
          'Delete',
          async () => {
            if (!window.confirm(`Delete the endpoint ${w.url}?`)) return;
            await api('DELETE', path);
            say('Endpoint deleted.');
            navigate('#/webhooks');
          },
          { class: 'danger' },
        ),
      ),
      testResult,
    ),
    await deliveriesSection(webhookId, statusFilter),
    recoverSection(webhookId),
    h('h2', {}, 'Edit'),
    h('section', {}, edit),
  ];
}

async function eventTypesPage() {
  const types = await eventTypes();
  return [
    h('h1', {}, 'Event catalogue'),
    h('p', { class: 'muted' }, 'Every event type, with the JSON Schema of its fields and, where documented, an example webhook body.'),
    types.map((t) =>
      h(
        'details',
        { class: 'card', 'data-type': t.type },
        h('summary', {}, h('strong', {}, t.type), ' — ', t.description, t.archived ? ' (archived)' : ''),
        t.example
          ? [h('h2', {}, 'Example'), h('pre', { tabindex: 0, 'aria-label': `${t.type} example` }, JSON.stringify(t.example, null, 2))]
          : null,
        h('h2', {}, 'Schema'),
        h('pre', { tabindex: 0, 'aria-label': `${t.type} schema` }, JSON.stringify(t.schema, null, 2)),
      ),
    ),
  ];
}

// --- routing ---

function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

async function render() {
  const current = session();
  if (!current) {
    view.replaceChildren(h('h1', {}, 'Portal'), h('p', {}, 'Open the portal through a link from your platform.'));
    return;
  }
  document.getElementById('account').textContent = `Account ${current.account_id} · session until ${when(current.expires_at)}`;
  const [route, query] = location.hash.replace(/^#/, '').split('?');
  const parts = (route || '/webhooks').split('/').filter(Boolean);
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === parts[0]) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  try {
    let content;
    if (parts[0] === 'event-types') content = await eventTypesPage();
    else if (parts[0] === 'webhooks' && parts[1])
      content = await webhookPage(decodeURIComponent(parts[1]), new URLSearchParams(query).get('status'));
    else content = await webhooksPage();
    view.replaceChildren(...[content].flat(Number.POSITIVE_INFINITY));
  } catch (error) {
    view.replaceChildren(h('p', { role: 'alert' }, error.message));
  }
}

/** The link's token, from the fragment: removed from the address bar first, then exchanged once. */
async function start() {
  const match = /^#token=([\w-]+)$/.exec(location.hash);
  if (match) {
    history.replaceState(null, '', `${location.pathname}#/webhooks`);
    // A new link replaces whatever session this tab had.
    sessionStorage.removeItem(SESSION_KEY);
    try {
      const created = await api('POST', '/v1/portal/sessions', { token: match[1] });
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(created));
    } catch (error) {
      view.replaceChildren(h('h1', {}, 'Portal'), h('p', { role: 'alert' }, error.message));
      return;
    }
  }
  window.addEventListener('hashchange', () => {
    say('');
    render();
  });
  await render();
}

start();
