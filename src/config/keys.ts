/** The keys `yotta config` reads and writes, what each means, and the checks on their values. */
import { UsageError } from '../errors.js';
import { parseDuration } from '../duration.js';
import { validateBaseUrl } from '../api/client.js';
import { editDistance } from '../spec/suggest.js';

export { OUTPUT_FORMATS, isOutputFormat } from '../globals.js';
import { OUTPUT_FORMATS, isOutputFormat } from '../globals.js';

/** Keys a user may set with `yotta config set`. (`api-key` is stored too, but only by `auth login`.) */
export const CONFIG_KEYS = ['base-url', 'output', 'wait-timeout'] as const;
/** A key of `yotta config`. */
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** One line per key, for help text and the README. */
export const CONFIG_KEY_HELP: Readonly<Record<ConfigKey, string>> = {
  'base-url': 'API base URL (https://, or http:// on localhost only); default https://api.yottalabs.ai',
  output: `default output format: ${OUTPUT_FORMATS.join(', ')}`,
  'wait-timeout': 'default time --wait waits, e.g. 10m, 1h30m',
};

/** The candidate closest to `word` (at most 3 edits, or a prefix), if any. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase().replace(/_/g, '-');
  let best: string | undefined;
  let bestDistance = 4;
  for (const c of candidates) {
    const d = c.startsWith(w) && w.length >= 2 ? 1 : editDistance(w, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Checks a key named on the command line; UsageError with a did-you-mean, or a pointer to `auth` for the API key. */
export function checkConfigKey(key: string, verb: 'get' | 'set' | 'unset'): ConfigKey {
  if ((CONFIG_KEYS as readonly string[]).includes(key)) return key as ConfigKey;
  if (/^api[-_]?key$/i.test(key)) {
    switch (verb) {
      case 'set':
        throw new UsageError(
          'the API key is not set with `yotta config set` (a value on the command line ends up in shell history and the process list)',
          'Run `yotta auth login`, which asks for it with hidden input, or `yotta auth login --with-token < key.txt`.',
        );
      case 'unset':
        throw new UsageError('the API key is removed with `yotta auth logout`', 'Run `yotta auth logout`.');
      case 'get':
        throw new UsageError('the API key is never printed', 'Run `yotta auth status` to see it masked, with where it comes from.');
    }
  }
  const guess = closestMatch(key, CONFIG_KEYS);
  throw new UsageError(
    `unknown config key "${key}"${guess ? `; did you mean "${guess}"?` : ''}`,
    `Keys: ${CONFIG_KEYS.join(', ')}.`,
  );
}

/** Checks `value` for `key` and returns what to store; UsageError naming the key when it is not valid. */
export function normalizeConfigValue(key: ConfigKey, value: string): string {
  const v = value.trim();
  switch (key) {
    case 'base-url':
      validateBaseUrl(v);
      return v.replace(/\/+$/, '');
    case 'output': {
      const format = v.toLowerCase();
      if (!isOutputFormat(format)) {
        const guess = closestMatch(format, OUTPUT_FORMATS);
        throw new UsageError(
          `output "${value}" is not a format${guess ? `; did you mean "${guess}"?` : ''}`,
          `Formats: ${OUTPUT_FORMATS.join(', ')}.`,
        );
      }
      return format;
    }
    case 'wait-timeout':
      parseDuration(v, 'wait-timeout');
      return v;
  }
}
