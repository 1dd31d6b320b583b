import { API_PREFIX } from './http-api.js';

/** What a route takes and gives, for its OpenAPI operation. */
export interface ApiRoute {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** As OpenAPI writes it: `/api/v1/resources/{kind}/{name}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly body?: 'ResourceWrite' | 'MergePatch' | 'StatusWrite';
  readonly answer: 'Resource' | 'ResourceList' | 'WatchEvents' | 'OpenApi';
  /** The statuses it answers besides errors common to all (401, 400). */
  readonly statuses: readonly number[];
  readonly query?: readonly ('kind' | 'labelSelector' | 'resourceVersion')[];
  readonly ifMatch?: boolean;
}

const R = `${API_PREFIX}/resources`;
const ONE = `${R}/{kind}/{name}`;

/** Every route of the desired-state API: what `/openapi.json` documents and the router answers. */
export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: R,
    operationId: 'listResources',
    summary: 'List resources (of a kind, matching a label selector)',
    answer: 'ResourceList',
    statuses: [200],
    query: ['kind', 'labelSelector'],
  },
  {
    method: 'post',
    path: R,
    operationId: 'createResource',
    summary: 'Create a resource',
    body: 'ResourceWrite',
    answer: 'Resource',
    statuses: [201, 409, 413, 415, 422],
  },
  {
    method: 'get',
    path: `${R}/{kind}`,
    operationId: 'listResourcesOfKind',
    summary: 'List the resources of one kind',
    answer: 'ResourceList',
    statuses: [200],
    query: ['labelSelector'],
  },
  {
    method: 'get',
    path: ONE,
    operationId: 'readResource',
    summary: 'Read a resource',
    answer: 'Resource',
    statuses: [200, 404],
  },
  {
    method: 'put',
    path: ONE,
    operationId: 'replaceResource',
    summary: 'Replace a resource (create it when absent and no version is named)',
    body: 'ResourceWrite',
    answer: 'Resource',
    statuses: [200, 201, 404, 409, 413, 415, 422],
    query: ['resourceVersion'],
    ifMatch: true,
  },
  {
    method: 'patch',
    path: ONE,
    operationId: 'patchResource',
    summary: 'Change a resource with a JSON merge patch (RFC 7386)',
    body: 'MergePatch',
    answer: 'Resource',
    statuses: [200, 404, 409, 413, 415, 422],
    query: ['resourceVersion'],
    ifMatch: true,
  },
  {
    method: 'delete',
    path: ONE,
    operationId: 'deleteResource',
    summary: 'Take a resource out of the desired set',
    answer: 'Resource',
    statuses: [200, 404, 409, 422],
    query: ['resourceVersion'],
    ifMatch: true,
  },
  {
    method: 'get',
    path: `${ONE}/status`,
    operationId: 'readResourceStatus',
    summary: 'Read a resource with its status',
    answer: 'Resource',
    statuses: [200, 404],
  },
  {
    method: 'put',
    path: `${ONE}/status`,
    operationId: 'writeResourceStatus',
    summary: 'Write the status subresource (the generation does not change)',
    body: 'StatusWrite',
    answer: 'Resource',
    statuses: [200, 404, 409, 413, 415, 422],
    query: ['resourceVersion'],
    ifMatch: true,
  },
  {
    method: 'get',
    path: `${API_PREFIX}/watch`,
    operationId: 'watchResources',
    summary: 'Watch changes as Server-Sent Events, from a version',
    answer: 'WatchEvents',
    statuses: [200, 410],
    query: ['resourceVersion', 'kind', 'labelSelector'],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    answer: 'OpenApi',
    statuses: [200],
  },
];
