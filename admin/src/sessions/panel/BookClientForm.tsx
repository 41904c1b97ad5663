import { Alert, Button, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { AutocompleteInput, BooleanInput, Form, ReferenceInput, required, useGetOne, useNotify } from 'react-admin';
import { useFormState, useWatch } from 'react-hook-form';
import { clientName, clientWithBalance, type ClientOption } from '../../clients/clientName';
import { newIdempotencyKey } from '../../commands/idempotencyKey';
import { callApi, messageOf } from '../../commands/studioApi';
import type { Session } from '../session';

interface BookValues {
    userId?: number;
    complimentary?: boolean;
}

/** The chosen client's balance beside the form, flagged when the API counts it as low. */
const ChosenClient = () => {
    const userId = useWatch<BookValues, 'userId'>({ name: 'userId' });
    const complimentary = useWatch<BookValues, 'complimentary'>({ name: 'complimentary' });
    const { data: client } = useGetOne<ClientOption>('clients', { id: userId ?? 0 }, { enabled: userId !== undefined });
    if (!client || userId === undefined) {
        return null;
    }
    if (client.lowBalance && !complimentary) {
        return (
            <Alert severity="warning">
                {clientName(client)} has {client.availableSessions} session{client.availableSessions === 1 ? '' : 's'} left . Running low.
            </Alert>
        );
    }
    return (
        <Typography variant="body2" color="text.secondary">
            {clientName(client)} has {client.availableSessions} available.
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
                <ReferenceInput source="userId" reference="clients" sort={{ field: 'lastName', order: 'ASC' }} perPage={50}>
                    <AutocompleteInput
                        label="Client"
                        optionText={clientWithBalance}
                        filterToQuery={(q) => ({ q })}
                        validate={required()}
                        helperText={false}
                    />
                </ReferenceInput>
                <ChosenClient />
                <BooleanInput source="complimentary" label="Complimentary (holds no credit)" helperText={false} />
                <Stack direction="row" sx={{ justifyContent: 'flex-end' }}>
                    <BookButton />
                </Stack>
            </Stack>
        </Form>
    );
};
