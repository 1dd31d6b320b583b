/** The `setpoint` command. */
export async function main(argv: readonly string[]): Promise<number> {
  process.stderr.write(
    `setpoint: the command line is not built yet (got: ${argv.join(' ') || 'no arguments'})\n`,
  );
  return 1;
}
