import type { FastifySchema } from 'fastify';

/** One route as the app registered it: what the authorization matrix and the fuzz suite walk. */
export interface RegisteredRoute {
  method: string;
  url: string;
  schema: FastifySchema | undefined;
}

/**
 * Collects every route of an app from Fastify's own onRoute hook (pass `onRoute` to
 * startStack), so a route added anywhere appears without anyone listing it. HEAD twins of
 * GET routes are left out: Fastify answers them with the GET handler.
 */
export function routeRecorder() {
  const seen: RegisteredRoute[] = [];
  return {
    onRoute: (route: RegisteredRoute) => void seen.push(route),
    routes: () => seen.filter((route) => route.method !== 'HEAD'),
  };
}

export const routeKey = (route: { method: string; url: string }) => `${route.method} ${route.url}`;

/** A route that answers with an endless event stream (its schema says it produces text/event-stream). */
export const isEventStream = (route: RegisteredRoute) =>
  ((route.schema as { produces?: readonly string[] } | undefined)?.produces ?? []).includes('text/event-stream');
