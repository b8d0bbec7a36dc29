#!/usr/bin/env node
/**
 * A network between a laptop and the store, in user space (this kernel has no
 * netem): a TCP relay that delays every byte by half the round-trip time in
 * each direction and lets bytes through no faster than the link's rate. The
 * rate is shared by every connection of a direction, as one access link is.
 *
 *   node scripts/shaper.mjs --listen 8443 --to 127.0.0.1:7443 --rtt-ms 20 --down-mbit 1000 --up-mbit 1000
 *
 * "Up" is client to server (uploads), "down" is server to client. Bytes are
 * held in a queue per connection; reading from a socket pauses while its
 * queue is long, so TCP's own flow control sees the slow link (a relay that
 * read everything at once would hide it: the sender's buffers would fill at
 * loopback speed).
 *
 * Prints one JSON line when listening, and its own CPU time on SIGTERM/SIGINT.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    listen: { type: 'string' },
    to: { type: 'string' },
    'rtt-ms': { type: 'string', default: '0' },
    'down-mbit': { type: 'string', default: '0' },
    'up-mbit': { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
if (!values.listen || !values.to) {
  console.error('usage: shaper.mjs --listen PORT --to HOST:PORT [--rtt-ms N] [--down-mbit N] [--up-mbit N]');
  process.exit(2);
}
const [toHost, toPort] = [values.to.slice(0, values.to.lastIndexOf(':')), Number(values.to.slice(values.to.lastIndexOf(':') + 1))];
const oneWayMs = Number(values['rtt-ms']) / 2;
/** Bytes per millisecond (0: unlimited). */
const rate = (mbit) => (Number(mbit) > 0 ? (Number(mbit) * 1e6) / 8 / 1000 : 0);

/** One direction of the link: when it is next free, shared by every connection. */
class Link {
  constructor(bytesPerMs) {
    this.bytesPerMs = bytesPerMs;
    this.freeAt = 0;
    // Bytes a connection may have on the way before its reading pauses: what
    // the link holds in flight over the delay (its bandwidth-delay product),
    // plus a bottleneck buffer. Less would cap the rate below the link's
    // (256 KiB at 40 ms held a 100 Mbit/s link to 59 %).
    this.highWater = bytesPerMs ? Math.ceil(bytesPerMs * (oneWayMs + 5)) + 256 * 1024 : 8 * 1024 * 1024;
  }
  /** When a chunk of `n` bytes arriving now has crossed the link (ms, performance clock). */
  schedule(n) {
    const now = performance.now();
    const start = Math.max(now, this.freeAt);
    this.freeAt = this.bytesPerMs ? start + n / this.bytesPerMs : start;
    return this.freeAt + oneWayMs;
  }
}

const up = new Link(rate(values['up-mbit']));
const down = new Link(rate(values['down-mbit']));

/** Relay `from` to `to` through `link`. */
function pipe(from, to, link) {
  const queue = [];
  let held = 0;
  let timer = null;
  let ended = false;
  const flush = () => {
    timer = null;
    const now = performance.now();
    while (queue.length && queue[0].at <= now + 0.5) {
      const { chunk } = queue.shift();
      held -= chunk.length;
      to.write(chunk);
    }
    if (held < link.highWater && from.isPaused()) from.resume();
    if (queue.length) timer = setTimeout(flush, Math.max(0, queue[0].at - performance.now()));
    else if (ended) to.end();
  };
  from.on('data', (chunk) => {
    queue.push({ chunk, at: link.schedule(chunk.length) });
    held += chunk.length;
    if (held >= link.highWater) from.pause();
    if (!timer) timer = setTimeout(flush, Math.max(0, queue[0].at - performance.now()));
  });
  from.on('end', () => {
    ended = true;
    if (!queue.length && !timer) to.end();
  });
  from.on('error', () => to.destroy());
  to.on('error', () => from.destroy());
  from.on('close', () => {
    if (!queue.length) to.end();
  });
}

const server = net.createServer({ noDelay: true }, (client) => {
  // Connecting takes a round trip too (SYN, SYN-ACK): the first bytes wait for it.
  client.pause();
  const upstream = net.connect({ host: toHost, port: toPort, noDelay: true });
  upstream.on('connect', () =>
    setTimeout(() => {
      pipe(client, upstream, up);
      pipe(upstream, client, down);
      client.resume();
    }, 2 * oneWayMs),
  );
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
});
server.listen(Number(values.listen), values.host, () => {
  console.log(JSON.stringify({ listening: server.address().port, to: values.to, rttMs: 2 * oneWayMs, downMbit: Number(values['down-mbit']), upMbit: Number(values['up-mbit']) }));
});

const report = () => {
  const u = process.cpuUsage();
  console.log(JSON.stringify({ cpuSeconds: (u.user + u.system) / 1e6 }));
  process.exit(0);
};
process.on('SIGTERM', report);
process.on('SIGINT', report);
