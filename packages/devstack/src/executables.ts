import fs from 'node:fs';
import path from 'node:path';

/**
 * Returns the first executable file called `name` in the PATH folders and then in
 * `extraFolders`, or undefined when there is none.
 */
export async function findExecutable(
  name: string,
  extraFolders: readonly string[] = [],
): Promise<string | undefined> {
  const pathFolders = (process.env.PATH ?? '').split(path.delimiter).filter((f) => f !== '');
  for (const folder of new Set([...pathFolders, ...extraFolders])) {
    const candidate = path.join(folder, name);
    if (await isExecutableFile(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await fs.promises.access(file, fs.constants.X_OK);
    return (await fs.promises.stat(file)).isFile();
  } catch {
    return false;
  }
}
