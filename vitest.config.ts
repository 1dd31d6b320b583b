import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts', 'exercises/**/*.test.ts'],
    exclude: ['exercises/**/check.test.ts', 'node_modules/**', 'dist/**'],
    pool: 'forks',
    testTimeout: 60_000,
  },
});
