import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultToolCacheRoot, runtimeToolCache } from './tool-cache.ts';

describe('the tool cache', () => {
  it('is RUNNER_TOOL_CACHE on a runner, laid out as @actions/tool-cache lays out Node', () => {
    const cache = runtimeToolCache({ RUNNER_TOOL_CACHE: '/opt/hostedtoolcache' });
    expect(cache.root).toBe('/opt/hostedtoolcache');
    expect(cache.folder('1.30.0', 'linux-x64')).toBe(
      '/opt/hostedtoolcache/modelgate-onnxruntime/1.30.0/linux-x64',
    );
  });

  it("is under the user's cache folder off a runner, so a local run downloads once too", () => {
    expect(runtimeToolCache({ HOME: '/home/ada' }, 'linux').root).toBe(
      '/home/ada/.cache/modelgate/tool-cache',
    );
    expect(defaultToolCacheRoot({ HOME: '/home/ada', XDG_CACHE_HOME: '/var/cache/ada' }, 'linux')).toBe(
      '/var/cache/ada/modelgate/tool-cache',
    );
    expect(defaultToolCacheRoot({ HOME: '/Users/ada' }, 'darwin')).toBe(
      '/Users/ada/Library/Caches/modelgate/tool-cache',
    );
    expect(defaultToolCacheRoot({ LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'win32')).toBe(
      join('C:\\Users\\ada\\AppData\\Local', 'modelgate', 'tool-cache'),
    );
  });

  it('finds nothing where no complete entry is, and leaves RUNNER_TOOL_CACHE as it found it', () => {
    const before = process.env.RUNNER_TOOL_CACHE;
    expect(
      runtimeToolCache({ RUNNER_TOOL_CACHE: '/nonexistent/tool-cache' }).find('1.30.0', 'linux-x64'),
    ).toBe(undefined);
    expect(process.env.RUNNER_TOOL_CACHE).toBe(before);
  });
});
