import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowInterceptorModules, workflowsPath } from './worker.js';

/**
 * The workflows and their interceptors as one file's code, as a worker bundles them at
 * start: `npm run build:workflows` writes it for WORKFLOW_BUNDLE, and the test setup
 * builds one for every worker of a run.
 */
export async function buildWorkflowBundle(warn: (line: string) => void = console.warn): Promise<string> {
  const quiet = () => {};
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules,
    logger: { trace: quiet, debug: quiet, info: quiet, log: quiet, warn, error: warn },
  });
  return bundle.code;
}
