/** One HTTP answer as a scenario sees it: status, parsed body, how long it took; `timedOut` when none came in time. */
export interface Answer {
  status: number;
  body: { code?: string; message?: string; [key: string]: unknown };
  headers: Headers | undefined;
  ms: number;
  timedOut: boolean;
}

export async function call(
  base: string,
  method: string,
  url: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.raw;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const started = performance.now();
  try {
    const response = await fetch(`${base}${url}`, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    const text = await response.text();
    let parsed: Answer['body'] = {};
    try {
      parsed = JSON.parse(text) as Answer['body'];
    } catch {
      parsed = { message: text };
    }
    return { status: response.status, body: parsed, headers: response.headers, ms: performance.now() - started, timedOut: false };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    // No answer at all (refused connection, reset): status 0, told apart from a timeout.
    return { status: 0, body: { message: String(error) }, headers: undefined, ms: performance.now() - started, timedOut };
  }
}

/** `200`, `409 SESSION_FULL`, `timeout`, `no answer`: how outcomes are counted. */
export const outcomeOf = (answer: Answer) =>
  answer.timedOut
    ? 'timeout'
    : answer.status === 0
      ? 'no answer'
      : answer.body.code
        ? `${answer.status} ${answer.body.code}`
        : String(answer.status);

/** A refusal as the contract wants it: 4xx with a human message and a machine code. */
export const isCleanRefusal = (answer: Answer) =>
  answer.status >= 400 && answer.status < 500 && typeof answer.body.message === 'string' && typeof answer.body.code === 'string';
