/**
 * The policies users ask for, in either dialect. The JASMIN ones follow the
 * JASMIN help pages (Swarm dialect); the same intent is written in AWS form
 * for Ceph, MinIO and AWS.
 */
import type { Dialect, Policy } from './dialects';

export interface PolicyTemplate {
  id: string;
  title: string;
  description: string;
  /** Names the template needs (users, a tenancy). */
  needs: ('users' | 'tenancy')[];
  /** Dialects it can be written in (tenancy groups exist only on JASMIN). */
  dialects: Dialect[];
  build(options: { users?: string[]; tenancy?: string; dialect: Dialect }): Policy;
}

export const TEMPLATES: PolicyTemplate[] = [
  {
    id: 'public-read',
    title: 'Read-only for everyone',
    description:
      'Anyone can read objects whose key they know, without keys. The bucket cannot be listed (as in JASMIN’s template): share exact URLs, or a consolidated Zarr store.',
    needs: [],
    dialects: ['aws', 'swarm'],
    build: ({ dialect }) => ({
      dialect,
      id: 'Read-only policy for everyone',
      statements: [{ sid: 'Read-only for everyone', effect: 'Allow', principal: { kind: 'anyone' }, actions: ['GetObject', 'GetBucketCORS'], scope: 'bucket-and-objects' }],
    }),
  },
  {
    id: 'public-read-list',
    title: 'Read and list for everyone',
    description: 'Anyone can list the bucket and read every object, without keys.',
    needs: [],
    dialects: ['aws', 'swarm'],
    build: ({ dialect }) => ({
      dialect,
      id: 'Read and list for everyone',
      statements: [
        { sid: 'List for everyone', effect: 'Allow', principal: { kind: 'anyone' }, actions: ['ListBucket', 'GetBucketCORS'], scope: 'bucket' },
        { sid: 'Read for everyone', effect: 'Allow', principal: { kind: 'anyone' }, actions: ['GetObject'], scope: 'objects' },
      ],
    }),
  },
  {
    id: 'tenancy-read',
    title: 'Read-only for my tenancy',
    description: 'Every member of the tenancy (the JASMIN group <tenancy>-members) can list and read; only the owner writes.',
    needs: ['tenancy'],
    dialects: ['swarm'],
    build: ({ dialect, tenancy }) => ({
      dialect,
      id: 'Read-only for tenancy members',
      statements: [
        {
          sid: 'Tenancy members read',
          effect: 'Allow',
          principal: { kind: 'named', users: [], groups: [`${tenancy}-members`] },
          actions: ['ListBucket', 'GetObject', 'GetBucketCORS'],
          scope: 'bucket-and-objects',
        },
      ],
    }),
  },
  {
    id: 'users-read',
    title: 'Read-only for named users',
    description: 'The users you name can list and read; nobody else can.',
    needs: ['users'],
    dialects: ['aws', 'swarm'],
    build: ({ dialect, users }) => ({
      dialect,
      id: 'Read-only for named users',
      statements: [
        { sid: 'Named users read', effect: 'Allow', principal: { kind: 'named', users: users ?? [], groups: [] }, actions: ['ListBucket', 'GetObject', 'GetBucketCORS'], scope: 'bucket-and-objects' },
      ],
    }),
  },
  {
    id: 'users-write',
    title: 'Read and write for named users',
    description: 'The users you name can list, read, upload and delete objects.',
    needs: ['users'],
    dialects: ['aws', 'swarm'],
    build: ({ dialect, users }) => ({
      dialect,
      id: 'Read and write for named users',
      statements: [
        {
          sid: 'Named users read and write',
          effect: 'Allow',
          principal: { kind: 'named', users: users ?? [], groups: [] },
          actions: ['ListBucket', 'ListBucketMultipartUploads', 'GetObject', 'PutObject', 'DeleteObject', 'AbortMultipartUpload', 'ListMultipartUploadParts', 'GetBucketCORS'],
          scope: 'bucket-and-objects',
        },
      ],
    }),
  },
];

/** The JASMIN tenancy of an endpoint (`https://<tenancy>-o.s3-ext.jc.rl.ac.uk`), if it is one. */
export function tenancyOf(endpointUrl: string): string | undefined {
  try {
    return /^([a-z0-9-]+)-o\.s3(?:-ext)?\.jc\.rl\.ac\.uk$/i.exec(new URL(endpointUrl).hostname)?.[1];
  } catch {
    return undefined;
  }
}

/** The dialect to write for an endpoint: Swarm on JASMIN, AWS elsewhere. */
export function dialectFor(endpointUrl: string): Dialect {
  return tenancyOf(endpointUrl) ? 'swarm' : 'aws';
}
