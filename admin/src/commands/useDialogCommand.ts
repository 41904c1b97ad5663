import { useState } from 'react';
import { newIdempotencyKey } from './idempotencyKey';
import { messageOf } from './studioApi';

/**
 * One command sent from an open dialog: one idempotency key while it is open (a double click
 * is one command), busy while it runs, and the API's refusal to show. The API keeps a refusal
 * under its key, so a corrected request after one is a new command with a new key.
 */
export function useDialogCommand() {
    const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
    const [busy, setBusy] = useState(false);
    const [refusal, setRefusal] = useState<string>();
    const run = async <T>(send: (idempotencyKey: string) => Promise<T>, done: (answer: T) => void) => {
        setBusy(true);
        setRefusal(undefined);
        try {
            done(await send(idempotencyKey));
        } catch (error) {
            setIdempotencyKey(newIdempotencyKey());
            setRefusal(messageOf(error));
            setBusy(false);
        }
    };
    return { busy, refusal, run };
}
