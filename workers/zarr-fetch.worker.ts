/**
 * The Zarr worker's fetch thread: pulls chunk responses off the network while
 * the Zarr worker decodes (see src/lib/zarr/fetch-relay.ts). Holds no
 * credentials: it only fetches URLs it is given (presigned or public).
 */
import { serveFetches } from '../src/lib/zarr/fetch-relay';

serveFetches(self as unknown as Parameters<typeof serveFetches>[0]);
