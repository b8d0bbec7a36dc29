#!/usr/bin/env node
/**
 * What sealing saved keys costs on this machine: Argon2id (hash-wasm, the
 * same WebAssembly the S3 worker runs) at 64 MiB for 1 to 4 passes, median of
 * 5 runs each, next to PBKDF2-SHA-256 at 600,000 iterations (WebCrypto).
 * The vault's setting (src/lib/creds/vault.ts, ARGON2) is chosen to take
 * about half a second here. Usage: node scripts/vault-cost.mjs
 */
import { argon2id } from 'hash-wasm';

const RUNS = 5;
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function time(fn) {
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

const salt = crypto.getRandomValues(new Uint8Array(16));
for (const t of [1, 2, 3, 4]) {
  const ms = await time(() => argon2id({ password: 'a passphrase of some length', salt, parallelism: 1, iterations: t, memorySize: 64 * 1024, hashLength: 32, outputType: 'binary' }));
  console.log(`argon2id m=64 MiB t=${t} p=1: ${ms.toFixed(0)} ms (median of ${RUNS})`);
}
const base = await crypto.subtle.importKey('raw', new TextEncoder().encode('a passphrase of some length'), 'PBKDF2', false, ['deriveBits']);
const ms = await time(() => crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 600_000 }, base, 256));
console.log(`pbkdf2-sha256 600,000 iterations: ${ms.toFixed(0)} ms (median of ${RUNS})`);
