/** The fields of an S3 `<Error>` document. */
import { child, parseXml, text } from './xml';

/** `<Error><Code>..</Code>...</Error>` fields, or undefined when the body is not an S3 error. */
export function parseErrorXml(body: string): { code: string; message?: string; requestId?: string; serverTime?: string } | undefined {
  if (!body.includes('<Error')) return undefined;
  try {
    const err = child(parseXml(body), 'Error');
    const code = text(err, 'Code');
    if (!err || !code) return undefined;
    return { code: code.trim(), message: text(err, 'Message'), requestId: text(err, 'RequestId'), serverTime: text(err, 'ServerTime') };
  } catch {
    return undefined;
  }
}
