import { describe, expect, it } from 'vitest';
import { regionDisplayName } from '../../src/sandbox/catalog.js';

describe('regionDisplayName', () => {
  it('names us-east-1 "US East", as Yotta shows it', () => {
    expect(regionDisplayName('us-east-1')).toBe('US East');
  });

  it.each([
    ['us-west-1', 'US West'],
    ['us-east-2', 'US East 2'],
    ['us-central-7', 'US Central 7'],
    ['ap-southeast-1', 'AP Southeast'],
    ['eu-2', 'EU 2'],
    ['eu', 'EU'],
    ['1', '1'],
  ])('extends that rule to %s → %s', (code, name) => {
    expect(regionDisplayName(code)).toBe(name);
  });
});
