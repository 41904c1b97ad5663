import { personName, type Account } from '../accounts/account';
import { AccountCreate } from '../accounts/AccountCreate';
import { ProfileInputs } from '../accounts/ProfileInputs';

/** A client who walked in: an account the front desk opens for them, then their page (to give sessions). */
export const ClientCreate = () => (
    <AccountCreate<Account>
        title="New walk-in client"
        resource="clients"
        after="show"
        createdMessage={(client) => `${personName(client)} is a client now.`}
    >
        <ProfileInputs />
    </AccountCreate>
);
