import { Menu as RaMenu, usePermissions } from 'react-admin';
import allocations from '../allocations';
import reports from '../reports';

// A resource the role cannot open is not registered, so its item renders nothing.
const AFTER_ALLOCATIONS = ['clients', 'bookings', 'purchases', 'ledger', 'packages', 'trainers', 'staff'];

/** The schedule first, then the front desk's everyday action, then the books. */
export const Menu = () => {
    const { permissions } = usePermissions<string>();
    return (
        <RaMenu>
            <RaMenu.DashboardItem />
            <RaMenu.ResourceItem name="sessions" />
            {permissions === 'admin' && (
                <RaMenu.Item to={allocations.path} primaryText={allocations.label} leftIcon={<allocations.icon />} />
            )}
            {AFTER_ALLOCATIONS.map((name) => (
                <RaMenu.ResourceItem key={name} name={name} />
            ))}
            {permissions === 'admin' && <RaMenu.Item to={reports.path} primaryText={reports.label} leftIcon={<reports.icon />} />}
        </RaMenu>
    );
};
