-- sync_payment_cards: nightly snapshot of stored payment cards into the ODS layer.
-- The raw card number lands in the warehouse; only the dimension built from it is masked.
INSERT INTO hive.ods.payment_cards (
    card_id,
    customer_id,
    cardholder_name,
    card_number,
    card_brand,
    expiry_month,
    expiry_year,
    billing_postcode,
    is_default,
    created_at,
    ds
)
SELECT
    pc.card_id,
    pc.customer_id,
    pc.cardholder_name,
    replace(pc.card_number, ' ', '') AS card_number,
    lower(pc.card_brand) AS card_brand,
    pc.expiry_month,
    pc.expiry_year,
    upper(pc.billing_postcode) AS billing_postcode,
    pc.is_default,
    pc.created_at,
    CAST(current_date AS varchar) AS ds
FROM mysql.shop.payment_cards AS pc;
