import type { FastifyRequest } from 'fastify';
import type { Actor } from '../model/vocabulary.js';

/** The signed-in user as the workflows record it. */
export function actorOf(request: FastifyRequest): Actor {
  return { id: request.user.sub, role: request.user.role };
}
