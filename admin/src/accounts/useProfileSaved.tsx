import { SaveButton, Toolbar, useNotify, useRedirect, type RedirectionSideEffect } from 'react-admin';
import { personName, type Account } from './account';

/** Accounts are deactivated, never deleted (bookings and the ledger point at them): the form only saves. */
export const SaveOnlyToolbar = () => (
    <Toolbar>
        <SaveButton />
    </Toolbar>
);

/** What a saved profile says, naming the person, before going where the form leads. */
export const useProfileSaved = (resource: string, to: RedirectionSideEffect) => {
    const notify = useNotify();
    const redirect = useRedirect();
    return {
        onSuccess: (account: Account) => {
            notify(`Saved ${personName(account)}'s profile.`, { type: 'success' });
            redirect(to, resource, account.id, account);
        },
    };
};
