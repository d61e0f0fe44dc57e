import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_NPM_REGISTRY, npmRegistryFrom, tarballUrl } from './npm-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'modelgate-npmrc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A home folder with the given ~/.npmrc (none when undefined). */
function home(npmrc?: string): string {
  const folder = mkdtempSync(join(dir, 'home-'));
  if (npmrc !== undefined) writeFileSync(join(folder, '.npmrc'), npmrc);
  return folder;
}

/** An npmrc file elsewhere, as actions/setup-node writes one and names it in NPM_CONFIG_USERCONFIG. */
function userconfig(text: string): string {
  const file = join(mkdtempSync(join(dir, 'setup-node-')), '.npmrc');
  writeFileSync(file, text);
  return file;
}

describe('npmRegistryFrom', () => {
  it("is npm's default registry when nothing on the runner names one", () => {
    const registry = npmRegistryFrom({}, home());
    expect(registry).toMatchObject({ url: DEFAULT_NPM_REGISTRY, source: "npm's default" });
    expect(registry.url).toBe('https://registry.npmjs.org/');
  });

  it('takes the registry= line of ~/.npmrc, adding the trailing slash a base URL needs', () => {
    const folder = home('; company mirror\nregistry = https://npm.example.com/repository/npm\n');
    expect(npmRegistryFrom({}, folder)).toMatchObject({
      url: 'https://npm.example.com/repository/npm/',
      source: join(folder, '.npmrc'),
    });
  });

  it('reads the file NPM_CONFIG_USERCONFIG names instead of ~/.npmrc, as setup-node sets it up', () => {
    const file = userconfig('registry=https://mirror.example.org/\nalways-auth=true\n');
    const registry = npmRegistryFrom(
      { NPM_CONFIG_USERCONFIG: file },
      home('registry=https://ignored.example.com/\n'),
    );
    expect(registry).toMatchObject({ url: 'https://mirror.example.org/', source: file });
  });

  it('lets npm_config_registry in the environment, in any case, win over the user config', () => {
    const folder = home('registry=https://from-file.example.com/\n');
    expect(npmRegistryFrom({ npm_config_registry: 'https://lower.example.com' }, folder)).toMatchObject({
      url: 'https://lower.example.com/',
      source: 'npm_config_registry',
    });
    expect(npmRegistryFrom({ NPM_CONFIG_REGISTRY: 'https://upper.example.com/' }, folder).url).toBe(
      'https://upper.example.com/',
    );
  });

  it('treats a user config file that does not exist as empty, as npm does', () => {
    const registry = npmRegistryFrom({ NPM_CONFIG_USERCONFIG: join(dir, 'missing', '.npmrc') }, home());
    expect(registry.url).toBe(DEFAULT_NPM_REGISTRY);
  });

  it('finds the token of the most specific //host/path/:_authToken line, with variables expanded, and none for another host', () => {
    const file = userconfig(
      [
        'registry=https://npm.example.com/repo/npm/',
        '//npm.example.com/:_authToken=host-wide',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: npmrc's own placeholder, as setup-node writes it
        '//npm.example.com/repo/npm/:_authToken=${NODE_AUTH_TOKEN}',
      ].join('\n'),
    );
    const registry = npmRegistryFrom({ NPM_CONFIG_USERCONFIG: file, NODE_AUTH_TOKEN: 's3cret' }, home());
    expect(registry.authTokenFor(tarballUrl(registry, 'onnxruntime-node', '1.30.0'))).toBe('s3cret');
    expect(registry.authTokenFor('https://npm.example.com/other/x.tgz')).toBe('host-wide');
    expect(registry.authTokenFor('https://npm.example.com.evil.test/repo/npm/x.tgz')).toBeUndefined();
    expect(registry.authTokenFor('https://registry.npmjs.org/x/-/x-1.0.0.tgz')).toBeUndefined();
  });
});

describe('tarballUrl', () => {
  it("is the path the registry's own metadata names, for plain and scoped packages", () => {
    const registry = npmRegistryFrom({ npm_config_registry: 'https://r.example.com/npm' }, home());
    expect(tarballUrl(registry, 'onnxruntime-common', '1.30.0')).toBe(
      'https://r.example.com/npm/onnxruntime-common/-/onnxruntime-common-1.30.0.tgz',
    );
    expect(tarballUrl(registry, '@scope/pkg', '2.0.0')).toBe(
      'https://r.example.com/npm/@scope/pkg/-/pkg-2.0.0.tgz',
    );
  });
});
