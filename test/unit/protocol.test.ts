import { afterEach, describe, expect, it, vi } from 'vitest';
import { chunkLanes, latestProtocol, observedProtocol, parallelism } from '../../src/lib/s3/protocol';

/** Resource Timing entries as a worker of a page at `origin` sees them, oldest first. */
function timeline(origin: string | undefined, entries: [string, string][]): void {
  vi.stubGlobal('performance', { getEntriesByType: (t: string) => (t === 'resource' ? entries.map(([name, nextHopProtocol]) => ({ name, nextHopProtocol })) : []) });
  vi.stubGlobal('location', origin === undefined ? undefined : { origin });
}

afterEach(() => vi.unstubAllGlobals());

const PAGE = 'http://127.0.0.1:4173';
const STORE = 'https://tenancy-o.s3-ext.jc.rl.ac.uk';

describe('the protocol spoken to the store', () => {
  it('skips the page host: a code chunk loaded after the metadata does not make an HTTP/2 store look like HTTP/1.1', () => {
    timeline(PAGE, [
      [`${STORE}/bucket/data.zarr/.zmetadata?X-Amz-Signature=ab`, 'h2'],
      [`${PAGE}/assets/blosc-1234.js`, 'http/1.1'],
      [`${PAGE}/assets/blosc_codec-5678.wasm`, 'http/1.1'],
    ]);
    expect(latestProtocol()).toBe('h2');
    expect(chunkLanes()).toBe(16);
  });

  it('reads HTTP/1.1 from the store itself, and the latest store request wins', () => {
    timeline(PAGE, [
      [`${STORE}/bucket/a`, 'h2'],
      [`${STORE}/bucket/b`, 'http/1.1'],
      [`${PAGE}/assets/x.js`, 'h2'],
    ]);
    expect(latestProtocol()).toBe('http/1.1');
    expect(chunkLanes()).toBe(6);
    expect(chunkLanes(8)).toBe(8);
  });

  it('is unknown with only the page host or no protocol reported, and then reads 6 at a time', () => {
    timeline(PAGE, [
      [`${STORE}/bucket/a`, ''],
      [`${PAGE}/assets/x.js`, 'h2'],
    ]);
    expect(latestProtocol()).toBe('unknown');
    expect(chunkLanes()).toBe(6);
  });

  it('takes every entry where the worker has no origin (Node, opaque)', () => {
    timeline('null', [[`${STORE}/bucket/a`, 'h3']]);
    expect(latestProtocol()).toBe('h3');
    timeline(undefined, [[`${STORE}/bucket/a`, 'h2']]);
    expect(latestProtocol()).toBe('h2');
  });

  it('matches the endpoint and its bucket subdomains for one store', () => {
    timeline(PAGE, [
      [`https://bucket.s3.example.org/key`, 'h2'],
      [`https://other.example.org/key`, 'http/1.1'],
    ]);
    expect(observedProtocol('https://s3.example.org')).toBe('h2');
    expect(parallelism('h2', 'transfer')).toBe(32);
    expect(parallelism('http/1.1', 'listing')).toBe(4);
  });
});
