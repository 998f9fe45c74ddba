// The consumer portal's page (docs/portal.md): three static files from src/portal/, read once at start,
// served at /portal with headers that keep it to itself: a CSP allowing only its own script, style and
// API calls, framing refused unless HERALD_PORTAL_FRAME_ANCESTORS names the sites that may frame it, no
// referrer, no caching. The page holds no secret but the session token it gets for the link's fragment.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const PORTAL_PATH = '/portal';

const FILES: Record<string, { file: string; type: string }> = {
  [PORTAL_PATH]: { file: 'index.html', type: 'text/html; charset=utf-8' },
  [`${PORTAL_PATH}/`]: { file: 'index.html', type: 'text/html; charset=utf-8' },
  [`${PORTAL_PATH}/app.js`]: { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  [`${PORTAL_PATH}/app.css`]: { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** The security headers of every portal answer; `frameAncestors` empty: no site may frame it. */
export function portalHeaders(frameAncestors: readonly string[]): Record<string, string> {
  const ancestors = frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'";
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "img-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${ancestors}`,
    ].join('; '),
    // For browsers without CSP frame-ancestors; it cannot name sites, so only when none may frame.
    ...(frameAncestors.length === 0 ? { 'x-frame-options': 'DENY' } : {}),
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
}

/** A handler for /portal and its files; false for any other path. */
export function createPortalHandler(
  frameAncestors: readonly string[],
): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  const dir = new URL('../portal/', import.meta.url);
  const bodies = new Map(Object.entries(FILES).map(([path, { file, type }]) => [path, { body: readFileSync(new URL(file, dir)), type }]));
  const headers = portalHeaders(frameAncestors);
  return (req, res, path) => {
    const found = bodies.get(path);
    if (!found) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'MethodNotAllowedError', message: `${req.method} is not allowed on ${path}` }));
      return true;
    }
    res.writeHead(200, { ...headers, 'content-type': found.type, 'content-length': String(found.body.length) });
    res.end(req.method === 'HEAD' ? undefined : found.body);
    return true;
  };
}
