// The baseline: a bare Fastify (the same version as the server's) that answers a constant small JSON to a POST of
// a small JSON. Run as a child process exactly like ring-server.ts, so that both pay the same process and IPC costs.
import Fastify from 'fastify';
import { announce, serveParent } from './child-control.js';

const app = Fastify({ logger: false });
const ANSWER = {
  vid: '0193a5b2-7c4e-7d21-9a8b-1c2d3e4f5a6b',
  hb: 30,
  swap: [{ from: '74951234567', to: '74991000001', cc: '7' }],
};
app.post('/bare', async () => ANSWER);

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('no TCP address');

serveParent({ stats: async () => ({}), close: () => app.close() });
announce(address.port, '');
