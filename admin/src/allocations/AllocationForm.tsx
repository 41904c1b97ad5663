import { Alert, Box, Button, Chip, Stack, Typography } from '@mui/material';
import { useState, type ReactNode } from 'react';
import {
    AutocompleteInput,
    DateInput,
    Form,
    NumberInput,
    ReferenceInput,
    required,
    TextInput,
    useDataProvider,
    useNotify,
    useRefresh,
} from 'react-admin';
import { useFormContext, useFormState, useWatch } from 'react-hook-form';
import { clientName, clientWithBalance, type ClientOption } from '../clients/clientName';
import { newIdempotencyKey } from '../commands/idempotencyKey';
import { callApi, fieldErrorsOf, messageOf } from '../commands/studioApi';
import { endOfStudioDay } from '../dates/formats';

const REASONS = ['Welcome offer', 'Goodwill gesture', 'Make-up for a studio cancellation', 'Promotion', 'Correction of a mistake'];

interface AllocationValues {
    userId?: number;
    sessions?: number;
    reason?: string;
    expiresOn?: string | null;
}

export interface AllocationAnswer {
    message: string;
    data: { userId: number; sessions: number; availableSessions: number; workflowId: string };
}

const notZero = (value: unknown) => (value === 0 ? 'Add or remove at least one session' : undefined);

const ReasonInput = () => {
    const { setValue } = useFormContext<AllocationValues>();
    return (
        <Box>
            <TextInput source="reason" label="Reason" validate={required()} fullWidth helperText="Kept in the client's ledger" />
            <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1, mt: -1, mb: 2 }}>
                {REASONS.map((reason) => (
                    <Chip
                        key={reason}
                        label={reason}
                        size="small"
                        variant="outlined"
                        onClick={() => setValue('reason', reason, { shouldDirty: true, shouldValidate: true })}
                    />
                ))}
            </Stack>
        </Box>
    );
};

/** Expiry is for credits given; removed credits come out of the lots that expire first. */
const ExpiryInput = () => {
    const sessions = useWatch<AllocationValues, 'sessions'>({ name: 'sessions' });
    if (typeof sessions === 'number' && sessions < 0) {
        return null;
    }
    return <DateInput source="expiresOn" label="Credits expire on (optional)" helperText="Leave empty: they never expire" />;
};

const SubmitButton = () => {
    const { isSubmitting } = useFormState();
    const sessions = useWatch<AllocationValues, 'sessions'>({ name: 'sessions' });
    const removing = typeof sessions === 'number' && sessions < 0;
    return (
        <Button type="submit" variant="contained" disabled={isSubmitting} color={removing ? 'warning' : 'primary'}>
            {removing ? 'Remove sessions' : 'Add sessions'}
        </Button>
    );
};

/**
 * Grants (positive) or removes (negative) sessions through the allocation workflow. One
 * idempotency key per form, renewed only after an answer, so a double click grants once.
 */
export const AllocationForm = ({
    client,
    onAllocated,
    actions,
}: {
    /** Fixed when opened from a client; otherwise the form asks for one. */
    client?: ClientOption;
    onAllocated?: (answer: AllocationAnswer) => void;
    actions?: ReactNode;
}) => {
    const dataProvider = useDataProvider();
    const notify = useNotify();
    const refresh = useRefresh();
    const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
    const [refusal, setRefusal] = useState<string>();
    const [done, setDone] = useState<string>();
    const [formKey, setFormKey] = useState(0);

    const submit = async (values: AllocationValues) => {
        setRefusal(undefined);
        const userId = client?.id ?? values.userId;
        try {
            const answer = await callApi<AllocationAnswer>('/api/sessions/add-to-user', {
                idempotencyKey,
                body: {
                    userId,
                    sessions: values.sessions,
                    reason: values.reason?.trim(),
                    // The end of the chosen day at the studio, wherever the browser is.
                    ...(values.expiresOn && (values.sessions ?? 0) > 0 ? { expiresAt: endOfStudioDay(values.expiresOn) } : {}),
                },
            });
            const balance = `${answer.data.availableSessions} available now`;
            const who = client ?? (await dataProvider.getOne<ClientOption>('clients', { id: answer.data.userId })).data;
            setDone(`${answer.message} ${clientName(who)} has ${balance}.`);
            notify(`${answer.message} New balance: ${balance}.`, { type: 'success' });
            refresh();
            setIdempotencyKey(newIdempotencyKey());
            setFormKey((previous) => previous + 1);
            onAllocated?.(answer);
            return undefined;
        } catch (error) {
            // The API keeps a refusal under its key; a corrected request is a new command.
            setIdempotencyKey(newIdempotencyKey());
            const errors = fieldErrorsOf(error, { REASON_REQUIRED: 'reason' });
            if (errors) {
                return errors;
            }
            setRefusal(messageOf(error));
            return undefined;
        }
    };

    return (
        <Form key={formKey} onSubmit={submit} defaultValues={{ reason: '' }}>
            <Stack sx={{ gap: 1 }}>
                {done && <Alert severity="success">{done}</Alert>}
                {refusal && <Alert severity="error">{refusal}</Alert>}
                {client ? (
                    <Typography variant="body2" color="text.secondary">
                        {clientWithBalance(client)}
                    </Typography>
                ) : (
                    <ReferenceInput source="userId" reference="clients" sort={{ field: 'lastName', order: 'ASC' }} perPage={50}>
                        <AutocompleteInput
                            label="Client"
                            optionText={clientWithBalance}
                            filterToQuery={(q) => ({ q })}
                            validate={required()}
                            fullWidth
                        />
                    </ReferenceInput>
                )}
                <NumberInput source="sessions" label="Sessions (+ to add, − to remove)" step={1} validate={[required(), notZero]} />
                <ReasonInput />
                <ExpiryInput />
                <Stack direction="row" sx={{ justifyContent: 'flex-end', gap: 1 }}>
                    {actions}
                    <SubmitButton />
                </Stack>
            </Stack>
        </Form>
    );
};
