import { Box, Button, Typography } from '@mui/material';
import { Link } from 'react-admin';

/** What an empty list says, and the next thing to do about it. */
export const EmptyState = ({ message, action, to }: { message: string; action?: string; to?: string }) => (
    <Box sx={{ p: 3, display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
        <Typography color="text.secondary">{message}</Typography>
        {action && to && (
            <Button component={Link} to={to} variant="outlined" size="small">
                {action}
            </Button>
        )}
    </Box>
);
