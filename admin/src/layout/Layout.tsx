import type { ReactNode } from 'react';
import { AppBar, Layout as RaLayout, TitlePortal } from 'react-admin';
import { StudioClock } from '../studio/StudioClock';
import { StudioGate } from '../studio/StudioGate';
import { Menu } from './Menu';

const StudioAppBar = () => (
    <AppBar>
        <TitlePortal />
        <StudioClock />
    </AppBar>
);

export const Layout = ({ children }: { children: ReactNode }) => (
    <RaLayout menu={Menu} appBar={StudioAppBar}>
        <StudioGate>{children}</StudioGate>
    </RaLayout>
);
