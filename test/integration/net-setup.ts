/**
 * Integration set-up for the HTTPS fronts: Node's fetch trusts their
 * throw-away CA only through NODE_EXTRA_CA_CERTS, which Node reads when a
 * process starts; set here, before the test processes are started, it is
 * inherited by them. Certificate checks stay on for everything else.
 */
import { existsSync } from 'node:fs';
import { loadNetEnv, netStateDir } from '../helpers/net-env';

export default function setup(): void {
  if (!existsSync(`${netStateDir()}/env`)) return;
  process.env.NODE_EXTRA_CA_CERTS = loadNetEnv().ca;
}
