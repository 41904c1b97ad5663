import { Chip } from '@mui/material';
import {
    CreateButton,
    DataTable,
    DateField,
    FilterButton,
    FunctionField,
    List,
    SearchInput,
    SelectInput,
    TopToolbar,
    useRecordContext,
} from 'react-admin';
import { AccessChip } from '../accounts/AccessChip';
import { personName } from '../accounts/account';
import { ActiveToggleButton } from '../accounts/ActiveToggleButton';
import { TemporaryPasswordButton } from '../accounts/TemporaryPasswordButton';
import { WHEN } from '../dates/formats';
import { ROLE_CHOICES, roleLabel, type StaffMember } from './staff';

const filters = [
    <SearchInput key="q" source="q" alwaysOn placeholder="Name or email" />,
    <SelectInput key="role" source="role" choices={ROLE_CHOICES} />,
    <SelectInput
        key="active"
        source="active"
        label="Access"
        choices={[
            { id: true, name: 'Active' },
            { id: false, name: 'Deactivated' },
        ]}
    />,
];

const StaffActions = () => (
    <TopToolbar>
        <FilterButton />
        <CreateButton label="New staff member" />
    </TopToolbar>
);

const RoleChip = () => {
    const member = useRecordContext<StaffMember>();
    return member ? <Chip label={roleLabel(member.role)} size="small" color={member.role === 'admin' ? 'primary' : 'default'} /> : null;
};

const LastSignIn = () => {
    const member = useRecordContext<StaffMember>();
    if (!member) {
        return null;
    }
    return member.lastSignedInAt ? <DateField source="lastSignedInAt" showTime options={WHEN} /> : <span>Never</span>;
};

/** Row actions stop the click from opening the edit form underneath. */
const RowActions = () => (
    <span onClick={(event) => event.stopPropagation()} style={{ display: 'inline-flex', gap: 4 }}>
        <TemporaryPasswordButton />
        <ActiveToggleButton />
    </span>
);

export const StaffList = () => (
    <List filters={filters} actions={<StaffActions />} sort={{ field: 'lastName', order: 'ASC' }} title="Staff">
        <DataTable rowClick="edit" bulkActionButtons={false}>
            <DataTable.Col source="lastName" label="Name">
                <FunctionField<StaffMember> render={personName} />
            </DataTable.Col>
            <DataTable.Col source="email" />
            <DataTable.Col source="role">
                <RoleChip />
            </DataTable.Col>
            <DataTable.Col source="active" label="Access">
                <FunctionField<StaffMember> render={(member) => <AccessChip active={member.active} />} />
            </DataTable.Col>
            <DataTable.Col source="lastSignedInAt" label="Last signed in">
                <LastSignIn />
            </DataTable.Col>
            <DataTable.Col label="" disableSort align="right">
                <RowActions />
            </DataTable.Col>
        </DataTable>
    </List>
);
