import { Admin, Resource } from 'react-admin';
import clients from './clients';
import { Dashboard } from './dashboard/Dashboard';
import { Login } from './layout/Login';
import packages from './packages';
import { authProvider } from './providers/authProvider';
import { dataProvider } from './providers/dataProvider';
import sessions from './sessions';
import trainers from './trainers';

export const App = () => (
    <Admin
        title="Studio Sessions"
        authProvider={authProvider}
        dataProvider={dataProvider}
        dashboard={Dashboard}
        loginPage={Login}
        requireAuth
        // Staff data stays in the studio: no usage ping to a third party.
        disableTelemetry
    >
        <Resource name="clients" {...clients} />
        <Resource name="sessions" {...sessions} />
        <Resource name="trainers" {...trainers} />
        <Resource name="packages" {...packages} />
    </Admin>
);
