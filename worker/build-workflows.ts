import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildWorkflowBundle } from './workflow-bundle.js';

/**
 * `npm run build:workflows [-- <file>]`: the workflows prebuilt for WORKFLOW_BUNDLE
 * (default worker/dist/workflows.js). Build it from the same commit the workers run: a
 * bundle from other code would replay histories with the wrong workflow code.
 */
const target = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, 'dist', 'workflows.js'));
const started = performance.now();
const code = await buildWorkflowBundle();
await mkdir(path.dirname(target), { recursive: true });
await writeFile(target, code);
console.log(`workflow bundle: ${target}, ${Math.round(code.length / 1024)} KiB in ${Math.round(performance.now() - started)} ms`);
