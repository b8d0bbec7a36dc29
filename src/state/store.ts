/**
 * What components may ask of the connected store, one function per action.
 * Components call these (or the state classes), never the worker: this is
 * the one place, with the state classes, that talks to `src/rpc`. Each takes
 * one options object; a long one also takes the `{ opId, onProgress }` a
 * `Task` hands it, so it can be followed and cancelled.
 */
import { sendOp, type SelectionOptions, type TreeDownloadResult } from '../rpc/s3';
import { session } from './session.svelte';
import type { BucketSummary } from '../lib/s3/ops/list-buckets';
import type { ObjectHead } from '../lib/s3/ops/head-object';
import type { ObjectSummary } from '../lib/s3/ops/list-objects';
import type { PutObjectOutput } from '../lib/s3/ops/put-object';
import type { Diagnosis } from '../lib/s3/diagnose';
import type { FindResult, WalkProgress } from '../lib/explorer/walk';
import type { DeleteTreeProgress, DeleteTreeResult } from '../lib/explorer/delete-tree';
import type { MetadataChange, TreeCopyInput, TreeProgress, TreeResult } from '../lib/explorer/copy';
import type { DownloadProgress, DownloadResult } from '../lib/explorer/download';
import type { TreeDownloadProgress } from '../lib/explorer/download-tree';
import type { ZipFileResult, ZipProgress } from '../lib/explorer/zip-download';
import type { RequestBody } from '../lib/s3/request';
import type { TaskCall } from './task.svelte';

export type { TreeDownloadResult };

/** All buckets of the account (most stores refuse this to a web page: no CORS on the service endpoint). */
export async function listBuckets(): Promise<BucketSummary[]> {
  return (await sendOp(session.worker, { name: 'ListBuckets', input: undefined })).buckets;
}

/** Whether the bucket exists and these keys may use it. */
export async function headBucket(bucket: string): Promise<void> {
  await sendOp(session.worker, { name: 'HeadBucket', input: { bucket } });
}

export async function createBucket(bucket: string): Promise<void> {
  await sendOp(session.worker, { name: 'CreateBucket', input: { bucket } });
}

export function headObject(o: { bucket: string; key: string }): Promise<ObjectHead> {
  return session.worker.objects.head(o);
}

/** One PUT (a folder marker or one small file). */
export function putObject(o: { bucket: string; key: string; body: RequestBody; contentType?: string }): Promise<PutObjectOutput> {
  return session.worker.objects.putObject(o);
}

/** A presigned GET (a share link, or a short-lived download link). */
export function presignGet(o: { bucket: string; key: string; expiresInSeconds: number; query?: Record<string, string> }): Promise<string> {
  return session.worker.objects.presign({ method: 'GET', ...o });
}

/** Replace content type and user metadata (a copy of the object onto itself). */
export function editMetadata(o: { bucket: string; key: string; change: MetadataChange }): Promise<ObjectHead> {
  return session.worker.transfers.editMetadata(o);
}

/** Why a bucket gives this page no readable answer. */
export function diagnose(bucket: string): Promise<Diagnosis> {
  return session.worker.bucketSettings.diagnose({ bucket });
}

/** Object count and bytes under a prefix; `task` is given by `Task.run` when followed. */
export function du(o: { bucket: string; prefix: string }, task?: TaskCall<WalkProgress>): Promise<WalkProgress> {
  return session.worker.walk.du({ ...o, ...task });
}

export function find(o: { bucket: string; prefix: string; needle: string; onMatches: (m: ObjectSummary[]) => void }, task: TaskCall<WalkProgress>): Promise<FindResult> {
  return session.worker.walk.find({ ...o, ...task });
}

export function deleteTree(o: { bucket: string; objects: ObjectSummary[]; prefixes: string[] }, task: TaskCall<DeleteTreeProgress>): Promise<DeleteTreeResult> {
  return session.worker.objects.deleteTree({ ...o, ...task });
}

export function copyTree(o: TreeCopyInput, task: TaskCall<TreeProgress>): Promise<TreeResult> {
  return session.worker.transfers.copyTree({ ...o, ...task });
}

export function downloadToFile(o: { bucket: string; key: string; file: FileSystemFileHandle }, task: TaskCall<DownloadProgress>): Promise<DownloadResult> {
  return session.worker.transfers.downloadToFile({ ...o, ...task });
}

export function downloadToFolder(o: SelectionOptions & { dir: FileSystemDirectoryHandle }, task: TaskCall<TreeDownloadProgress>): Promise<TreeDownloadResult> {
  return session.worker.transfers.downloadToFolder({ ...o, ...task });
}

export function downloadZip(o: SelectionOptions & { file: FileSystemFileHandle | null }, task: TaskCall<ZipProgress>): Promise<ZipFileResult> {
  return session.worker.transfers.downloadZip({ ...o, ...task });
}
