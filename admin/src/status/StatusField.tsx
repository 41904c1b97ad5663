import { Chip } from '@mui/material';
import { useRecordContext } from 'react-admin';
import { statusLabel, statusTone } from './statusLabel';

export const StatusChip = ({ status }: { status: string }) => (
    <Chip label={statusLabel(status)} color={statusTone(status)} size="small" variant={statusTone(status) === 'default' ? 'outlined' : 'filled'} />
);

/** The record's `source` (a status word) as a coloured chip with spaces. */
export const StatusField = ({ source = 'status' }: { source?: string; label?: string }) => {
    const record = useRecordContext<Record<string, unknown>>();
    const value = record?.[source];
    return typeof value === 'string' ? <StatusChip status={value} /> : null;
};
