// The worker's workflowsPath: every workflow type Herald runs.
export { deliveryWorkflow } from './delivery.js';
export { webhookHealthWorkflow } from './webhook-health.js';
