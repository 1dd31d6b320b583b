/**
 * `${env:NAME}` in a string value is replaced by the environment variable `NAME`, and
 * `${file:PATH}` by the text of the file at PATH (relative to the config file's directory),
 * less one final newline:
 *
 * ```yaml
 * options: { baseUrl: "https://${env:API_HOST}/v1", token: "${env:API_TOKEN}" }
 * server: { token: "${file:secrets/status-token}" }
 * ```
 *
 * Both are secrets: redacted wherever they would show. Files are read before the text is
 * parsed (see `readFileRefs`), so substituting stays pure. Both kinds are replaced in one pass:
 * a value substituted is never read again for references.
 * A variable that is not set is an error (an empty one is fine: it is set). `$${env:NAME}` is
 * the escape for the literal text `${env:NAME}`. The result is always a string, even when it
 * looks like a number: `maxRetries: ${env:RETRIES}` is refused by the schema, by design, since
 * the substitution happens after YAML has decided the type.
 */
export interface Substitution {
  /** The text with every reference replaced. */
  readonly text: string;
  /** The values substituted, in order: secrets, for redaction. */
  readonly values: readonly string[];
  /** Names referenced but not set. */
  readonly missing: readonly string[];
  /** References that are not `${env:NAME}` with a valid NAME (or `${file:PATH}`), as written. */
  readonly invalid: readonly string[];
  /** `${file:PATH}` references whose file could not be read, with why. */
  readonly unreadable: readonly { readonly path: string; readonly reason: string }[];
}

/** The `${file:PATH}` references of a text, read: the path as written → its text, or why not. */
export type FileRefs = ReadonlyMap<string, { readonly text: string } | { readonly error: string }>;

const NO_FILES: FileRefs = new Map();

/** Where `${env:NAME}` references look: a variable's name to its value, `undefined` when not set. */
export type Env = Readonly<Record<string, string | undefined>>;

const REFERENCE = /\$\$\{(?:env|file):|\$\{(env|file):([^}]*)(\}?)/g;
/** Every `${file:PATH}` in a text, to read before substituting. */
export const FILE_REFERENCE = /(?<!\$)\$\{file:([^}]+)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function substituteEnv(text: string, env: Env, files: FileRefs = NO_FILES): Substitution {
  const values: string[] = [];
  const missing: string[] = [];
  const invalid: string[] = [];
  const unreadable: { path: string; reason: string }[] = [];
  if (!text.includes('{env:') && !text.includes('{file:')) {
    return { text, values, missing, invalid, unreadable };
  }
  const replaced = text.replace(
    REFERENCE,
    (whole: string, kind: string | undefined, name: string | undefined, close: string | undefined) => {
      if (kind === undefined) return whole.slice(1); // `$${env:` and `$${file:`: the literal text
      const bad = name === undefined || close !== '}' || (kind === 'env' ? !NAME.test(name) : name === '');
      if (bad) {
        invalid.push(whole.length > 40 ? `${whole.slice(0, 40)}…` : whole);
        return whole;
      }
      if (kind === 'file') {
        const read = files.get(name);
        if (read === undefined || 'error' in read) {
          unreadable.push({ path: name, reason: read?.error ?? 'it was not read' });
          return whole;
        }
        values.push(read.text);
        return read.text;
      }
      const value = Object.hasOwn(env, name) ? env[name] : undefined;
      if (typeof value !== 'string') {
        missing.push(name);
        return whole;
      }
      values.push(value);
      return value;
    },
  );
  return { text: replaced, values, missing, invalid, unreadable };
}
