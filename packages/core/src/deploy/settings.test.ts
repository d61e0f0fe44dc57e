import { describe, expect, it } from 'vitest';
import { actionInput, cliOption } from '../kernel/options.ts';
import { deploySettingsFrom } from './settings.ts';

const server = { name: 'churn', url: 'http://127.0.0.1:8080' };

describe('deploy settings', () => {
  it('default to the server target, replace, the gate on, and the production alias', () => {
    const { request, target } = deploySettingsFrom(server, {}, '.modelgate.yml', cliOption);
    expect(target).toEqual({ kind: 'server', url: 'http://127.0.0.1:8080' });
    expect(request).toMatchObject({
      name: 'churn',
      ref: 'latest',
      strategy: 'replace',
      requireGate: true,
      allowDowngrade: false,
      alias: 'production',
      environment: 'production',
    });
  });

  it('move the alias named after another environment, unless an alias is given', () => {
    expect(deploySettingsFrom({ ...server, environment: 'staging' }, {}, 'c', cliOption).request.alias).toBe(
      'staging',
    );
    expect(
      deploySettingsFrom({ ...server, environment: 'staging', alias: 'qa' }, {}, 'c', cliOption).request
        .alias,
    ).toBe('qa');
    expect(() => deploySettingsFrom({ ...server, environment: 'Prod EU' }, {}, 'c', actionInput)).toThrow(
      "environment 'Prod EU' cannot name the registry alias this deploy moves: give input 'alias'",
    );
  });

  it('take defaults from the config file, which flags override', () => {
    const config = {
      model: 'churn',
      deploy: {
        target: 'server',
        url: 'http://models:8080',
        strategy: 'canary',
        canary_percent: [5, 50],
        require_gate: false,
      },
    };
    const fromConfig = deploySettingsFrom({}, config, 'c', cliOption);
    expect(fromConfig.target).toEqual({ kind: 'server', url: 'http://models:8080' });
    expect(fromConfig.request).toMatchObject({
      strategy: 'canary',
      canarySteps: [5, 50, 100],
      requireGate: false,
    });
    const overridden = deploySettingsFrom(
      { url: 'http://127.0.0.1:1', 'require-gate': 'true' },
      config,
      'c',
      cliOption,
    );
    expect(overridden.target).toEqual({ kind: 'server', url: 'http://127.0.0.1:1' });
    expect(overridden.request.requireGate).toBe(true);
  });

  it('name the option or config key that is wrong', () => {
    expect(() => deploySettingsFrom({ name: 'churn' }, {}, 'c', cliOption)).toThrow(
      /the server target needs --url/,
    );
    expect(() => deploySettingsFrom({ ...server, url: 'ftp://x' }, {}, 'c', cliOption)).toThrow(
      "--url 'ftp://x' is not an http(s) URL",
    );
    expect(() => deploySettingsFrom({ ...server, 'canary-percent': '10,50' }, {}, 'c', cliOption)).toThrow(
      '--canary-percent only applies with strategy canary',
    );
    expect(() => deploySettingsFrom({ ...server, 'require-gate': 'yes' }, {}, 'c', actionInput)).toThrow(
      "input 'require-gate' is 'yes'; expected true or false",
    );
    expect(() => deploySettingsFrom({ ...server, target: 'kserve' }, {}, 'c', cliOption)).toThrow(
      /the kserve target needs --storage-uri/,
    );
    expect(() => deploySettingsFrom(server, { deploy: { urll: 'x' } }, 'c.yml', cliOption)).toThrow(
      "config file c.yml: unknown key 'deploy.urll'",
    );
  });
});
