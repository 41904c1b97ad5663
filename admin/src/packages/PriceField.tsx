import { useRecordContext } from 'react-admin';

interface PricedPackage {
    id: string | number;
    priceCents: number;
    currency: string;
}

// Intl knows each currency's minor unit, so zero-decimal currencies (JPY, KRW) are not divided by 100.
const formatPrice = (minorUnits: number, currency: string) => {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    const fractionDigits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minorUnits / 10 ** fractionDigits);
};

export const PriceField = () => {
    const studioPackage = useRecordContext<PricedPackage>();
    if (!studioPackage) {
        return null;
    }
    return <span>{formatPrice(studioPackage.priceCents, studioPackage.currency)}</span>;
};
