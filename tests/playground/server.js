'use strict';
// The playground: the add-on's real Sidebar.html next to an emulated sheet grid, in one
// browser page, against a running sheetsync server. Edit cells, insert and delete rows,
// run SQL against the database, and watch both sides sync.
//
//   scripts/playground --server-url http://127.0.0.1:8080 --token sst_… [--database-url mysql://…]
//
// The spreadsheet lives in this process (the Apps Script emulator running addon/ unchanged);
// the sidebar's google.script.run calls come here over HTTP. The sheetsync server must allow
// this page's origin for the sidebar's live updates: start it with
// `--cors-origin http://127.0.0.1:<port>` (the URL printed at start).

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { googleScriptClientSource, createClientBridge } = require('../emulator');
const { addonEmulator } = require('../e2e/harness/addon');
const { connectDatabase } = require('../e2e/harness/databases');

const HELP = `usage: scripts/playground --server-url URL --token TOKEN [options]

  --server-url URL     the sheetsync server (env SHEETSYNC_URL)
  --token TOKEN        an access token made with \`sheetsync-server token create\` (env SHEETSYNC_TOKEN)
  --database-url URL   the server's database, for the SQL box (env SHEETSYNC_DATABASE_URL; optional)
  --port N             where the playground listens (default 8787; 0 picks a free port)
  --time-zone ZONE     the spreadsheet's time zone (default Europe/Berlin)
  --owner EMAIL        who the emulated person is (default you@example.com)
  --delay-ms N         hold each sync the sidebar starts this long before it runs, to watch progress (default 0)
`;

/** The sidebar calls that run a sync (the ones --delay-ms holds). */
const SYNC_CALLS = ['syncNow', 'previewSync', 'resolveConflicts', 'confirmMassDelete'];

/** Serializes work on the spreadsheet: one execution or gesture at a time, as in Sheets' UI. */
function queue() {
  let tail = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => {});
    return run;
  };
}

function sheetView(emu) {
  const model = emu.spreadsheet;
  const sheet = model.sheetByName('Sheet1');
  const rows = Math.max(sheet.lastRow() + 5, 20);
  const cols = Math.max(sheet.lastColumn() + 1, 6);
  const cells = [];
  for (let r = 1; r <= Math.min(rows, 2000); r++) {
    const line = [];
    for (let c = 1; c <= cols; c++) {
      const cell = sheet.cell(r, c);
      const value = model.valueAt(sheet, r, c);
      line.push({ v: shownValue(value, cell), f: cell && cell.f ? cell.f : undefined });
    }
    cells.push(line);
  }
  return { rows: sheet.lastRow(), cols, cells };
}

/** What the grid shows for a cell: dates as their wall clock, numbers and text as they are. */
function shownValue(value, cell) {
  if (value === undefined || value === null) return '';
  if (cell && typeof value === 'number' && cell.nf && /[dmy]/i.test(cell.nf) && !/^0/.test(cell.nf)) {
    const ms = Math.round((value - 25569) * 86400000);
    const iso = new Date(ms).toISOString();
    return /h/i.test(cell.nf) ? iso.slice(0, 19).replace('T', ' ') : iso.slice(0, 10);
  }
  return value;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (c) => { text += c; });
    req.on('end', () => {
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (e) {
        reject(new Error(`the request body is not JSON: ${e.message}`));
      }
    });
    req.on('error', reject);
  });
}

/**
 * Starts the playground; resolves to { url, emu, close }. Options: serverUrl, token,
 * databaseUrl, port, timeZone, owner.
 */
async function startPlayground({ serverUrl, token, databaseUrl = null, port = 8787, timeZone = 'Europe/Berlin', owner = 'you@example.com', delayMs = 0 }) {
  const emu = addonEmulator({ clock: 'real', timeZone, owner });
  const bridge = createClientBridge(emu);
  const serial = queue();
  const db = databaseUrl ? await connectDatabase(databaseUrl) : null;
  let version = 0;
  const changed = (result) => {
    version++;
    return result;
  };
  await emu.run('showSidebar');
  const page = fs.readFileSync(path.join(__dirname, 'page.html'), 'utf8');
  const clientSource = googleScriptClientSource();

  const sidebarPage = () => {
    const html = emu.ui.sidebars.at(-1).html;
    // google.script.run over HTTP to this process, defined before the sidebar's own scripts.
    const bridgeScript = `<script>
window.__appsScriptRun = (name, args) => fetch('/api/run', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, args }) }).then((r) => r.json());
window.__appsScriptHost = (action, arg) => fetch('/api/host', { method: 'POST', body: JSON.stringify({ action, arg }) });
${clientSource}
</script>`;
    return html.replace(/<head>/i, `<head>${bridgeScript}`);
  };

  const routes = {
    'GET /': async () => ({ type: 'text/html', body: page }),
    'GET /sidebar': async () => ({ type: 'text/html', body: sidebarPage() }),
    'GET /api/info': async () => ({ json: { serverUrl, token, sql: !!db, timeZone, owner } }),
    'GET /api/sheet': async () => ({ json: { version, ...sheetView(emu) } }),
    'POST /api/run': async (body) => {
      if (delayMs > 0 && SYNC_CALLS.includes(body.name)) await new Promise((r) => setTimeout(r, delayMs));
      return { json: await serial(() => bridge.run(body.name, body.args).then(changed)) };
    },
    'POST /api/host': async (body) => ({ json: await bridge.host(body.action, body.arg) || {} }),
    'POST /api/edit': async (body) => ({ json: await serial(() => emu.user.editCell('Sheet1', body.a1, body.value).then(changed)) }),
    'POST /api/paste': async (body) => ({ json: await serial(() => emu.user.pasteBlock('Sheet1', body.a1, body.values).then(changed)) }),
    'POST /api/insertRows': async (body) => ({ json: await serial(() => emu.user.insertRows('Sheet1', body.before, body.n || 1).then(changed)) }),
    'POST /api/deleteRows': async (body) => ({ json: await serial(() => emu.user.deleteRows('Sheet1', body.row, body.n || 1).then(changed)) }),
    'POST /api/sort': async (body) => ({ json: await serial(() => emu.user.sortSheet('Sheet1', body.column, body.ascending !== false).then(changed)) }),
    'POST /api/sql': async (body) => {
      if (!db) throw new Error('start the playground with --database-url to run SQL');
      return { json: { rows: await db.sql(String(body.sql || '')) } };
    },
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const route = routes[`${req.method} ${url.pathname}`];
    try {
      if (!route) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found');
        return;
      }
      const answer = await route(req.method === 'POST' ? await readBody(req) : null);
      if (answer.json !== undefined) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(JSON.stringify(answer.json));
      } else {
        res.writeHead(200, { 'Content-Type': `${answer.type}; charset=utf-8`, 'Cache-Control': 'no-store' });
        res.end(answer.body);
      }
    } catch (e) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: e.message }));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  // Time-driven triggers fire on their schedule while the playground runs.
  const timer = setInterval(() => serial(() => emu.runDueTriggers().then((o) => (o && o.length ? changed(o) : o))).catch(() => {}), 5000);
  const address = `http://127.0.0.1:${server.address().port}`;
  return {
    url: address,
    emu,
    async close() {
      clearInterval(timer);
      await new Promise((r) => server.close(r));
      if (db) await db.close();
    },
  };
}

async function main() {
  let args;
  try {
    ({ values: args } = parseArgs({
      options: {
        'server-url': { type: 'string' }, token: { type: 'string' }, 'database-url': { type: 'string' },
        port: { type: 'string' }, 'time-zone': { type: 'string' }, owner: { type: 'string' }, 'delay-ms': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    process.stderr.write(`${e.message}\n\n${HELP}`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  const serverUrl = args['server-url'] || process.env.SHEETSYNC_URL;
  const token = args.token || process.env.SHEETSYNC_TOKEN;
  if (!serverUrl || !token) {
    process.stderr.write(`the server URL and a token are needed\n\n${HELP}`);
    process.exit(2);
  }
  const pg = await startPlayground({
    serverUrl: serverUrl.replace(/\/+$/, ''),
    token,
    databaseUrl: args['database-url'] || process.env.SHEETSYNC_DATABASE_URL || null,
    port: Number(args.port ?? process.env.SHEETSYNC_PLAYGROUND_PORT ?? 8787),
    timeZone: args['time-zone'] || 'Europe/Berlin',
    owner: args.owner || 'you@example.com',
    delayMs: Number(args['delay-ms'] || 0),
  });
  process.stdout.write(`playground at ${pg.url}\n`);
  process.stdout.write(`(the server must allow this origin: --cors-origin ${pg.url})\n`);
  const stop = () => pg.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`playground: ${e.message}\n`);
    process.exit(1);
  });
}

module.exports = { startPlayground };
