import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { consoleDist } from '../api/app.js';
import { projectRoot } from './go-tools.js';

/** Builds the react-admin console once; later starts reuse admin/dist. */
export async function ensureConsoleBuilt(log: (line: string) => void): Promise<'built' | 'present'> {
  if (existsSync(path.join(consoleDist, 'index.html'))) return 'present';
  log('building the console (admin/dist), about 30 s the first time');
  const vite = path.join(projectRoot, 'node_modules', '.bin', 'vite');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(vite, ['build', '--config', 'admin/vite.config.ts', '--logLevel', 'warn'], { cwd: projectRoot, stdio: 'inherit' });
    child.on('error', () => resolve(-1));
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error('the console build failed (see the output above); `npm run build:admin` reproduces it');
  return 'built';
}
