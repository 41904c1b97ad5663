import { useState, type ReactNode } from 'react';
import { Create, SimpleForm, useNotify, useRedirect } from 'react-admin';
import { personName, withoutEmptyPassword, type Account, type WithTemporaryPassword } from './account';
import { TemporaryPasswordInput } from './ProfileInputs';
import { TemporaryPasswordNotice } from './TemporaryPasswordNotice';

/**
 * A new account's form, ending with the temporary password: one the admin typed, or,
 * left empty, one the API generates and this page shows once before moving on.
 */
export const AccountCreate = <T extends Account>({
    title,
    resource,
    after,
    createdMessage,
    defaultValues,
    children,
}: {
    title: string;
    resource: string;
    /** Where to go once created (and the password, if any, was seen). */
    after: 'list' | 'show';
    createdMessage: (account: T) => string;
    defaultValues?: Partial<T>;
    children: ReactNode;
}) => {
    const notify = useNotify();
    const redirect = useRedirect();
    const [created, setCreated] = useState<T & WithTemporaryPassword>();
    const moveOn = (account: T) => redirect(after, resource, account.id);
    const onSuccess = (account: T & WithTemporaryPassword) => {
        notify(createdMessage(account), { type: 'success' });
        if (account.temporaryPassword) {
            setCreated(account);
        } else {
            moveOn(account);
        }
    };
    return (
        <Create title={title} transform={withoutEmptyPassword} mutationOptions={{ onSuccess }}>
            <SimpleForm defaultValues={defaultValues}>
                {children}
                <TemporaryPasswordInput />
            </SimpleForm>
            {created?.temporaryPassword && (
                <TemporaryPasswordNotice name={personName(created)} password={created.temporaryPassword} onClose={() => moveOn(created)} />
            )}
        </Create>
    );
};
