/** One kerchunk reference: inline data (text, or "base64:..."), a whole object [url], or a byte range. */
export type Reference = string | [url: string] | [url: string, offset: number, length: number];
/** kerchunk JSON version 1 after templates and gen are expanded. */
export interface References { version: 1; refs: Record<string, Reference>; }
