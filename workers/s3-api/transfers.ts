/**
 * `transfers.*`: long operations that move bytes or objects: downloads to a
 * file, a folder or a zip, server-side copies and moves, metadata edits
 * (a copy in place). The bytes stay in the worker; the page gets progress.
 */
import { CLIENT, type S3Service } from '../../src/lib/s3/service';
import type { ObjectSummary } from '../../src/lib/s3/ops/list-objects';
import type { ObjectHead } from '../../src/lib/s3/ops/head-object';
import { copyObject, copyTree, type CopyTuning, type MetadataChange, type TreeCopyInput, type TreeProgress, type TreeResult } from '../../src/lib/explorer/copy';
import { downloadObject, fileSink, type DownloadProgress, type DownloadResult } from '../../src/lib/explorer/download';
import { downloadTree, type TreeDownloadProgress } from '../../src/lib/explorer/download-tree';
import { zipToFile, type ZipFileResult, type ZipProgress } from '../../src/lib/explorer/zip-download';
import type { OpOptions, ProgressOptions } from './options';

/** A selection to download: objects one by one and whole prefixes, relative to `base`. */
export interface SelectionOptions {
  bucket: string;
  objects: ObjectSummary[];
  prefixes: string[];
  /** The folder the selection was made in (kept out of local paths). */
  base: string;
}

export type TreeDownloadResult = Awaited<ReturnType<typeof downloadTree>>;

export function transfersApi(s3: S3Service) {
  return {
    /** Stream an object into a file (a picked file or an OPFS file), in parallel verified ranges. */
    downloadToFile({ bucket, key, file, onProgress, opId, parallel }: { bucket: string; key: string; file: FileSystemFileHandle; parallel?: number } & ProgressOptions<DownloadProgress>): Promise<DownloadResult> {
      // On a fast link each range is gathered by the browser before it is read here (see gatheredBody, shouldGather).
      return s3.run(opId, (signal) => downloadObject(s3[CLIENT](), bucket, key, (size) => fileSink(file, size), { signal, onProgress, parallel, bodies: 'auto' }));
    },

    /** Download objects and prefixes into a folder, recreating their folders. */
    downloadToFolder({ bucket, objects, prefixes, base, dir, onProgress, opId }: SelectionOptions & { dir: FileSystemDirectoryHandle } & ProgressOptions<TreeDownloadProgress>): Promise<TreeDownloadResult> {
      return s3.run(opId, (signal) => downloadTree(s3[CLIENT](), bucket, objects, prefixes, base, dir, { signal, onProgress }));
    },

    /** Stream objects and prefixes into one zip: into a picked file, or (`file` null) a temp OPFS file returned as a File. */
    downloadZip({ bucket, objects, prefixes, base, file, onProgress, opId }: SelectionOptions & { file: FileSystemFileHandle | null } & ProgressOptions<ZipProgress>): Promise<ZipFileResult> {
      return s3.run(opId, (signal) => zipToFile(s3[CLIENT](), bucket, objects, prefixes, base, file, { signal, onProgress }));
    },

    /** Server-side copy or move of objects and prefixes (sources of a move deleted only once their copy is verified). */
    copyTree({ onProgress, opId, tuning, ...input }: TreeCopyInput & ProgressOptions<TreeProgress> & { tuning?: CopyTuning }): Promise<TreeResult> {
      return s3.run(opId, (signal) => copyTree(s3[CLIENT](), input, { ...tuning, signal, onProgress }));
    },

    /** Replace an object's content type and user metadata (copy in place). */
    editMetadata({ bucket, key, change, opId, tuning }: { bucket: string; key: string; change: MetadataChange; tuning?: CopyTuning } & OpOptions): Promise<ObjectHead> {
      return s3.run(opId, (signal) => copyObject(s3[CLIENT](), { bucket, key }, { bucket, key }, { ...tuning, signal, replace: change }));
    },
  };
}
