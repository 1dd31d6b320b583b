/**
 * `${env:NAME}` in a string value is replaced by the environment variable `NAME`:
 *
 * ```yaml
 * options: { baseUrl: "https://${env:API_HOST}/v1", token: "${env:API_TOKEN}" }
 * ```
 *
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
  /** References that are not `${env:NAME}` with a valid NAME, as written. */
  readonly invalid: readonly string[];
}

/** Where `${env:NAME}` references look: a variable's name to its value, `undefined` when not set. */
export type Env = Readonly<Record<string, string | undefined>>;

const REFERENCE = /\$\$\{env:|\$\{env:([^}]*)(\}?)/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function substituteEnv(text: string, env: Env): Substitution {
  const values: string[] = [];
  const missing: string[] = [];
  const invalid: string[] = [];
  if (!text.includes('{env:')) return { text, values, missing, invalid };
  const replaced = text.replace(
    REFERENCE,
    (whole: string, name: string | undefined, close: string | undefined) => {
      if (whole === '$${env:') return '${env:';
      if (name === undefined || close !== '}' || !NAME.test(name)) {
        invalid.push(whole.length > 40 ? `${whole.slice(0, 40)}…` : whole);
        return whole;
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
  return { text: replaced, values, missing, invalid };
}
