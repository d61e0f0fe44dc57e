import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../kernel/errors.ts';

/**
 * The JSON files an entry names: the file itself, or every `.json` file under a folder, at any
 * depth, sorted, that `accept` takes (an artifact download puts each artifact in a folder of its
 * own). A path that is not there comes back as it is, for its reader to name.
 */
export function jsonFilesOf(
  entry: string,
  what: string,
  accept: (path: string) => boolean = () => true,
): string[] {
  let directory = false;
  try {
    directory = statSync(entry).isDirectory();
  } catch {
    return [entry];
  }
  if (!directory) return [entry];
  const found = (readdirSync(entry, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(entry, name))
    .filter((path) => statSync(path).isFile() && accept(path));
  if (found.length === 0) throw new InputError(`folder ${entry} holds no ${what}`);
  return found;
}
