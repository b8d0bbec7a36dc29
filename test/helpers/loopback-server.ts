/**
 * Listening on a free loopback port for the test servers (the proxies and
 * fake endpoints in this folder): the endpoint to give the client, and a
 * close that also drops open keep-alive connections, so a test never waits
 * for a browser's idle sockets to time out.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface Listening {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
