import { fetchUtils, HttpError } from 'react-admin';
import { authToken } from '../providers/authProvider';

/** The API's refusal body: a human message and a machine code (SPEC §5). */
export interface Refusal {
    message: string;
    code?: string;
}

/** Schema rules as a person says them; the pattern `\S` is the API's "not blank". */
const SENTENCES: Array<[RegExp, string]> = [
    [/^must match format "email"$/, 'Must be an email address'],
    [/^must match format "date-time"$/, 'Must be a date and time'],
    [/^must match pattern "\\S"$/, 'Required'],
    [/^must NOT have fewer than (\d+) characters$/, 'Must be at least $1 characters'],
    [/^must NOT have more than (\d+) characters$/, 'Must be at most $1 characters'],
    [/^must be equal to one of the allowed values$/, 'Choose one of the options'],
];

/** "must be >= 5" reads "Must be at least 5". */
const readable = (rule: string) => {
    const sentence = SENTENCES.find(([pattern]) => pattern.test(rule));
    if (sentence) {
        return rule.replace(sentence[0], sentence[1]);
    }
    const words = rule.replace(/>= /, 'at least ').replace(/<= /, 'at most ').replace(/> /, 'more than ').replace(/< /, 'less than ');
    return words.charAt(0).toUpperCase() + words.slice(1);
};

/** One schema error ("body/sessions must be >= 1") as [field, sentence]. */
const schemaError = (text: string): [string, string] | undefined => {
    const named = /^body\/(\w+) (.+)$/.exec(text);
    if (named) {
        return [named[1]!, readable(named[2]!)];
    }
    const missing = /^body must have required property '(\w+)'$/.exec(text);
    return missing ? [missing[1]!, 'Required'] : undefined;
};

/**
 * Fastify's schema errors name each field ("Invalid request: body/email must match format
 * "email", body/firstName must …"), and a refusal about one field says which (`field`), so
 * forms can show each under its field, as react-admin does with `body.errors`.
 */
export const fieldErrorsOf = (error: unknown, fieldsByCode: Record<string, string> = {}): Record<string, string> | undefined => {
    if (!(error instanceof HttpError)) {
        return undefined;
    }
    const body = (error.body ?? {}) as Partial<Refusal> & { field?: string };
    const message = body.message ?? error.message;
    if (message.startsWith('Invalid request: ')) {
        const errors = message
            .slice('Invalid request: '.length)
            .split(/, (?=body[/ ])/)
            .map(schemaError);
        if (errors.length > 0 && errors.every((entry) => entry !== undefined)) {
            return Object.fromEntries(errors as Array<[string, string]>);
        }
    }
    const field = body.field ?? (body.code ? fieldsByCode[body.code] : undefined);
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
