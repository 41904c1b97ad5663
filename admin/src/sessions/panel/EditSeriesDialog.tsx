import {
    Alert,
    Button,
    Dialog,
    DialogActions,
    DialogContent,
    DialogContentText,
    DialogTitle,
    MenuItem,
    Stack,
    TextField,
} from '@mui/material';
import { DateTime } from 'luxon';
import { useState } from 'react';
import { callApi } from '../../commands/studioApi';
import { useDialogCommand } from '../../commands/useDialogCommand';
import { formatDay, formatWhen, studioTimeZone } from '../../dates/formats';
import { trainerName, useTrainers } from '../../trainers/useTrainers';
import type { Session } from '../session';

interface EditedSeries {
    sessions: Session[];
    movedBookings: number;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** "14:30", the studio's wall clock of an instant, as a time input holds it. */
const studioClock = (value: string) => DateTime.fromISO(value, { zone: studioTimeZone() }).toFormat('HH:mm');

/** Edits this session and every later one of its series: start time (studio time), trainer, capacity, all or nothing. */
export const EditSeriesDialog = ({ session, onClose, onEdited }: { session: Session; onClose: () => void; onEdited: () => void }) => {
    const { trainers } = useTrainers();
    const { busy, refusal, run } = useDialogCommand();
    const [startTime, setStartTime] = useState(() => studioClock(session.startsAt));
    const [trainerId, setTrainerId] = useState(session.trainerId);
    const [capacity, setCapacity] = useState(String(session.capacity));
    const [result, setResult] = useState<EditedSeries>();
    const changes = {
        ...(startTime !== studioClock(session.startsAt) ? { startTime } : {}),
        ...(trainerId !== session.trainerId ? { trainerId } : {}),
        ...(Number(capacity) !== session.capacity ? { capacity: Number(capacity) } : {}),
    };
    const changed = Object.keys(changes).length > 0 && Number.isInteger(Number(capacity)) && Number(capacity) >= 1;

    const save = () =>
        run(
            (idempotencyKey) =>
                callApi<EditedSeries>(`/api/admin/series/${session.seriesId}`, {
                    method: 'PATCH',
                    idempotencyKey,
                    body: { from: session.startsAt, ...changes },
                }),
            (answer) => {
                setResult(answer);
                onEdited();
            },
        );

    const first = result?.sessions[0];
    const last = result?.sessions[result.sessions.length - 1];
    return (
        <Dialog open onClose={onClose} maxWidth="xs" fullWidth aria-labelledby="edit-series-title">
            <DialogTitle id="edit-series-title">Edit series from here</DialogTitle>
            <DialogContent>
                {result ? (
                    <Alert severity="success" role="status">
                        {plural(result.sessions.length, 'session')} changed
                        {first && last ? `, ${formatDay(first.startsAt)} – ${formatDay(last.startsAt)}` : ''}
                        {first ? ` (now ${formatWhen(first.startsAt)} with ${first.trainerName}, ${first.capacity} places)` : ''}.{' '}
                        {result.movedBookings === 0
                            ? 'No booking had to move.'
                            : `${plural(result.movedBookings, 'booking')} kept at the new time; their reminders follow.`}
                    </Alert>
                ) : (
                    <Stack sx={{ gap: 2 }}>
                        <DialogContentText>
                            The session of {formatWhen(session.startsAt)} and every later one of its series change together. One clash with
                            the trainer&apos;s other sessions refuses the whole edit.
                        </DialogContentText>
                        {refusal && <Alert severity="error">{refusal}</Alert>}
                        <TextField
                            label="Start time"
                            type="time"
                            value={startTime}
                            onChange={(event) => setStartTime(event.target.value)}
                            size="small"
                            helperText={`Studio time (${studioTimeZone()}), on each session's own day`}
                            slotProps={{ inputLabel: { shrink: true } }}
                        />
                        <TextField
                            select
                            label="Trainer"
                            value={trainerId}
                            onChange={(event) => setTrainerId(Number(event.target.value))}
                            size="small"
                        >
                            {trainers.map((trainer) => (
                                <MenuItem key={trainer.id} value={trainer.id}>
                                    {trainerName(trainer)}
                                </MenuItem>
                            ))}
                        </TextField>
                        <TextField
                            label="Capacity"
                            type="number"
                            value={capacity}
                            onChange={(event) => setCapacity(event.target.value)}
                            size="small"
                            slotProps={{ htmlInput: { min: 1, max: 100 } }}
                        />
                    </Stack>
                )}
            </DialogContent>
            <DialogActions>
                <Button onClick={onClose}>{result ? 'Done' : 'Close'}</Button>
                {!result && (
                    <Button variant="contained" disabled={busy || !changed} onClick={() => void save()}>
                        Apply to the series
                    </Button>
                )}
            </DialogActions>
        </Dialog>
    );
};
