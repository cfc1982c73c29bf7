/**
 * Reads a small text file (a config file) asynchronously with node:fs's callback readFile.
 * Not node:fs/promises: its first use loads internal modules that nothing else on a command's path
 * needs (FileHandle, streams, readline and the REPL history, 15 in all), on every command.
 * Asynchronous, not readFileSync: a FIFO in a config file's place must not block Ctrl-C.
 */
import { readFile } from 'node:fs';

export function readTextFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    readFile(file, 'utf8', (err, text) => (err ? reject(err) : resolve(text)));
  });
}
