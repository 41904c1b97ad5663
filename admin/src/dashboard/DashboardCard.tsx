import { Card, CardContent, CardHeader } from '@mui/material';
import type { ReactNode } from 'react';

export const DashboardCard = ({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) => (
    <Card>
        <CardHeader title={title} action={action} slotProps={{ title: { variant: 'h6' } }} sx={{ pb: 0 }} />
        <CardContent>{children}</CardContent>
    </Card>
);
