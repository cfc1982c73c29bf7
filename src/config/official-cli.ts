/**
 * Read-only access to `~/.yotta/config`, the INI file of Yotta's official Python CLI: one section per
 * profile, keys `api_key` and `base_url`. The parser follows Python's configparser defaults, since
 * that is what writes and reads the file: `=` or `:` between key and value, keys case-insensitive,
 * whole-line comments starting with `#` or `;` (no inline comments), indented continuation lines,
 * a `[DEFAULT]` section whose values every section inherits, and duplicate sections or keys refused.
 * No `%` interpolation: a key holds none, and expanding it would change what the user wrote.
 */
import { readTextFile } from './read-text.js';
import { ConfigError } from '../errors.js';

/** Sections of an INI file, in order; keys are lower-cased. */
export type IniSections = Map<string, Map<string, string>>;

/** The section name configparser treats as defaults for every other section. */
const DEFAULT_SECTION = 'DEFAULT';

/** Parses INI text with configparser's default rules; `file` names it in errors (`file:line: ...`). */
export function parseIni(text: string, file: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | undefined;
  let currentName = '';
  let lastKey: string | undefined;
  let lastIndent = 0;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const fail = (what: string): never => {
      throw new ConfigError(`${file}:${lineNo}: ${what}`, "This file belongs to Yotta's official CLI; yotta only reads it.");
    };
    const stripped = raw.trim();
    if (stripped === '' || stripped.startsWith('#') || stripped.startsWith(';')) {
      // A blank line ends a multi-line value. (configparser keeps it when more indented lines follow;
      // no key or URL spans lines, so nothing this file is read for can hold one.)
      if (stripped === '') lastKey = undefined;
      return;
    }
    const indent = raw.length - raw.trimStart().length;
    if (current && lastKey !== undefined && indent > lastIndent) {
      current.set(lastKey, `${current.get(lastKey) ?? ''}\n${stripped}`);
      return;
    }
    const header = /^\[(.+)\]$/.exec(stripped);
    if (header) {
      const name = header[1]!.trim();
      if (sections.has(name)) fail(`section [${name}] appears twice`);
      current = new Map();
      currentName = name;
      sections.set(name, current);
      lastKey = undefined;
      return;
    }
    if (!current) fail('a key comes before any [section] header');
    const at = firstDelimiter(stripped);
    if (at < 0) fail('expected "key = value" or a [section] header');
    const key = stripped.slice(0, at).trim().toLowerCase();
    if (key === '') fail('a line has a value but no key');
    if (current!.has(key)) fail(`key "${key}" appears twice in section [${currentName}]`);
    current!.set(key, stripped.slice(at + 1).trim());
    lastKey = key;
    lastIndent = indent;
  });
  return sections;
}

function firstDelimiter(line: string): number {
  const eq = line.indexOf('=');
  const colon = line.indexOf(':');
  if (eq < 0) return colon;
  if (colon < 0) return eq;
  return Math.min(eq, colon);
}

/** The values of one section, with `[DEFAULT]`'s filled in; undefined when the section is absent. */
export function iniSection(sections: IniSections, name: string): Map<string, string> | undefined {
  const own = sections.get(name);
  if (!own) return undefined;
  const defaults = name === DEFAULT_SECTION ? undefined : sections.get(DEFAULT_SECTION);
  return new Map([...(defaults ?? []), ...own]);
}

/** What the official CLI's file says for one profile. Empty values count as absent. */
export interface OfficialProfile {
  file: string;
  apiKey?: string;
  baseUrl?: string;
}

/**
 * Reads profile `name` of the official CLI's file at `file`. Undefined when the file or the section
 * does not exist; ConfigError (naming the file) when it cannot be read or parsed.
 */
export async function readOfficialProfile(file: string, name: string): Promise<OfficialProfile | undefined> {
  let text: string;
  try {
    text = await readTextFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : String(code ?? err);
    throw new ConfigError(`cannot read ${file} (the file of Yotta's official CLI): ${why}`);
  }
  const section = iniSection(parseIni(text, file), name);
  if (!section) return undefined;
  const apiKey = section.get('api_key');
  const baseUrl = section.get('base_url');
  return { file, ...(apiKey ? { apiKey } : {}), ...(baseUrl ? { baseUrl } : {}) };
}
