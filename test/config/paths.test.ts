import { describe, expect, it } from 'vitest';
import { configDir, configFilePath, officialConfigPath } from '../../src/config/paths.js';

const base = { homeDir: '/home/u', cwd: '/work' };

describe('configDir', () => {
  it('prefers YOTTA_CONFIG_DIR, resolving a relative one from the working directory', () => {
    expect(configDir({ ...base, env: { YOTTA_CONFIG_DIR: '/etc/y', XDG_CONFIG_HOME: '/x' } })).toBe('/etc/y');
    expect(configDir({ ...base, env: { YOTTA_CONFIG_DIR: 'rel' } })).toBe('/work/rel');
  });
  it('uses $XDG_CONFIG_HOME/yotta when absolute, else ~/.config/yotta', () => {
    expect(configDir({ ...base, env: { XDG_CONFIG_HOME: '/x' } })).toBe('/x/yotta');
    expect(configDir({ ...base, env: { XDG_CONFIG_HOME: 'relative' } })).toBe('/home/u/.config/yotta');
    expect(configDir({ ...base, env: { YOTTA_CONFIG_DIR: '' } })).toBe('/home/u/.config/yotta');
  });
  it('puts config.json inside it, and the official CLI file in ~/.yotta/config', () => {
    expect(configFilePath({ ...base, env: {} })).toBe('/home/u/.config/yotta/config.json');
    expect(officialConfigPath(base)).toBe('/home/u/.yotta/config');
  });
});
