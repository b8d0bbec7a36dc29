/** The projection bench in a worker: runs when asked, posts its times (see bench/zarr-projection.ts). */
import { runProjectionBench } from './run';

self.onmessage = (e: MessageEvent<number>) => self.postMessage(runProjectionBench(e.data));
