// The page talks only to the public API, like any other client. Everything
// it shows goes through textContent or DOM properties, never innerHTML, so a
// message is always text; the CSP (require-trusted-types-for 'script') would
// refuse an HTML sink anyway.

const MAX_LENGTH = 1000 // NewMessage.content maxLength in the OpenAPI document
const PAGE_SIZE = 20

const byId = (id) => document.getElementById(id)
const ui = {
  visits: byId('visits'),
  health: { postgres: byId('health-postgres'), redis: byId('health-redis') },
  degraded: byId('degraded'),
  form: byId('post-form'),
  field: byId('content'),
  count: byId('content-count'),
  fieldError: byId('content-error'),
  postStatus: byId('post-status'),
  list: byId('messages'),
  listSource: byId('list-source'),
  listEmpty: byId('list-empty'),
  listError: byId('list-error'),
  more: byId('more'),
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const numberFormat = new Intl.NumberFormat()

/** One API call; HTTP and network failures come back as values, not exceptions. */
async function call(method, url, body) {
  try {
    const response = await fetch(url, {
      method,
      // Every write is JSON, body or not: the API refuses anything else (415).
      headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const isJson = /json/.test(response.headers.get('content-type') ?? '')
    const data = isJson ? await response.json() : null
    return { ok: response.ok, status: response.status, data, headers: response.headers }
  } catch {
    return { ok: false, status: 0, data: null, headers: new Headers() }
  }
}

/** What went wrong, in the server's words when it sent problem details. */
function describeFailure(result) {
  if (result.status === 0) return 'the server could not be reached'
  return result.data?.detail ?? `the server answered ${result.status}`
}

// --- visits ---------------------------------------------------------------

async function countVisit() {
  let result = await call('POST', '/api/visits', {})
  // Over the write limit this view is not counted, but the total still shows.
  if (result.status === 429) result = await call('GET', '/api/visits')
  if (result.ok) {
    ui.visits.textContent = numberFormat.format(result.data.count)
    ui.visits.dataset.count = String(result.data.count)
  } else {
    ui.visits.textContent = 'unavailable (the counter lives in Redis)'
    delete ui.visits.dataset.count
  }
}

// --- health ---------------------------------------------------------------

const DEGRADED_EFFECTS = {
  postgres: 'PostgreSQL is unavailable: messages cannot be read or posted right now.',
  redis: 'Redis is unavailable: the visit counter is paused and messages are read straight from PostgreSQL.',
}

async function checkHealth() {
  // 503 with problem details still carries `checks`: show which one failed.
  const result = await call('GET', '/health/ready')
  const checks = result.data?.checks
  const effects = []
  for (const [name, element] of Object.entries(ui.health)) {
    const check = checks?.[name]
    const via = check && check.backend !== name ? ` (${check.backend})` : ''
    if (!check) {
      element.dataset.state = 'unknown'
      element.textContent = `unknown: ${describeFailure(result)}`
    } else if (check.status === 'ok') {
      element.dataset.state = 'ok'
      element.textContent = `ok${via}, ${check.latencyMs} ms`
    } else {
      element.dataset.state = 'fail'
      element.textContent = `down${via}: ${check.error ?? 'no answer'}`
      effects.push(DEGRADED_EFFECTS[name])
    }
  }
  if (!result.ok && effects.length === 0) effects.push(`Not ready: ${describeFailure(result)}.`)
  ui.degraded.textContent = effects.join(' ')
}

// --- messages -------------------------------------------------------------

let nextCursor = null

function renderMessage(message) {
  const item = document.createElement('li')
  item.className = 'message'
  item.dataset.id = String(message.id)
  // tabIndex -1: focus can be moved here after "more" without adding a tab stop.
  item.tabIndex = -1
  const content = document.createElement('p')
  content.className = 'message-content'
  content.textContent = message.content
  const time = document.createElement('time')
  time.dateTime = message.createdAt
  time.textContent = timeFormat.format(new Date(message.createdAt))
  item.append(content, time)
  return item
}

async function loadMessages() {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) })
  const older = nextCursor !== null
  if (older) query.set('cursor', nextCursor)
  ui.list.setAttribute('aria-busy', 'true')
  ui.more.setAttribute('aria-disabled', 'true')
  const result = await call('GET', `/api/messages?${query}`)
  ui.list.removeAttribute('aria-busy')
  ui.more.removeAttribute('aria-disabled')
  if (!result.ok) {
    ui.listError.textContent = `Messages could not be loaded: ${describeFailure(result)}.`
    ui.listSource.textContent = ''
    if (result.status === 503 || result.status === 0) checkHealth()
    return
  }
  ui.listError.textContent = ''
  const items = result.data.items.map(renderMessage)
  ui.list.append(...items)
  nextCursor = result.data.nextCursor
  ui.more.hidden = nextCursor === null
  ui.listEmpty.hidden = ui.list.childElementCount > 0
  const cache = result.headers.get('x-cache')
  const source = cache === 'hit' ? 'from the Redis cache' : 'from PostgreSQL'
  const what = older ? `${items.length} older messages` : 'Newest messages'
  ui.listSource.textContent = `${what} served ${source} (x-cache: ${cache ?? 'none'}).`
  // The button vanished under the keyboard user's focus: continue from the new messages.
  if (older && nextCursor === null && items[0]) items[0].focus()
}

// --- posting --------------------------------------------------------------

/** The API's own rule (1..1000 characters, counted as code points like the server). */
function validate(content) {
  const length = [...content].length
  if (length === 0) return `Write a message first (1 to ${MAX_LENGTH} characters).`
  if (length > MAX_LENGTH) return `That is ${length} characters; the limit is ${MAX_LENGTH}.`
  return null
}

function showFieldError(message) {
  ui.fieldError.textContent = message
  ui.field.setAttribute('aria-invalid', 'true')
  ui.field.focus()
}

function clearFieldError() {
  ui.fieldError.textContent = ''
  ui.field.removeAttribute('aria-invalid')
}

/** The server's reasons for this field (problem+json `errors`), else its detail. */
function serverReason(result) {
  const reasons = (result.data?.errors ?? []).filter((e) => e.field === 'content').map((e) => e.message)
  const reason = reasons.length > 0 ? `Message ${reasons.join('; ')}` : describeFailure(result)
  return `Not posted: ${reason}.`
}

let posting = false

async function postMessage(event) {
  event.preventDefault()
  if (posting) return
  const content = ui.field.value
  const invalid = validate(content)
  if (invalid) return showFieldError(invalid)
  clearFieldError()
  // aria-disabled, not disabled: disabling the focused button would drop keyboard focus.
  posting = true
  ui.form.setAttribute('aria-busy', 'true')
  ui.postStatus.textContent = 'Posting…'
  const result = await call('POST', '/api/messages', { content })
  posting = false
  ui.form.removeAttribute('aria-busy')
  if (!result.ok) {
    ui.postStatus.textContent = ''
    showFieldError(serverReason(result))
    if (result.status === 503 || result.status === 0) checkHealth()
    return
  }
  ui.field.value = ''
  updateCount()
  ui.postStatus.textContent = 'Posted.'
  ui.list.prepend(renderMessage(result.data))
  ui.listEmpty.hidden = true
}

function updateCount() {
  const length = [...ui.field.value].length
  ui.count.textContent = numberFormat.format(length)
  ui.count.classList.toggle('over', length > MAX_LENGTH)
}

ui.field.addEventListener('input', () => {
  updateCount()
  if (ui.field.hasAttribute('aria-invalid') && validate(ui.field.value) === null) clearFieldError()
})
ui.form.addEventListener('submit', postMessage)
ui.more.addEventListener('click', () => {
  if (!ui.more.hasAttribute('aria-disabled')) loadMessages()
})

await Promise.all([countVisit(), checkHealth(), loadMessages()])
document.documentElement.dataset.ready = 'true'
