import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowInterceptorModules, workflowsPath } from '../../worker/worker.js';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

describe('the workflow bundle', () => {
  it('builds from workflows/ and its interceptors with no Node-only imports', async () => {
    const bundle = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: quiet });
    expect(bundle.code).toContain('bookToDeduct');
    expect(bundle.code).toContain('allocation');
    expect(bundle.code).toContain('workflows/request-ids.ts');
    expect(bundle.code).not.toMatch(/require\(["'](node:)?(fs|net|pg)["']\)/);
  });

  it('is refused when a workflow imports a Node module, so the check above can fail', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/workflow-with-io.ts', import.meta.url));
    const complaints: string[] = [];
    const logger = {
      ...quiet,
      error: (message: string, meta?: unknown) => void complaints.push(`${message} ${JSON.stringify(meta ?? '')}`),
    };
    await expect(bundleWorkflowCode({ workflowsPath: fixture, logger })).rejects.toThrow(/Webpack finished with errors/);
    expect(complaints.join('\n')).toMatch(/node:fs/);
  });
});
