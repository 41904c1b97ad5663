import {
    Alert,
    Button,
    Dialog,
    DialogActions,
    DialogContent,
    DialogTitle,
    FormControlLabel,
    Stack,
    Switch,
    TextField,
} from '@mui/material';
import { useState } from 'react';
import { useNotify, usePermissions } from 'react-admin';
import { newIdempotencyKey } from '../../commands/idempotencyKey';
import { callApi, messageOf } from '../../commands/studioApi';
import { hoursOrMinutes, usePolicies } from '../../policies/usePolicies';
import type { Booking, Session } from '../session';

interface CancelAnswer {
    status: string;
    credit: 'released' | 'forfeited' | 'expired' | 'complimentary';
    availableSessions: number;
}

const CREDIT_OUTCOME: Record<CancelAnswer['credit'], string> = {
    released: 'the credit went back to the client',
    forfeited: 'the credit was forfeited (late cancel)',
    expired: 'the credit had expired meanwhile',
    complimentary: 'it was complimentary, no credit involved',
};

/**
 * Cancels one client's booking. Inside the cancel window the API forfeits the credit unless
 * an admin waives it; the dialog says so beforehand and reports what the API did.
 */
export const CancelBookingDialog = ({
    session,
    booking,
    onClose,
    onCancelled,
}: {
    session: Session;
    booking: Booking;
    onClose: () => void;
    onCancelled: () => void;
}) => {
    const notify = useNotify();
    const { permissions } = usePermissions<string>();
    const policies = usePolicies();
    const [idempotencyKey] = useState(newIdempotencyKey);
    const [waive, setWaive] = useState(false);
    const [reason, setReason] = useState('');
    const [busy, setBusy] = useState(false);
    const [refusal, setRefusal] = useState<string>();
    const [openedAt] = useState(Date.now);
    const late =
        policies !== undefined &&
        !booking.complimentary &&
        new Date(session.startsAt).getTime() - openedAt < policies.cancelWindowMinutes * 60_000;

    const cancel = async () => {
        setBusy(true);
        setRefusal(undefined);
        try {
            const answer = await callApi<CancelAnswer>(`/api/sessions/${session.id}/cancel`, {
                idempotencyKey,
                body: { userId: booking.clientId, ...(reason.trim() ? { reason: reason.trim() } : {}), ...(waive ? { waive: true } : {}) },
            });
            notify(`${booking.clientName}'s booking is cancelled; ${CREDIT_OUTCOME[answer.credit]}.`, { type: 'success' });
            onCancelled();
        } catch (error) {
            setRefusal(messageOf(error));
            setBusy(false);
        }
    };

    return (
        <Dialog open onClose={onClose} maxWidth="xs" fullWidth aria-labelledby="cancel-booking-title">
            <DialogTitle id="cancel-booking-title">Cancel {booking.clientName}'s booking?</DialogTitle>
            <DialogContent>
                <Stack sx={{ gap: 2 }}>
                    {refusal && <Alert severity="error">{refusal}</Alert>}
                    {late && policies && (
                        <Alert severity="warning">
                            This is inside the {hoursOrMinutes(policies.cancelWindowMinutes)} cancel window: the client's credit is
                            forfeited unless you waive it.
                        </Alert>
                    )}
                    {late && permissions === 'admin' && (
                        <FormControlLabel
                            control={<Switch checked={waive} onChange={(event) => setWaive(event.target.checked)} />}
                            label="Waive the forfeit: give the credit back"
                        />
                    )}
                    <TextField label="Reason (optional)" value={reason} onChange={(event) => setReason(event.target.value)} size="small" />
                </Stack>
            </DialogContent>
            <DialogActions>
                <Button onClick={onClose}>Keep booking</Button>
                <Button color="error" variant="contained" disabled={busy} onClick={() => void cancel()}>
                    Cancel booking
                </Button>
            </DialogActions>
        </Dialog>
    );
};
