/** Errors about reference files, in plain words (only name and message cross a worker boundary). */
export type RefsErrorKind = 'not-references' | 'malformed' | 'unsupported' | 'cors' | 'unreachable';

export class RefsError extends Error {
  override readonly name = 'RefsError';
  readonly kind: RefsErrorKind;
  constructor(kind: RefsErrorKind, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.kind = kind;
  }
}
