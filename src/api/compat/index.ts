// The seeds' own webhook APIs beside Herald's /v1: daimon.email at /compat/daimon/v1, AgentMail at
// /compat/agentmail/v0, Sendmux at /compat/sendmux/api/v1. Each face maps its documented requests,
// answers and errors onto the same procedures, with the same API keys (docs/compat.md).
import type { AppDeps } from '../context.js';
import { agentmailFace } from './agentmail.js';
import { daimonFace } from './daimon.js';
import { createFacesHandler, type FaceHandlerOptions } from './face-kit.js';
import { sendmuxFace } from './sendmux.js';

export const COMPAT_PREFIX = '/compat/';

export function createCompatHandler(deps: AppDeps, options: Omit<FaceHandlerOptions, 'deps'>) {
  return createFacesHandler([daimonFace(deps.config), agentmailFace(), sendmuxFace(deps.config.api.publicUrl)], { deps, ...options });
}
