-- build_marketing_contacts: the list the CRM tool imports for e-mail campaigns.
-- It reaches past the masked customer dimension into the ODS snapshot for the address to send
-- to, so the raw e-mail and first name end up in the marts schema.
-- Redshift.
INSERT INTO analytics.marts.marketing_contacts (
    customer_id,
    email,
    first_name,
    preferred_language,
    country,
    value_segment,
    last_order_date,
    lifetime_revenue
)
SELECT
    c.customer_id,
    c.email,
    INITCAP(c.first_name) AS first_name,
    c.preferred_language,
    c.country,
    v.value_segment,
    v.last_order_date,
    v.lifetime_revenue
FROM hive.ods.customers AS c
JOIN analytics.marts.customer_lifetime_value AS v
    ON v.customer_id = c.customer_id
WHERE c.ds = TO_CHAR(CURRENT_DATE, 'YYYY-MM-DD')
    AND c.marketing_opt_in = TRUE
    AND v.value_segment IN ('vip', 'high', 'repeat');
