import type { FastifyInstance } from 'fastify';
import { ConfigurationError } from '../config/settings.js';

/** Listens on host:port, answering a taken port with one clear message. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<void> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigurationError(`Port ${port} is already in use. Stop whatever listens there or set PORT to a free port.`);
    }
    throw error;
  }
}
