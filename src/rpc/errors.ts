/**
 * Comlink passes thrown errors as message/name/stack only. This replaces its
 * "throw" handler so an `S3Error` arrives on the other side with all of its
 * structured fields (operation, status, code, request id, key...). Call
 * `installErrorTransfer()` on both sides of every worker boundary.
 */
import * as Comlink from 'comlink';
import { S3Error, type S3ErrorFields } from '../lib/s3/errors';

type Thrown = { value: unknown };
type Serialized = { kind: 's3'; fields: S3ErrorFields } | { kind: 'error'; name: string; message: string; stack?: string } | { kind: 'value'; value: unknown };

let installed = false;

export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const original = Comlink.transferHandlers.get('throw') as Comlink.TransferHandler<Thrown, unknown>;
  const handler: Comlink.TransferHandler<Thrown, Serialized> = {
    canHandle: (v): v is Thrown => original.canHandle(v),
    serialize({ value }) {
      if (value instanceof S3Error) return [{ kind: 's3', fields: value.toJSON() }, []];
      if (value instanceof Error) return [{ kind: 'error', name: value.name, message: value.message, stack: value.stack }, []];
      return [{ kind: 'value', value }, []];
    },
    deserialize(s) {
      if (s.kind === 's3') throw S3Error.fromJSON(s.fields);
      if (s.kind === 'error') {
        const e = new Error(s.message);
        e.name = s.name;
        if (s.stack) e.stack = s.stack;
        throw e;
      }
      throw s.value;
    },
  };
  Comlink.transferHandlers.set('throw', handler as Comlink.TransferHandler<unknown, unknown>);
}
