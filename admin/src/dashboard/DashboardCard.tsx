import { Card, CardContent, CardHeader } from '@mui/material';
import type { ReactNode } from 'react';

export const DashboardCard = ({ title, children }: { title: string; children: ReactNode }) => (
    <Card>
        <CardHeader title={title} slotProps={{ title: { variant: 'h6' } }} />
        <CardContent>{children}</CardContent>
    </Card>
);
