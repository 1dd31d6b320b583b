/**
 * Helpers shared by the exercise checks: property tests whose failures read as a hint, not as
 * a stack trace.
 */
import fc from 'fast-check';

function explain(what: string, details: fc.RunDetails<unknown>): Error {
  const cause = details.errorInstance;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new Error(
    `${what}\nSmallest failing input found: ${fc.stringify(details.counterexample)}\n${reason}`,
  );
}

/** Check `property` on 1,000 random inputs; on failure, throw `what` with the smallest counterexample. */
export function holds<Ts extends [unknown, ...unknown[]]>(
  what: string,
  property: fc.IProperty<Ts>,
  numRuns = 1000,
): void {
  const details = fc.check(property, { numRuns });
  if (details.failed) throw explain(what, details as fc.RunDetails<unknown>);
}

/** {@link holds} for an asynchronous property. */
export async function holdsAsync<Ts extends [unknown, ...unknown[]]>(
  what: string,
  property: fc.IAsyncProperty<Ts>,
  numRuns = 1000,
): Promise<void> {
  const details = await fc.check(property, { numRuns });
  if (details.failed) throw explain(what, details as fc.RunDetails<unknown>);
}
