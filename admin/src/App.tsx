import { Admin, CustomRoutes, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import allocations from './allocations';
import bookings from './bookings';
import clients from './clients';
import { Dashboard } from './dashboard/Dashboard';
import { Layout } from './layout/Layout';
import { Login } from './layout/Login';
import ledger from './ledger';
import packages from './packages';
import { authProvider } from './providers/authProvider';
import { dataProvider } from './providers/dataProvider';
import purchases from './purchases';
import reports from './reports';
import sessions from './sessions';
import staff from './staff';
import trainers from './trainers';

// The API decides who may read what; the menu only leaves out what a trainer could not open.
export const App = () => (
    <Admin
        title="Studio Sessions"
        authProvider={authProvider}
        dataProvider={dataProvider}
        dashboard={Dashboard}
        loginPage={Login}
        layout={Layout}
        // No `requireAuth`: with it, react-admin 5.15 bounces between its auth check and
        // logout hundreds of times on a loaded machine before showing the login page
        // (seconds of CPU); every page still checks authentication on its own.
        // Staff data stays in the studio: no usage ping to a third party.
        disableTelemetry
    >
        {(role: string) =>
            role === 'admin'
                ? [
                      <Resource key="clients" name="clients" {...clients} />,
                      <Resource key="sessions" name="sessions" {...sessions} />,
                      <Resource key="bookings" name="bookings" {...bookings} />,
                      <Resource key="purchases" name="purchases" {...purchases} />,
                      <Resource key="ledger" name="ledger" {...ledger} />,
                      // Shown on a client's page only.
                      <Resource key="lots" name="lots" />,
                      <Resource key="packages" name="packages" {...packages} />,
                      <Resource key="trainers" name="trainers" {...trainers} />,
                      <Resource key="staff" name="staff" {...staff} />,
                      <CustomRoutes key="allocations">
                          <Route path={allocations.path} element={<allocations.page />} />
                          <Route path={reports.path} element={<reports.page />} />
                      </CustomRoutes>,
                  ]
                : [<Resource key="sessions" name="sessions" {...sessions} />, <Resource key="bookings" name="bookings" {...bookings} />]
        }
    </Admin>
);
