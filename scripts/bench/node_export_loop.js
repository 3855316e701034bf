// node-zendesk 6.0.1's cursor export loop over zd sim (scripts/bench/paginate_vs_node):
// `ticketexport.exportCursor(start_time)` then `exportCursor(null, after_cursor)` until
// `end_of_stream`, as its documentation shows; prints the number of tickets. NODE_PATH
// holds node-zendesk@6.0.1 (installed from npm by scripts/compat/run or this benchmark).
'use strict';

const zendesk = require('node-zendesk');

async function main() {
  const client = zendesk.createClient({
    username: process.env.ZENDESK_EMAIL,
    token: process.env.ZENDESK_API_TOKEN,
    endpointUri: `${process.env.SIM_URL.replace(/\/$/, '')}/api/v2`,
  });
  let page = (await client.ticketexport.exportCursor(0)).result;
  let n = page.tickets.length;
  while (!page.end_of_stream) {
    page = (await client.ticketexport.exportCursor(null, page.after_cursor)).result;
    n += page.tickets.length;
  }
  console.log(n);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
