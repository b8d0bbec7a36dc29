/** Small helpers the benches share. */

/** The middle value (the lower of the two middles for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
}

/** The environment for Debian's /usr/bin/python3: without a PYTHONPATH or PYTHONHOME meant for another Python. */
export function debianPythonEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  return env;
}
