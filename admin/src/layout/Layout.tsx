import type { ReactNode } from 'react';
import { Layout as RaLayout } from 'react-admin';
import { LiveUpdates } from '../live/LiveUpdates';
import { StudioGate } from '../studio/StudioGate';
import { AppBar } from './AppBar';
import { Menu } from './Menu';

// Rendered only for a signed-in user, so the change stream opens after login and closes at logout.
export const Layout = ({ children }: { children: ReactNode }) => (
    <LiveUpdates>
        <RaLayout menu={Menu} appBar={AppBar}>
            <StudioGate>{children}</StudioGate>
        </RaLayout>
    </LiveUpdates>
);
