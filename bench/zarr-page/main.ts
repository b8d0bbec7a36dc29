/**
 * The bench page: Tessera's real DatasetView, built like the app, opened by
 * `bench/zarr.ts` through `window.tesseraBench` (keys are handed over in the
 * page, never in a URL). With TESSERA_BENCH_OPEN=page the bench hands the
 * connection and the dataset in before the page loads (`page.addInitScript`
 * sets `window.tesseraBenchOpen`), and this script opens it as soon as it
 * runs, as the app does when it is opened at a dataset's address.
 */
import { mount, unmount } from 'svelte';
import DatasetView from '../../src/components/zarr/DatasetView.svelte';
import { session } from '../../src/state/session.svelte';
import type { ConnectionSettings } from '../../src/lib/s3/service';
import { openDatasetAhead, prewarmDataset, type DatasetSource } from '../../src/state/dataset.svelte';
import { collectTrace, mark } from '../../src/lib/zarr/trace';

declare global {
  interface Window {
    tesseraBench: {
      open(settings: ConnectionSettings | null, source: DatasetSource): Promise<void>;
      close(): Promise<void>;
      trace(): Promise<[string, number][]>;
      /** The open this script started from what the bench handed in (undefined without it). */
      opening?: Promise<void>;
    };
    /** What to open at once (set by the bench before the page loads; read once, then removed). */
    tesseraBenchOpen?: { settings: ConnectionSettings | null; source: DatasetSource };
  }
}

mark('page:start');
// As the app does when it is opened at a dataset's address (App.svelte), which
// tells whether it is a file read through references made on the fly (?refs=scan).
prewarmDataset({ refs: (new URLSearchParams(location.search).get('refs') ?? undefined) as DatasetSource['refs'] });

let view: ReturnType<typeof mount> | undefined;

window.tesseraBench = {
  async open(settings, source) {
    mark('page:connect');
    // As the app does on the way to a dataset's address: the open is sent alongside the connection's
    // check, and the view is shown (and takes it over) without waiting for the check's answer.
    const connecting = settings ? session.connect(settings, undefined, (s3) => openDatasetAhead(source, s3)) : null;
    view = mount(DatasetView, { target: document.getElementById('app')!, props: { source } });
    mark('page:mounted');
    if (connecting) await connecting;
    mark('page:connected');
  },
  /** Close the view (the app stays open: workers, connection): the next `open` is a warm one. */
  async close() {
    if (view) await unmount(view);
    view = undefined;
  },
  trace: () => collectTrace(),
};

const handed = window.tesseraBenchOpen;
delete window.tesseraBenchOpen;
if (handed) window.tesseraBench.opening = window.tesseraBench.open(handed.settings, handed.source);
