import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** npm's own default, used when nothing on the runner names another registry. */
export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';

/** The npm registry the runner's npm configuration names, read without npm. */
export interface NpmRegistry {
  /** The registry's base URL, always ending in `/`. */
  readonly url: string;
  /** Where the URL came from, for the log and for errors: a variable, a file, or npm's default. */
  readonly source: string;
  /** The bearer token the user config holds for this URL (`//host/path/:_authToken=…`), if any. */
  authTokenFor(url: string): string | undefined;
}

/**
 * The registry npm itself would use on this runner, in npm's order: `npm_config_registry` in the
 * environment (any case, as npm reads it), then the user config file (`NPM_CONFIG_USERCONFIG`,
 * which actions/setup-node writes, else `~/.npmrc`), then https://registry.npmjs.org/. A project's
 * own `.npmrc` is not read: it belongs to the repository, not to the runner.
 */
export function npmRegistryFrom(env: NodeJS.ProcessEnv, home: string = env.HOME || homedir()): NpmRegistry {
  const configPath = envConfig(env, 'userconfig') ?? join(home, '.npmrc');
  const config = readNpmrc(configPath, env);
  const fromEnv = envConfig(env, 'registry');
  const [url, source] =
    fromEnv !== undefined
      ? [fromEnv, 'npm_config_registry']
      : config.has('registry')
        ? [config.get('registry') as string, configPath]
        : [DEFAULT_NPM_REGISTRY, "npm's default"];
  return {
    url: url.endsWith('/') ? url : `${url}/`,
    source,
    authTokenFor: (target) => authTokenFor(config, target),
  };
}

/** The URL of a package's tarball, as the registry's own metadata names it (`<name>/-/<base>-<version>.tgz`). */
export function tarballUrl(registry: NpmRegistry, name: string, version: string): string {
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `${registry.url}${name}/-/${base}-${version}.tgz`;
}

/** An npm setting from the environment: npm takes `npm_config_<key>` in any case. */
function envConfig(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const wanted = `npm_config_${key}`;
  for (const [name, value] of Object.entries(env)) {
    if (name.toLowerCase() === wanted && value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/**
 * The `key=value` lines of an npmrc, with `${VAR}` expanded as npm does (setup-node writes
 * `_authToken=${NODE_AUTH_TOKEN}`). A missing file is an empty config, as it is to npm.
 */
function readNpmrc(path: string, env: NodeJS.ProcessEnv): Map<string, string> {
  const config = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return config;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = unquote(line.slice(eq + 1).trim()).replace(
      /\$\{([^}?]+)\??\}/g,
      (_, name: string) => env[name] ?? '',
    );
    config.set(key, value);
  }
  return config;
}

function unquote(value: string): string {
  return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
}

/** The token of the most specific `//host/path/:_authToken` key that covers `url`, as npm matches them. */
function authTokenFor(config: Map<string, string>, url: string): string | undefined {
  const target = url.replace(/^https?:/, '');
  let best: { scope: string; token: string } | undefined;
  for (const [key, token] of config) {
    if (!key.startsWith('//') || !key.endsWith(':_authToken') || token === '') continue;
    const scope = key.slice(0, -':_authToken'.length);
    const covers = target.startsWith(scope.endsWith('/') ? scope : `${scope}/`);
    if (covers && (best === undefined || scope.length > best.scope.length)) best = { scope, token };
  }
  return best?.token;
}
