import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import { callApi } from '../../commands/studioApi';
import { useDialogCommand } from '../../commands/useDialogCommand';
import { formatDay, formatWhen } from '../../dates/formats';
import type { Session } from '../session';

interface CancelledSeries {
    sessions: Session[];
    cancelledBookings: Array<{ clientId: number; clientName: string; credit: string }> | null;
    pending?: boolean;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** "Ann Lee (2), Ben Moss": who got credits back, each named once. */
const creditsBack = (bookings: NonNullable<CancelledSeries['cancelledBookings']>) => {
    const counts = new Map<string, number>();
    for (const booking of bookings.filter((entry) => entry.credit === 'released')) {
        counts.set(booking.clientName, (counts.get(booking.clientName) ?? 0) + 1);
    }
    return [...counts].map(([name, count]) => (count === 1 ? name : `${name} (${count})`)).join(', ');
};

/** Cancels this session and every later one of its series; each booked client's credit goes back. */
export const CancelSeriesDialog = ({
    session,
    onClose,
    onCancelled,
}: {
    session: Session;
    onClose: () => void;
    onCancelled: () => void;
}) => {
    const { busy, refusal, run } = useDialogCommand();
    const [reason, setReason] = useState('');
    const [result, setResult] = useState<CancelledSeries>();

    const cancel = () =>
        run(
            (idempotencyKey) =>
                callApi<CancelledSeries>(`/api/admin/series/${session.seriesId}/cancel`, {
                    idempotencyKey,
                    body: { from: session.startsAt, ...(reason.trim() ? { reason: reason.trim() } : {}) },
                }),
            (answer) => {
                setResult(answer);
                onCancelled();
            },
        );

    const released = result?.cancelledBookings?.filter((booking) => booking.credit === 'released').length ?? 0;
    const last = result?.sessions[result.sessions.length - 1];
    return (
        <Dialog open onClose={onClose} maxWidth="xs" fullWidth aria-labelledby="cancel-series-title">
            <DialogTitle id="cancel-series-title">Cancel series from here</DialogTitle>
            <DialogContent>
                {result ? (
                    <Alert severity="success" role="status">
                        {plural(result.sessions.length, 'session')} cancelled, {formatDay(session.startsAt)}
                        {last ? ` – ${formatDay(last.startsAt)}` : ''}.{' '}
                        {result.cancelledBookings === null
                            ? 'The bookings are being cancelled and their credits returned.'
                            : released === 0
                              ? 'Nobody was booked.'
                              : `${plural(released, 'credit')} went back: ${creditsBack(result.cancelledBookings)}.`}
                    </Alert>
                ) : (
                    <Stack sx={{ gap: 2 }}>
                        <DialogContentText>
                            The session of {formatWhen(session.startsAt)} and every later one of its series are cancelled; every booked
                            client gets their credit back. Earlier sessions stay as they are.
                        </DialogContentText>
                        {refusal && <Alert severity="error">{refusal}</Alert>}
                        <TextField
                            label="Reason (kept with each cancelled booking)"
                            value={reason}
                            onChange={(event) => setReason(event.target.value)}
                            size="small"
                            slotProps={{ htmlInput: { maxLength: 500 } }}
                        />
                    </Stack>
                )}
            </DialogContent>
            <DialogActions>
                <Button onClick={onClose}>{result ? 'Done' : 'Keep the series'}</Button>
                {!result && (
                    <Button color="error" variant="contained" disabled={busy} onClick={() => void cancel()}>
                        Cancel the series
                    </Button>
                )}
            </DialogActions>
        </Dialog>
    );
};
