import { Chip } from '@mui/material';

/** Whether the account may sign in. */
export const AccessChip = ({ active }: { active: boolean }) =>
    active ? (
        <Chip label="Active" color="success" size="small" variant="outlined" />
    ) : (
        <Chip label="Deactivated" size="small" color="error" />
    );
