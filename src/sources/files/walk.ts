import { opendir, readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, resolve } from 'node:path';

/** A regular file found under the given paths. */
export interface WalkedFile {
  path: string;
  size: number;
}

/** A path that could not be walked or read; nothing is skipped without one of these. */
export interface WalkError {
  path: string;
  error: string;
}

export type WalkEntry = WalkedFile | WalkError;

/**
 * Yields every regular file under the given files and directories, recursively, depth-first, in
 * byte-wise sorted order within each directory (stable across runs and locales). Symbolic links
 * are followed; a directory already being walked or walked before (a symlink loop, or two links
 * to one directory) is reported once as an error instead of being walked again, so loops end.
 * Unreadable paths, broken links and special files (FIFOs would block a reader) are errors.
 */
export async function* walkFiles(paths: string[]): AsyncGenerator<WalkEntry> {
  const seenDirs = new Set<string>();
  for (const p of paths) yield* walkPath(p, seenDirs);
}

async function* walkPath(path: string, seenDirs: Set<string>): AsyncGenerator<WalkEntry> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (err) {
    yield { path, error: describe(err, path) };
    return;
  }
  if (info.isFile()) {
    yield { path, size: info.size };
    return;
  }
  if (!info.isDirectory()) {
    yield { path, error: `not a regular file or directory (${kindOf(info)}); not read` };
    return;
  }
  // dev:ino identifies the directory whatever path or link reached it.
  const id = `${info.dev}:${info.ino}`;
  if (seenDirs.has(id)) {
    yield { path, error: 'directory already walked through another path (symbolic link loop or duplicate link); not walked again' };
    return;
  }
  seenDirs.add(id);
  let names: string[];
  try {
    names = await listDir(path);
  } catch (err) {
    yield { path, error: describe(err, path) };
    return;
  }
  names.sort(byteOrder);
  for (const name of names) yield* walkPath(join(path, name), seenDirs);
}

async function listDir(path: string): Promise<string[]> {
  const names: string[] = [];
  const dir = await opendir(path);
  for await (const entry of dir) names.push(entry.name);
  return names;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'a special file';
}

function describe(err: unknown, path: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist (or is a broken symbolic link)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    default:
      // Node's fs messages already name the path; add it when the error has none.
      return err instanceof Error ? err.message : `${String(err)} (${resolve(path)})`;
  }
}

export interface LocalFile {
  path: string;
  bytes: Buffer;
  size: number;
}

/**
 * Reads a whole local file. Refuses anything but a regular file, so a FIFO or device cannot
 * block the import; errors name the path and say what to check.
 */
export async function readLocalFile(path: string): Promise<LocalFile> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (err) {
    throw new Error(`${path}: ${describe(err, path)}`, { cause: err });
  }
  if (!info.isFile()) {
    throw new Error(`${path}: ${info.isDirectory() ? 'is a directory' : `not a regular file (${kindOf(info)})`}; not read`);
  }
  try {
    const bytes = await readFile(path);
    return { path, bytes, size: bytes.length };
  } catch (err) {
    throw new Error(`${path}: ${describe(err, path)}`, { cause: err });
  }
}
