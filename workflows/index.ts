// The worker's workflowsPath: every workflow type Herald runs.
export { deliveryWorkflow } from './delivery.js';
export { fanOutWorkflow } from './fan-out.js';
export { reconcilerWorkflow } from './reconciler.js';
export { recoverWorkflow } from './recover.js';
export { retentionWorkflow } from './retention.js';
export { webhookHealthWorkflow } from './webhook-health.js';
