/**
 * The environment for a child `npm`: this process's, less what an outer `npm test` says about
 * the package it runs in (its scripts, its directory, its prefix), which would otherwise steer
 * an `npm install` or `npm run` in another directory.
 */
export function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm_package_|npm_lifecycle_|npm_config_(prefix|global|local_prefix)$|INIT_CWD$)/i.test(name)) {
      env[name] = value;
    }
  }
  return env;
}
