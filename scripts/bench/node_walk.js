// List every ticket with node-zendesk 6.0.1 (unchanged; pointed at the simulator with its
// own `endpointUri` option): scripts/bench/eager.py runs it, with NODE_PATH holding
// node-zendesk. node-zendesk pages with page[size]=100 and stops at the first 429.
//
//   node node_walk.js SIM_URL
'use strict';

const zendesk = require('node-zendesk');

async function main() {
  const client = zendesk.createClient({
    username: 'admin@example.com',
    token: 'zd-sim-token',
    endpointUri: `${process.argv[2].replace(/\/$/, '')}/api/v2`,
  });
  const tickets = await client.tickets.list();
  console.log(tickets.length);
}

main().catch((e) => {
  console.error(`node-zendesk: ${e.message}`);
  process.exit(1);
});
