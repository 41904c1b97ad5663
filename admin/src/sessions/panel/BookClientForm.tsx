import { Alert, Button, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { BooleanInput, Form, useNotify, usePermissions } from 'react-admin';
import { useFormState, useWatch } from 'react-hook-form';
import { clientName } from '../../clients/clientName';
import { newIdempotencyKey } from '../../commands/idempotencyKey';
import { callApi, messageOf } from '../../commands/studioApi';
import type { Session } from '../session';
import { ClientToBookInput, type ClientToBook } from './ClientToBookInput';

interface BookValues {
    userId?: number;
    complimentary?: boolean;
}

/** The chosen client's standing beside the form, flagged when the API counts it as low. */
const ChosenClient = ({ client }: { client: ClientToBook | null }) => {
    const complimentary = useWatch<BookValues, 'complimentary'>({ name: 'complimentary' });
    if (!client || complimentary) {
        return null;
    }
    const name = clientName(client);
    if (!client.hasCredit) {
        return <Alert severity="warning">{name} has no sessions left; the desk can add some before booking.</Alert>;
    }
    if (client.availableSessions === undefined) {
        return null;
    }
    if (client.lowBalance) {
        return (
            <Alert severity="warning">
                {name} has {client.availableSessions} session{client.availableSessions === 1 ? '' : 's'} left. Running low.
            </Alert>
        );
    }
    return (
        <Typography variant="body2" color="text.secondary">
            {name} has {client.availableSessions} available.
        </Typography>
    );
};

const BookButton = () => {
    const { isSubmitting } = useFormState();
    return (
        <Button type="submit" variant="contained" disabled={isSubmitting}>
            Book client
        </Button>
    );
};

/** Books a client into the session through book-to-deduct; one idempotency key per booking attempt. */
export const BookClientForm = ({ session, onBooked }: { session: Session; onBooked: () => void }) => {
    const notify = useNotify();
    const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
    const [refusal, setRefusal] = useState<string>();
    const [formKey, setFormKey] = useState(0);
    const [chosen, setChosen] = useState<ClientToBook | null>(null);
    const { permissions } = usePermissions<string>();

    const submit = async (values: BookValues) => {
        setRefusal(undefined);
        try {
            const answer = await callApi<{ message: string; availableSessions?: number }>(`/api/sessions/book/${values.userId}`, {
                idempotencyKey,
                body: { sessionId: session.id, ...(values.complimentary ? { complimentary: true } : {}) },
            });
            notify(
                answer.availableSessions === undefined
                    ? answer.message
                    : `${answer.message} ${answer.availableSessions} session${answer.availableSessions === 1 ? '' : 's'} left.`,
                { type: 'success' },
            );
            setIdempotencyKey(newIdempotencyKey());
            setFormKey((previous) => previous + 1);
            setChosen(null);
            onBooked();
        } catch (error) {
            setRefusal(messageOf(error));
            // A refusal is an answer: trying again (another client, complimentary) is a new booking.
            setIdempotencyKey(newIdempotencyKey());
        }
    };

    return (
        <Form key={formKey} onSubmit={submit}>
            <Stack sx={{ gap: 1 }}>
                <Typography variant="overline" component="h3">
                    Book a client
                </Typography>
                {refusal && <Alert severity="error">{refusal}</Alert>}
                <ClientToBookInput sessionId={session.id} onChosen={setChosen} />
                <ChosenClient client={chosen} />
                {permissions === 'admin' && (
                    <BooleanInput source="complimentary" label="Complimentary (holds no credit)" helperText={false} />
                )}
                <Stack direction="row" sx={{ justifyContent: 'flex-end' }}>
                    <BookButton />
                </Stack>
            </Stack>
        </Form>
    );
};
