import { fetchUtils, HttpError } from 'react-admin';
import { authToken } from '../providers/authProvider';

/** The API's refusal body: a human message and a machine code (SPEC §5). */
export interface Refusal {
    message: string;
    code?: string;
}

/** "must be >= 5" reads "Must be at least 5". */
const readable = (rule: string) => {
    const words = rule.replace(/>= /, 'at least ').replace(/<= /, 'at most ').replace(/> /, 'more than ').replace(/< /, 'less than ');
    return words.charAt(0).toUpperCase() + words.slice(1);
};

/**
 * Fastify's schema errors name the field ("Invalid request: body/sessions must be >= 1"), so
 * forms can show them under that field, as react-admin does with `body.errors`.
 */
export const fieldErrorsOf = (error: unknown, fieldsByCode: Record<string, string> = {}): Record<string, string> | undefined => {
    if (!(error instanceof HttpError)) {
        return undefined;
    }
    const body = (error.body ?? {}) as Partial<Refusal>;
    const message = body.message ?? error.message;
    const schemaError = /^Invalid request: body\/(\w+) (.+)$/.exec(message);
    if (schemaError) {
        return { [schemaError[1]!]: readable(schemaError[2]!) };
    }
    const missing = /^Invalid request: body must have required property '(\w+)'$/.exec(message);
    if (missing) {
        return { [missing[1]!]: 'Required' };
    }
    const field = body.code ? fieldsByCode[body.code] : undefined;
    return field ? { [field]: message } : undefined;
};

export const messageOf = (error: unknown): string =>
    error instanceof Error && error.message ? error.message : 'The request failed; nothing was changed.';

export const httpClient = async (url: string, options: fetchUtils.Options = {}) => {
    const token = authToken();
    try {
        return await fetchUtils.fetchJson(url, {
            ...options,
            user: { authenticated: token !== null, token: `Bearer ${token}` },
        });
    } catch (error) {
        const errors = fieldErrorsOf(error);
        if (errors && error instanceof HttpError) {
            throw new HttpError(error.message, error.status, { ...(error.body as object), errors });
        }
        throw error;
    }
};

/**
 * The action routes beside the simple-REST resources (booking, allocation, refunds …).
 * `idempotencyKey` makes a repeated request (a double click, a retry) one command.
 */
export const callApi = async <T>(
    path: string,
    { method = 'POST', body, idempotencyKey }: { method?: string; body?: unknown; idempotencyKey?: string } = {},
): Promise<T> => {
    const headers = new Headers({ Accept: 'application/json' });
    if (idempotencyKey) {
        headers.set('Idempotency-Key', idempotencyKey);
    }
    const { json } = await httpClient(path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return json as T;
};
