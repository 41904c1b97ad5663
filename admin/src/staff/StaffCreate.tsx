import { required, SelectInput } from 'react-admin';
import { personName } from '../accounts/account';
import { AccountCreate } from '../accounts/AccountCreate';
import { ProfileInputs } from '../accounts/ProfileInputs';
import { ROLE_CHOICES, roleLabel, type StaffMember } from './staff';

/** A new trainer or admin; then the list. */
export const StaffCreate = () => (
    <AccountCreate<StaffMember>
        title="New staff member"
        resource="staff"
        after="list"
        createdMessage={(member) => `${personName(member)} is now a ${roleLabel(member.role).toLowerCase()}.`}
        defaultValues={{ role: 'trainer' }}
    >
        <ProfileInputs />
        <SelectInput
            source="role"
            choices={ROLE_CHOICES}
            validate={required()}
            helperText="Admins run the studio; trainers see their own sessions"
            sx={{ width: '100%', maxWidth: 640 }}
        />
    </AccountCreate>
);
