-- build_dim_payment_card: payment cards without the PAN. The card number survives only as a
-- SHA-256 fingerprint and a display form showing the last four digits; the cardholder name is
-- dropped.
-- Hive SQL.
INSERT OVERWRITE TABLE dw.dim_payment_card
SELECT
    pc.card_id,
    pc.customer_id,
    sha2(pc.card_number, 256) AS card_fingerprint,
    mask_show_last_n(pc.card_number, 4) AS card_number_masked,
    pc.card_brand,
    pc.expiry_month,
    pc.expiry_year,
    CASE
        WHEN pc.expiry_year < year(current_date)
            OR (pc.expiry_year = year(current_date) AND pc.expiry_month < month(current_date))
            THEN 'expired'
        ELSE 'active'
    END AS card_status,
    pc.is_default
FROM ods.payment_cards pc
WHERE pc.ds = CAST(current_date AS STRING);
