/** What CF attributes say about a variable, for display. */

export interface CfLabels {
  longName?: string;
  standardName?: string;
  units?: string;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export function cfLabels(attrs: Record<string, unknown>): CfLabels {
  const out: CfLabels = {};
  const longName = text(attrs.long_name);
  const standardName = text(attrs.standard_name);
  const units = text(attrs.units);
  if (longName) out.longName = longName;
  if (standardName) out.standardName = standardName;
  if (units) out.units = units;
  return out;
}

/** "Air temperature [K]" style title, as xarray labels plot axes. */
export function axisTitle(name: string, attrs: Record<string, unknown>): string {
  const l = cfLabels(attrs);
  const base = l.longName ?? l.standardName ?? name;
  return l.units ? `${base} [${l.units}]` : base;
}
