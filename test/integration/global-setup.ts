/**
 * Integration set-up: every test here runs against the real RGW and compares
 * with real clients, so a missing piece fails the run at once (with how to get
 * it) instead of leaving tests to skip and the run to pass with nothing tested.
 */
import { requirePythonXarray, requireRgw, requireTool } from '../helpers/requirements';

export default async function setup(): Promise<void> {
  await requireRgw();
  requireTool('aws');
  requireTool('s3cmd');
  requireTool('unzip');
  requirePythonXarray();
}
