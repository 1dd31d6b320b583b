/**
 * Every refusal of the desired-state API, as one shape: an HTTP status, a code a program
 * matches on, a message a person reads, the offending field when there is one, and, for a
 * refused write, every problem found (a client fixes them all at once).
 *
 * ```json
 * { "code": "Conflict", "message": "files/motd: expected resource version 4, but it is at 6: read it again and retry",
 *   "field": "resourceVersion", "resourceVersion": 6 }
 * ```
 */
export type ApiErrorCode =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'AlreadyExists'
  | 'Conflict'
  | 'SourceConflict'
  | 'Gone'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'Unavailable';

const STATUS: Record<ApiErrorCode, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  AlreadyExists: 409,
  Conflict: 409,
  SourceConflict: 409,
  Gone: 410,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  Unavailable: 503,
};

/** One thing wrong with a write: its rule's code, where, and what. */
export interface Problem {
  readonly code: string;
  /** A path into the document, dotted: `spec.path`, `dependsOn[0]`; `` for the whole. */
  readonly field: string;
  readonly message: string;
}

export interface ApiErrorBody {
  readonly code: ApiErrorCode;
  readonly message: string;
  readonly field?: string;
  readonly problems?: readonly Problem[];
  /** For a conflict: the version stored now (absent: there is none). For 410: the oldest resumable. */
  readonly resourceVersion?: number;
  /** For a source conflict: the source that owns the key. */
  readonly owner?: string;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(readonly body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = STATUS[body.code];
  }

  get code(): ApiErrorCode {
    return this.body.code;
  }

  static is(error: unknown): error is ApiError {
    return error instanceof ApiError;
  }
}

export const apiError = (
  code: ApiErrorCode,
  message: string,
  more: Omit<ApiErrorBody, 'code' | 'message'> = {},
) => new ApiError({ code, message, ...more });

export const statusOf = (code: ApiErrorCode): number => STATUS[code];
