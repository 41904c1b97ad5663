import { Typography } from '@mui/material';
import { DataTable, DateField, FunctionField, NumberField } from 'react-admin';
import { WHEN } from '../dates/formats';
import { EmptyState } from '../layout/EmptyState';
import { StatusField } from '../status/StatusField';

interface NotificationRecord {
    kind: string;
    category: string;
    subject: string | null;
    state: string;
    lastError: string | null;
}

/** The outbox's kinds in the front desk's words. */
const KIND_LABELS: Record<string, string> = {
    'booking.booked': 'Booking made',
    'booking.cancelled': 'Booking cancelled',
    'booking.reminder': 'Session reminder',
    'credits.expiring': 'Credits expiring',
    'credits.low': 'Low balance',
    'purchase.paid': 'Purchase receipt',
    'purchase.refunded': 'Refund',
};

const CATEGORY_LABELS: Record<string, string> = {
    receipt: 'Receipt (always sent)',
    reminder: 'Reminder (client may opt out)',
    nudge: 'Nudge (client may opt out)',
};

const Message = ({ record }: { record: NotificationRecord }) => (
    <>
        <Typography variant="body2">{KIND_LABELS[record.kind] ?? record.kind}</Typography>
        <Typography variant="caption" color="text.secondary">
            {record.subject ?? CATEGORY_LABELS[record.category] ?? ''}
        </Typography>
    </>
);

/** Why a message is not (yet) delivered: the server's error, or the client's opt-out. */
const Delivery = ({ record }: { record: NotificationRecord }) => (
    <>
        <StatusField source="state" />
        {record.lastError && (
            <Typography variant="caption" color={record.state === 'skipped' ? 'text.secondary' : 'error'} sx={{ display: 'block' }}>
                {record.lastError}
            </Typography>
        )}
    </>
);

/** A client's emails with their delivery state, newest first (on the client's page). */
export const NotificationEntries = () => (
    <DataTable
        bulkActionButtons={false}
        rowClick={false}
        empty={<EmptyState message="No emails to this client yet. Bookings, cancellations, purchases and refunds each send one." />}
    >
        <DataTable.Col source="createdAt" label="Written">
            <DateField source="createdAt" showTime options={WHEN} />
        </DataTable.Col>
        <DataTable.Col source="kind" label="Message">
            <FunctionField<NotificationRecord> render={(record) => <Message record={record} />} />
        </DataTable.Col>
        <DataTable.Col source="state" label="Delivery">
            <FunctionField<NotificationRecord> render={(record) => <Delivery record={record} />} />
        </DataTable.Col>
        <DataTable.Col source="attempts" label="Attempts" align="right" disableSort>
            <NumberField source="attempts" />
        </DataTable.Col>
        <DataTable.Col source="sentAt" label="Sent">
            <DateField source="sentAt" showTime options={WHEN} emptyText="—" />
        </DataTable.Col>
    </DataTable>
);
