import { Edit, ShowButton, SimpleForm, TopToolbar, useRecordContext } from 'react-admin';
import { personName, profileOf, type Account } from '../accounts/account';
import { ActiveToggleButton } from '../accounts/ActiveToggleButton';
import { ProfileInputs } from '../accounts/ProfileInputs';
import { TemporaryPasswordButton } from '../accounts/TemporaryPasswordButton';
import { SaveOnlyToolbar, useProfileSaved } from '../accounts/useProfileSaved';

const ClientEditActions = () => (
    <TopToolbar>
        <ShowButton label="Back to the client" />
        <TemporaryPasswordButton />
        <ActiveToggleButton />
    </TopToolbar>
);

const Title = () => {
    const client = useRecordContext<Account>();
    return <span>{client ? `Edit ${personName(client)}` : 'Edit client'}</span>;
};

// Pessimistic: a taken email comes back from the API and shows under the field.
export const ClientEdit = () => (
    <Edit
        title={<Title />}
        actions={<ClientEditActions />}
        mutationMode="pessimistic"
        transform={profileOf}
        mutationOptions={useProfileSaved('clients', 'show')}
    >
        <SimpleForm toolbar={<SaveOnlyToolbar />}>
            <ProfileInputs />
        </SimpleForm>
    </Edit>
);
