import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack } from '@mui/material';
import { useState } from 'react';
import { DateTimeInput, Form, NumberInput, required, SelectInput, TextInput, useNotify } from 'react-admin';
import { useFormState, type FieldValues } from 'react-hook-form';
import { callApi, fieldErrorsOf, messageOf } from '../../commands/studioApi';
import { fromStudioWallTime, studioTimeZone, toStudioWallTime } from '../../dates/formats';
import { trainerName, type Trainer } from '../../trainers/useTrainers';

export interface Slot {
    start: Date;
    end: Date;
}

interface SessionValues {
    trainerId: number;
    startsAt: string;
    durationMinutes: number;
    capacity: number;
    location?: string;
    repeatWeeks: number;
}

const CreateButton = () => {
    const { isSubmitting } = useFormState();
    return (
        <Button type="submit" variant="contained" disabled={isSubmitting}>
            Create session
        </Button>
    );
};

/** A new session in the clicked slot, or a weekly series of them (`repeatWeeks`). */
export const CreateSessionDialog = ({
    slot,
    trainers,
    defaultTrainerId,
    onClose,
    onCreated,
}: {
    slot: Slot;
    trainers: Trainer[];
    defaultTrainerId: number | undefined;
    onClose: () => void;
    onCreated: () => void;
}) => {
    const notify = useNotify();
    const [refusal, setRefusal] = useState<string>();
    const selectedMinutes = Math.round((slot.end.getTime() - slot.start.getTime()) / 60_000);

    const submit = async (fields: FieldValues) => {
        const values = fields as SessionValues;
        setRefusal(undefined);
        try {
            const created = await callApi<{ series?: unknown[] }>('/api/sessions', {
                body: {
                    trainerId: values.trainerId,
                    startsAt: values.startsAt,
                    durationMinutes: values.durationMinutes,
                    capacity: values.capacity,
                    ...(values.location?.trim() ? { location: values.location.trim() } : {}),
                    ...(values.repeatWeeks > 0 ? { repeatWeeks: values.repeatWeeks } : {}),
                },
            });
            notify(created.series ? `${created.series.length} weekly sessions created.` : 'Session created.', { type: 'success' });
            onCreated();
            return undefined;
        } catch (error) {
            const errors = fieldErrorsOf(error, { INVALID_TRAINER: 'trainerId' });
            if (errors) {
                return errors;
            }
            setRefusal(messageOf(error));
            return undefined;
        }
    };

    return (
        <Dialog open onClose={onClose} maxWidth="sm" fullWidth aria-labelledby="create-session-title">
            <Form
                onSubmit={submit}
                defaultValues={{
                    trainerId: defaultTrainerId,
                    startsAt: slot.start.toISOString(),
                    // A click picks only a start; a personal-training session is an hour.
                    durationMinutes: selectedMinutes > 0 ? selectedMinutes : 60,
                    capacity: 1,
                    repeatWeeks: 0,
                }}
            >
                <DialogTitle id="create-session-title">New session</DialogTitle>
                <DialogContent>
                    <Stack>
                        {refusal && (
                            <Alert severity="error" sx={{ mb: 2 }}>
                                {refusal}
                            </Alert>
                        )}
                        <SelectInput
                            source="trainerId"
                            label="Trainer"
                            choices={trainers.map((trainer) => ({ id: trainer.id, name: trainerName(trainer) }))}
                            validate={required()}
                            readOnly={trainers.length === 1}
                        />
                        <DateTimeInput
                            source="startsAt"
                            label="Starts at"
                            helperText={`Studio time (${studioTimeZone()})`}
                            format={toStudioWallTime}
                            parse={fromStudioWallTime}
                            validate={required()}
                        />
                        <Stack direction="row" sx={{ gap: 2 }}>
                            <NumberInput source="durationMinutes" label="Minutes" step={15} validate={required()} />
                            <NumberInput source="capacity" label="Clients (capacity)" step={1} validate={required()} />
                        </Stack>
                        <TextInput source="location" label="Location (optional)" />
                        <NumberInput
                            source="repeatWeeks"
                            label="Repeat weekly"
                            helperText="How many more weeks, same day and time (0: just this one)"
                            step={1}
                        />
                    </Stack>
                </DialogContent>
                <DialogActions>
                    <Button onClick={onClose}>Cancel</Button>
                    <CreateButton />
                </DialogActions>
            </Form>
        </Dialog>
    );
};
