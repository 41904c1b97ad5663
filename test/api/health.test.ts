import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ CONSOLE_ORIGIN: 'http://console.example' });
});
afterAll(() => stack?.close());

describe('operations endpoints', () => {
  it('/healthz is alive and /readyz checks the database and Temporal for real', async () => {
    expect((await stack.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await stack.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: 'ok', temporal: 'ok' });
  });

  it('/readyz answers 503 naming the database when it is gone', async () => {
    const { buildApp } = await import('../../api/app.js');
    const { openDatabase } = await import('../../model/orm.js');
    const orm = await openDatabase(stack.settings.databaseUrl!, 1);
    const app = await buildApp({ settings: stack.settings, orm, temporal: stack.temporal });
    await orm.close(true);
    const response = await app.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'not ready', temporal: 'ok', database: expect.stringMatching(/^unreachable/) });
    await app.close();
  });

  it('/docs serves the OpenAPI document built from the route schemas', async () => {
    const spec = (await stack.app.inject({ url: '/docs/json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/sessions/book/{userId}',
        '/api/sessions/add-to-user',
        '/api/sessions/user-summary/{userId}',
      ]),
    );
    expect(spec.paths['/api/sessions/book/{userId}'].post.requestBody.content['application/json'].schema.required).toEqual(['sessionId']);
    expect((await stack.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('sends security headers, JSON 404s, and CORS only to the console origin', async () => {
    const response = await stack.app.inject({ url: '/api/nothing-here', headers: { origin: 'http://evil.example' } });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ message: 'No route for GET /api/nothing-here', code: 'NOT_FOUND' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await stack.app.inject({ url: '/healthz', headers: { origin: 'http://console.example' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://console.example');
    expect(allowed.headers['access-control-expose-headers']).toContain('Content-Range');
  });
});
