/**
 * The load generator of `npm run bench:api` when wrk is not installed, and for its steady-rate
 * run (wrk cannot hold a rate): autocannon in a process of its own, so it does not share the
 * server's event loop. Prints one JSON line: throughput, latency percentiles, errors, and the
 * CPU it used per request (to tell its share of the machine from the server's).
 *
 *   node --import tsx bench/api-load.ts <base url> <seconds> <connections> <rate|0>
 *   (env BENCH_TOKEN: the API token; BENCH_CUSTOMERS: how many customers B0000001… exist)
 */
import autocannon from 'autocannon';

const [base, seconds, connections, rate] = process.argv.slice(2);
const N = Number(process.env.BENCH_CUSTOMERS);
let seq = 0;
const cpu0 = process.cpuUsage();
const run = await autocannon({
  url: base as string,
  connections: Number(connections),
  duration: Number(seconds),
  headers: { authorization: `Bearer ${process.env.BENCH_TOKEN}` },
  ...(Number(rate) > 0 ? { overallRate: Number(rate) } : {}),
  requests: [
    {
      method: 'GET',
      setupRequest: (req) => {
        // a pseudo-random spread over the whole base (Knuth's multiplicative hash)
        const i = 1 + ((++seq * 2654435761) % N);
        req.path = `/api/customers/B${String(i).padStart(7, '0')}/360`;
        return req;
      },
    },
  ],
});
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    generator: 'autocannon',
    rps: run.requests.average,
    p50: run.latency.p50,
    p99: run.latency.p99,
    total: run.requests.total,
    ok: run['2xx'],
    non2xx: run.non2xx,
    errors: run.errors,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }),
);
