import { describe, expect, it } from 'vitest';
import type { ModelgateConfig } from '../../config/config.ts';
import { actionInput, cliOption, type OptionNamer } from '../../kernel/options.ts';
import { type RawDeployOptions, deploySettingsFrom as settingsFrom } from './settings.ts';

/** The settings from raw values and a config file's contents, read from `path`. */
const deploySettingsFrom = (
  raw: RawDeployOptions,
  config: ModelgateConfig,
  path: string,
  namer: OptionNamer,
) => settingsFrom(raw, { config, path }, namer);

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

describe('the smoke check’s wire', () => {
  it('is HTTP unless gRPC is asked for, and gRPC takes the server’s gRPC address', () => {
    expect(deploySettingsFrom(server, {}, 'c', cliOption).wire).toEqual({ kind: 'http' });
    const grpc = { ...server, wire: 'grpc', 'grpc-url': '127.0.0.1:8081' };
    expect(deploySettingsFrom(grpc, {}, 'c', cliOption).wire).toEqual({
      kind: 'grpc',
      url: 'grpc://127.0.0.1:8081',
    });
    const fromConfig = { deploy: { url: server.url, wire: 'grpc', grpc_url: 'grpc://models:9000' } };
    expect(deploySettingsFrom({ name: 'churn' }, fromConfig, 'c', actionInput).wire).toEqual({
      kind: 'grpc',
      url: 'grpc://models:9000',
    });
  });

  it('names the option that is wrong, as its giver names it', () => {
    expect(() => deploySettingsFrom({ ...server, wire: 'grpc' }, {}, 'c', actionInput)).toThrow(
      "input 'wire' grpc needs input 'grpc-url': where the model server speaks gRPC",
    );
    expect(() => deploySettingsFrom({ ...server, wire: 'grpc' }, {}, 'c', cliOption)).toThrow(
      '--wire grpc needs --grpc-url: where the model server speaks gRPC',
    );
    expect(() =>
      deploySettingsFrom(server, { deploy: { wire: 'grpc' } }, '.modelgate.yml', actionInput),
    ).toThrow(
      "'deploy.wire' in .modelgate.yml grpc needs input 'grpc-url': where the model server speaks gRPC",
    );
    expect(() => deploySettingsFrom({ ...server, wire: 'quic' }, {}, 'c', cliOption)).toThrow(
      "--wire 'quic' is not valid; expected one of http, grpc",
    );
    expect(() => deploySettingsFrom({ ...server, 'grpc-url': '127.0.0.1:1' }, {}, 'c', actionInput)).toThrow(
      "input 'grpc-url' only applies with input 'wire' grpc",
    );
    for (const bad of ['http://127.0.0.1:8081', '127.0.0.1', 'grpc://127.0.0.1:8081/v2']) {
      expect(() =>
        deploySettingsFrom({ ...server, wire: 'grpc', 'grpc-url': bad }, {}, 'c', cliOption),
      ).toThrow(`--grpc-url '${bad}' is not a gRPC address`);
    }
    expect(() =>
      deploySettingsFrom(
        { name: 'churn', target: 'command', command: 'true', wire: 'grpc', 'grpc-url': '127.0.0.1:1' },
        {},
        'c',
        cliOption,
      ),
    ).toThrow('--wire grpc applies to the server target; the command target is smoke-checked over HTTP');
  });
});

describe('the gate switch and the registry', () => {
  it('take --no-require-gate as false, but not together with --require-gate', () => {
    expect(
      deploySettingsFrom({ ...server, 'no-require-gate': true }, {}, 'c', cliOption).request.requireGate,
    ).toBe(false);
    expect(() =>
      deploySettingsFrom({ ...server, 'no-require-gate': true, 'require-gate': 'true' }, {}, 'c', cliOption),
    ).toThrow('give --require-gate or --no-require-gate, not both');
  });

  it('read the registry from the option, then the config file, then the default', () => {
    expect(deploySettingsFrom(server, {}, 'c', cliOption).registry).toBe('fs:.modelgate/registry');
    const config = { registry: { backend: 'github', repo: 'octo/models' } };
    expect(deploySettingsFrom(server, config, 'c', cliOption).registry).toBe('github:octo/models');
    expect(deploySettingsFrom({ ...server, registry: 'fs:r' }, config, 'c', cliOption).registry).toBe('fs:r');
    expect(() => deploySettingsFrom({ ...server, registry: 's3:x' }, {}, 'c', actionInput)).toThrow(
      /input 'registry'/,
    );
  });
});
