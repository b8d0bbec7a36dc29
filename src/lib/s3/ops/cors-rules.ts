import { XML_DECLARATION, child, children, element, int, parseXml, text, texts, type XmlNode } from '../xml';

/** One CORS rule, in the words of the S3 API. */
export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

export function parseCorsXml(xml: string): CorsRule[] {
  const root = child(parseXml(xml), 'CORSConfiguration');
  return children(root, 'CORSRule').map((r) => {
    const node = r as XmlNode;
    const rule: CorsRule = {
      allowedOrigins: texts(node, 'AllowedOrigin'),
      allowedMethods: texts(node, 'AllowedMethod'),
      allowedHeaders: texts(node, 'AllowedHeader'),
      exposeHeaders: texts(node, 'ExposeHeader'),
    };
    const id = text(node, 'ID');
    if (id) rule.id = id;
    const age = int(node, 'MaxAgeSeconds');
    if (age !== undefined) rule.maxAgeSeconds = age;
    return rule;
  });
}

/** The CORSConfiguration document, as `s3cmd setcors` and PutBucketCors take it. */
export function buildCorsXml(rules: CorsRule[]): string {
  const body = rules
    .map(
      (r) =>
        '<CORSRule>' +
        (r.id ? element('ID', r.id) : '') +
        r.allowedOrigins.map((o) => element('AllowedOrigin', o)).join('') +
        r.allowedMethods.map((m) => element('AllowedMethod', m)).join('') +
        r.allowedHeaders.map((h) => element('AllowedHeader', h)).join('') +
        r.exposeHeaders.map((h) => element('ExposeHeader', h)).join('') +
        (r.maxAgeSeconds !== undefined ? element('MaxAgeSeconds', r.maxAgeSeconds) : '') +
        '</CORSRule>',
    )
    .join('');
  return `${XML_DECLARATION}<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</CORSConfiguration>`;
}
