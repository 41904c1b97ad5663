import { Chip } from '@mui/material';
import { useRecordContext } from 'react-admin';
import { statusLabel, statusTone } from './statusLabel';

/** `prefix` names what the status is of ("Credit held"). */
export const StatusChip = ({ status, prefix }: { status: string; prefix?: string }) => (
    <Chip
        label={prefix ? `${prefix} ${statusLabel(status).toLowerCase()}` : statusLabel(status)}
        color={statusTone(status)}
        size="small"
        variant={statusTone(status) === 'default' ? 'outlined' : 'filled'}
    />
);

/** The record's `source` (a status word) as a coloured chip with spaces. */
export const StatusField = ({ source = 'status', emptyText }: { source?: string; label?: string; emptyText?: string }) => {
    const record = useRecordContext<Record<string, unknown>>();
    const value = record?.[source];
    if (typeof value === 'string') {
        return <StatusChip status={value} />;
    }
    return emptyText ? <span>{emptyText}</span> : null;
};
