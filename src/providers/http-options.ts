import {
  checkNumber,
  checkString,
  isRecord,
  optionError,
  rejectUnknownKeys,
  secretOptionError,
} from './options.js';

/** What `httpProvider` takes. Header values may be secrets: they never show in errors or logs. */
export interface HttpProviderOptions {
  /** The collection's address, `http(s)://host/path`, without credentials, query or fragment. */
  readonly baseUrl: string;
  readonly kind: string;
  /** The field that holds an object's name. Default `'name'`. Never a difference. */
  readonly idField?: string;
  /**
   * For a collection whose server assigns ids: the field of an object that holds the id (e.g.
   * `'id'`). New objects are then POSTed to the collection, the id taken from the reply's body
   * (or its `Location`), remembered in the inventory, and used as the address
   * (`{baseUrl}/{id}`); an object whose id is not known is found by its name field through a
   * list. Default: none (an object lives at `{baseUrl}/{name}`).
   */
  readonly serverId?: string;
  /** Sent with every request (e.g. `authorization`). Treated as secrets. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default `'PUT'`. */
  readonly create?: 'PUT' | 'POST';
  /** Default `'PUT'`. */
  readonly update?: 'PATCH' | 'PUT';
  /** Own per-request timeout on the clock, besides `ctx.signal`. Default: none. */
  readonly timeoutMs?: number;
  /** Paths of the spec the server never reports back as sent (e.g. a write-only `password`): never a difference. */
  readonly ignore?: readonly string[];
}

/** The options checked, with every default filled in. */
export interface ResolvedHttpOptions {
  /** `baseUrl` without a trailing slash. */
  readonly base: string;
  readonly kind: string;
  readonly idField: string;
  /** The field holding the id the server assigned, when it assigns them. */
  readonly serverId: string | undefined;
  /** The caller's headers only (the JSON ones are added per request). */
  readonly headers: Readonly<Record<string, string>>;
  readonly create: 'PUT' | 'POST';
  readonly update: 'PUT' | 'PATCH';
  readonly timeoutMs: number | undefined;
  readonly ignore: readonly string[];
}

const OPTIONS = [
  'baseUrl',
  'kind',
  'idField',
  'serverId',
  'headers',
  'create',
  'update',
  'timeoutMs',
  'ignore',
];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Check `httpProvider`'s options; a `TypeError` names any bad one (a header's value never shows). */
export function resolveHttpOptions(options: HttpProviderOptions): ResolvedHttpOptions {
  if (!isRecord(options)) throw optionError('options', options, "an object like { kind: 'user', baseUrl }");
  rejectUnknownKeys(options, OPTIONS, 'options');
  const base = baseUrlOf(options.baseUrl);
  const kind = checkString(options.kind, 'options.kind', "'user'");
  const idField =
    options.idField === undefined ? 'name' : checkString(options.idField, 'options.idField', "'id'");
  const headers = headersOf(options.headers);
  const serverId =
    options.serverId === undefined
      ? undefined
      : checkString(options.serverId, 'options.serverId', "'id' (the field the server puts its id in)");
  if (serverId !== undefined && serverId === idField) {
    throw new TypeError(
      `Expected \`options.serverId\` to differ from \`options.idField\` (the field holding the name), got \`${serverId}\` for both`,
    );
  }
  if (serverId !== undefined && options.create === 'PUT') {
    throw new TypeError(
      "Expected `options.create` to be 'POST' (or left out) with `options.serverId`: a server that assigns ids takes new objects by POST to the collection",
    );
  }
  const create = serverId === undefined ? oneOf(options.create, ['PUT', 'POST'], 'options.create') : 'POST';
  const update = oneOf(options.update, ['PUT', 'PATCH'], 'options.update');
  const timeoutMs =
    options.timeoutMs === undefined
      ? undefined
      : checkNumber(options.timeoutMs, 'options.timeoutMs', 1, '10000');
  const ignore = ignoreOf(options.ignore);
  return { base, kind, idField, serverId, headers, create, update, timeoutMs, ignore };
}

function baseUrlOf(value: unknown): string {
  const expected = "an http(s) address of a collection, like 'http://127.0.0.1:8080/users'";
  if (typeof value !== 'string' || !URL.canParse(value))
    throw optionError('options.baseUrl', value, expected);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw optionError('options.baseUrl', value, expected);
  if (url.username || url.password || url.search || url.hash) {
    throw new TypeError(
      `Expected \`options.baseUrl\` to be an address without credentials, query or fragment, got \`${url.origin}${url.pathname}\` with them (not shown): put tokens in \`options.headers\``,
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function headersOf(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value))
    throw secretOptionError('options.headers', value, "an object like { authorization: 'Bearer …' }");
  for (const [name, header] of Object.entries(value)) {
    if (!TOKEN.test(name))
      throw optionError('options.headers', name, 'an object whose keys are header names');
    if (typeof header !== 'string' || /[\r\n\0]/.test(header)) {
      throw secretOptionError(`options.headers.${name}`, header, 'a string without line breaks');
    }
  }
  return value as Record<string, string>;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T {
  if (value === undefined) return allowed[0]!;
  if (!allowed.includes(value as T))
    throw optionError(option, value, allowed.map((m) => `'${m}'`).join(' or '));
  return value as T;
}

function ignoreOf(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((path) => typeof path === 'string' && path.length > 0)) {
    throw optionError('options.ignore', value, "an array of paths the server sets, like ['id', 'createdAt']");
  }
  return value as string[];
}
