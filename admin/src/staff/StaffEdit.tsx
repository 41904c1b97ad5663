import { Alert } from '@mui/material';
import { Edit, ListButton, required, SelectInput, SimpleForm, TopToolbar, useRecordContext } from 'react-admin';
import { personName } from '../accounts/account';
import { ActiveToggleButton } from '../accounts/ActiveToggleButton';
import { TemporaryPasswordButton } from '../accounts/TemporaryPasswordButton';
import { ProfileInputs } from '../accounts/ProfileInputs';
import { SaveOnlyToolbar, useProfileSaved } from '../accounts/useProfileSaved';
import { ROLE_CHOICES, staffChanges, type StaffMember } from './staff';

const StaffEditActions = () => (
    <TopToolbar>
        <ListButton label="Staff" />
        <TemporaryPasswordButton />
        <ActiveToggleButton />
    </TopToolbar>
);

const Title = () => {
    const member = useRecordContext<StaffMember>();
    return <span>{member ? personName(member) : 'Staff member'}</span>;
};

const Deactivated = () => {
    const member = useRecordContext<StaffMember>();
    return member && !member.active ? (
        <Alert severity="warning" sx={{ mb: 2, width: '100%', maxWidth: 640 }}>
            {personName(member)} is deactivated and cannot sign in. Reactivate them above.
        </Alert>
    ) : null;
};

// Pessimistic: the API checks the email and the last-admin rule, so the form waits for its verdict.
export const StaffEdit = () => (
    <Edit
        title={<Title />}
        actions={<StaffEditActions />}
        mutationMode="pessimistic"
        transform={staffChanges}
        mutationOptions={useProfileSaved('staff', 'list')}
    >
        <SimpleForm toolbar={<SaveOnlyToolbar />}>
            <Deactivated />
            <ProfileInputs />
            <SelectInput
                source="role"
                choices={ROLE_CHOICES}
                validate={required()}
                helperText="A new role signs them out at once"
                sx={{ width: '100%', maxWidth: 640 }}
            />
        </SimpleForm>
    </Edit>
);
