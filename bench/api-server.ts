/**
 * The server of `npm run bench:api`, in a process of its own as deployed (`tenure serve`), so
 * the load generator does not share its event loop: the API on 127.0.0.1 (a free port) over
 * the bench database, the clock at the bench data's "today", the reminder scheduler off (its
 * hourly pass over 1M customers is its own work, not the API's) and the refresh worker on or
 * off as asked. Prints `{"port": N}` once listening; closes cleanly on SIGTERM.
 *
 *   node --import tsx bench/api-server.ts <database url> <worker: on|off>
 */
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/server/app.js';
import { openDb } from '../src/store/open.js';

const [url, worker] = process.argv.slice(2);
const db = await openDb({ databaseUrl: url as string, dataDir: null });
const app = await buildServer({
  db,
  config: loadConfig({}),
  logger: false,
  now: () => new Date('2026-07-01T12:00:00Z'),
  scheduler: false,
  ...(worker === 'on' ? {} : { worker: false as const }),
});
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ port: (app.server.address() as AddressInfo).port }));
process.once('SIGTERM', async () => {
  await app.close();
  await db.close();
  process.exit(0);
});
