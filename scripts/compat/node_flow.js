// node-zendesk 6.0.1's documented flows against zd sim (run by scripts/compat/run with
// NODE_PATH holding node-zendesk@6.0.1): list, incremental export, exportCursor export,
// show and a 404, checked against /__sim/ground-truth. node-zendesk is used unchanged,
// pointed at the simulator with its own `endpointUri` option.
'use strict';

const zendesk = require('node-zendesk');

const SIM = process.env.SIM_URL.replace(/\/$/, '');
let passed = 0;
const failed = [];

function check(name, ok, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`  ok   ${name}`);
  } else {
    failed.push(name);
    console.log(`  FAIL ${name}: ${detail}`);
  }
}

function sameIds(name, got, want) {
  const g = new Set(got);
  const missing = [...want].filter((i) => !g.has(i));
  const extra = [...g].filter((i) => !want.has(i));
  check(name, missing.length === 0 && extra.length === 0,
    `${g.size} ids, expected ${want.size}; missing ${missing.slice(0, 10)}, unexpected ${extra.slice(0, 10)}`);
}

async function admin(method, path) {
  const r = await fetch(`${SIM}/__sim/${path}`, {method});
  if (!r.ok) throw new Error(`/__sim/${path}: ${r.status}`);
  return r.json();
}

async function truth(kind) {
  const rows = (await admin('GET', `ground-truth/${kind}`))[kind];
  return new Map(rows.map(([id, updated, ts, deleted, archived]) => [id, {updated, ts, deleted, archived}]));
}

const liveIds = (t) => new Set([...t].filter(([, r]) => !r.deleted).map(([id]) => id));
// What list endpoints return: live and not archived.
const listedIds = (t) => new Set([...t].filter(([, r]) => !r.deleted && !r.archived).map(([id]) => id));

async function main() {
  await admin('POST', 'reset');
  const client = zendesk.createClient({
    username: 'admin@example.com',
    token: 'zd-sim-token',
    endpointUri: `${SIM}/api/v2`,
  });
  const tickets = await truth('tickets');

  // list: every live ticket, following links.next.
  const listed = await client.tickets.list();
  const ids = listed.map((t) => t.id);
  check('tickets.list(): no duplicates', ids.length === new Set(ids).size, `${ids.length} rows`);
  sameIds('tickets.list() = listed tickets (live, not archived)', ids, listedIds(tickets));

  const users = await client.users.list();
  sameIds('users.list() = live users', users.map((u) => u.id), liveIds(await truth('users')));

  // Time-based incremental export (node-zendesk reads the first page of an incremental
  // export unless it holds 1000 records; the simulator's 300 tickets fit in it).
  const inc = await client.tickets.incremental(0);
  sameIds('tickets.incremental(0) = every ticket', inc.map((t) => t.id), new Set(tickets.keys()));

  // exportCursor: start_time=0&cursor=undefined&page[size]=100, then the cursor.
  const seen = [];
  let page = (await client.ticketexport.exportCursor(0)).result;
  let pages = 1;
  seen.push(...page.tickets.map((t) => t.id));
  while (!page.end_of_stream && pages < 100) {
    page = (await client.ticketexport.exportCursor(null, page.after_cursor)).result;
    pages += 1;
    seen.push(...page.tickets.map((t) => t.id));
  }
  check('exportCursor reaches end_of_stream', page.end_of_stream === true, `${pages} pages`);
  check('exportCursor: no duplicates', seen.length === new Set(seen).size, `${seen.length} rows`);
  sameIds('exportCursor = every ticket', seen, new Set(tickets.keys()));
  const badTs = inc.filter((t) => tickets.get(t.id) && tickets.get(t.id).ts !== t.generated_timestamp);
  check('export generated_timestamp = ground truth', badTs.length === 0, `${badTs.length} differ`);

  // show and 404.
  const id = [...liveIds(tickets)][0];
  const shown = (await client.tickets.show(id)).result;
  check('tickets.show(id)', shown && shown.id === id, JSON.stringify(shown).slice(0, 200));
  const gone = [...tickets].find(([, r]) => r.deleted);
  let err = null;
  try {
    await client.tickets.show(gone ? gone[0] : 999999999);
  } catch (e) {
    err = e;
  }
  check('tickets.show(deleted) throws a 404', err && /404/.test(err.message), String(err));

  console.log(`node-zendesk 6.0.1: ${passed} checks ok, ${failed.length} failing`);
  if (failed.length > 0) {
    console.log(`node-zendesk 6.0.1: failing: ${failed.join(', ')}`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.log(`node-zendesk 6.0.1: crashed: ${e.stack || e}`);
  process.exit(1);
});
